"""Kabar: what notifications add to the hourly gate, and how fast the sender drains.

100 files' verdicts of 100 desa (each desa one operator account), on the embedded warehouse (SQLite):
- **added to the gate**: writing the 100 verdict messages (templates, masking) and queueing them in the store's
  transaction, then one drain that delivers them: target < 0.5 s for 100 messages (through the ``.eml`` folder
  way, the embedded default; the network ways are measured apart below, since their cost is the server's);
- **drain rate**: messages per second through Apprise's e-mail to a real SMTP server on loopback (aiosmtpd), through
  the stdlib SMTP way, and through the folder way.

The scheduled notifications the hourly gate's first task plans (``kabar.jadwal.rencanakan``), Kabupaten Malang (390
desa, nothing sent yet), warm process:
- **an hour with nothing due** (the kinds of the day planned already; no waiting approval): target < 10 ms;
- the day's first hour from 07.00 (BPS's digest looked up: nothing rejected);
- **a reminder day** at 08.00: 391 reminders (390 desa, Dinkes) written and queued: target < 2 s.

    .venv/bin/python benchmarks/bench_kabar.py        # exit 1 when a target is missed
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT))

N = 100
TARGET_S = 0.5
TARGET_IDLE_MS = 10.0  # planning in an hour with nothing due
TARGET_REMINDERS_S = 2.0  # a reminder day's plan for a kabupaten of 390 desa


def main() -> int:
    from desa_cantik.kabar import AturanKabar, BukuAlamat, kirim_antrean
    from desa_cantik.kabar.peristiwa import BerkasDiputus, putusan
    from desa_cantik.peran import DaftarPeran, read_users
    from desa_cantik.storage import Warehouse
    from tests.penerima_kabar import apprise_mailto, smtp_server

    daftar, aturan = DaftarPeran.load(), AturanKabar.load()
    desa = [f"35.07.{k:02d}.{2000 + d}" for k in range(1, 11) for d in range(1, 11)][:N]
    csv = "username,nama_depan,nama_belakang,email,peran,kode_wilayah\n" + "".join(
        f"op-{i},Operator,{i},op{i}@desa.invalid,operator_desa,{kode}\n" for i, kode in enumerate(desa))
    buku = BukuAlamat.from_users(read_users(csv, daftar))
    files = [BerkasDiputus(f"masuk/2025/fasilitas/{kode}/x-{i}.csv", f"{i:064x}", "fasilitas", kode, f"fasilitas {kode}.csv",
                           "2026-02-10T04:00:00+00:00", "ditolak", 12, 10, 2) for i, kode in enumerate(desa)]
    rules = {f.sha256: ["FAS-02: jumlah sekolah negatif (2 baris)", "FAS-05: kode tidak dikenal"] for f in files}
    putusan(aturan, "Asia/Jakarta", files[:1], rules)  # first use: imports (jinja2, lokal) paid once per process
    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def fresh(name: str) -> Warehouse:
            w = Warehouse(f"sqlite:///{tmp}/{name}.sqlite")
            w.ensure()
            return w

        def queue(w: Warehouse) -> float:
            t = time.perf_counter()
            kabar = putusan(aturan, "Asia/Jakarta", files, rules)
            with w.engine.begin() as conn:
                w._queue(conn, kabar, datetime.now(UTC).replace(microsecond=0).isoformat())
            return time.perf_counter() - t

        def drain(w: Warehouse, env: dict[str, str]) -> tuple[float, int]:
            hasil = kirim_antrean(w, aturan, buku, daftar, "Asia/Jakarta", now=datetime.now(UTC) + timedelta(seconds=1),
                                  env=env)
            return hasil.detik, hasil.dikirim

        w = fresh("folder")
        rows["queue"] = queue(w)
        rows["drain_folder"], sent = drain(w, {"DESA_CANTIK_KABAR_FOLDER": f"{tmp}/eml"})
        assert sent == N and len(list(Path(f"{tmp}/eml").iterdir())) == N
        with smtp_server() as smtp:
            w = fresh("apprise")
            queue(w)
            rows["drain_apprise_smtp"], sent = drain(w, {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port)})
            w = fresh("smtp")
            queue(w)
            rows["drain_smtp"], sent2 = drain(w, {"DESA_CANTIK_KABAR_SMTP": f"smtp://127.0.0.1:{smtp.port}"})
            assert sent == sent2 == N and len(smtp.surat) == 2 * N
    added = rows["queue"] + rows["drain_folder"]
    print(f"{N} pesan putusan (100 desa, satu akun tiap desa), SQLite:")
    print(f"  disusun + diantrekan dalam transaksi simpan: {rows['queue']:.3f} s")
    for way in ("folder", "apprise_smtp", "smtp"):
        s = rows[f"drain_{way}"]
        print(f"  drain lewat {way:13s}: {s:.3f} s  = {N / s:,.0f} pesan/s")
    print(f"  tambahan pada gerbang per jam (susun + antre + drain folder): {added:.3f} s (target < {TARGET_S} s)")
    idle_ms, first_ms, reminders_s, queued = plan_costs()
    print("Kabar terjadwal (tugas pertama gerbang per jam), Kabupaten Malang 390 desa, SQLite + folder:")
    print(f"  jam tanpa kabar jatuh tempo: {idle_ms:.2f} ms (median 50; target < {TARGET_IDLE_MS:.0f} ms)")
    print(f"  jam pertama sejak 07.00 (ringkasan BPS dicari, tak ada yang ditolak): {first_ms:.1f} ms")
    print(f"  hari pengingat 08.00: {queued} pengingat disusun + diantrekan: {reminders_s:.3f} s "
          f"(target < {TARGET_REMINDERS_S:.0f} s)")
    return 0 if added < TARGET_S and idle_ms < TARGET_IDLE_MS and reminders_s < TARGET_REMINDERS_S else 1


def plan_costs() -> tuple[float, float, float, int]:
    """(an idle hour in ms, the day's first hour in ms, a reminder day in s, reminders queued) for Malang."""
    import statistics
    from zoneinfo import ZoneInfo

    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.kabar import AturanKabar
    from desa_cantik.kabar.jadwal import rencanakan

    wib, aturan = ZoneInfo("Asia/Jakarta"), AturanKabar.load()
    with tempfile.TemporaryDirectory() as tmp:
        rt = Runtime.from_env({"DESA_CANTIK_HOME": tmp, "DESA_CANTIK_WILAYAH": "35.07"})
        rencanakan(rt, datetime(2026, 2, 9, 10, tzinfo=wib), aturan)  # imports paid once per process
        t = time.perf_counter()
        rencanakan(rt, datetime(2026, 2, 10, 7, tzinfo=wib), aturan)
        first = time.perf_counter() - t
        idle = []
        for hour in range(8, 21):
            for _ in range(4):
                t = time.perf_counter()
                assert rencanakan(rt, datetime(2026, 2, 10, hour, tzinfo=wib), aturan).antre == {}
                idle.append(time.perf_counter() - t)
        t = time.perf_counter()
        planned = rencanakan(rt, datetime(2026, 3, 28, 8, tzinfo=wib), aturan)
        reminders = time.perf_counter() - t
    return 1000 * statistics.median(idle[:50]), 1000 * first, reminders, planned.antre.get("pengingat", 0)


if __name__ == "__main__":
    sys.exit(main())
