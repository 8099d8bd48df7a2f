"""Back up a tier, check a backup, restore it into a fresh deployment, and compare a deployment with its backup.

A backup folder (0700) holds ``gudang.dump`` and ``airflow.dump`` (``pg_dump`` custom format), ``objek/`` with
``objek.json`` (``cadangan.objek``), ``kunci/`` (the tier's key pair and the children's public keys),
``cadangan.json`` and ``SHA256SUMS`` (``cadangan.manifes``); a deployment's own secrets file may lie beside them
(``rahasia.env``: the stack's; docker: ``.env``), listed in ``SHA256SUMS`` like everything else.

With ``luar`` ("databases outside"), the dumps are made and restored by the caller (docker: in the PostgreSQL
container, whose ``pg_dump`` is the server's own version) and only read here; the facts are then read from the
databases as they are, so the writers must be stopped (docker/README.md says how).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..config import Settings
from . import basis_data, manifes, objek
from .basis_data import FaktaBasisData
from .objek import CadanganRusak

GUDANG_DUMP = "gudang.dump"
AIRFLOW_DUMP = "airflow.dump"


@dataclass(frozen=True)
class Tujuan:
    """Where a tier's data lives: the settings (warehouse, store, keys) and Airflow's metadata database."""

    settings: Settings
    airflow_url: str | None  # AIRFLOW__DATABASE__SQL_ALCHEMY_CONN; None: this environment has no Airflow database

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Tujuan:
        url = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") or None
        return cls(Settings.from_env(env), url)


def _timed(seconds: dict[str, float], part: str, step: Callable[[], None]) -> None:
    start = time.monotonic()
    step()
    seconds[part] = round(time.monotonic() - start, 2)


def _database(url: str, folder: Path, name: str, warehouse: bool, luar: bool) -> FaktaBasisData:
    """One database: its dump and its facts from the same snapshot (``luar``: the facts only, as it is now)."""
    if luar:
        return basis_data.facts(url, None, warehouse)
    if not basis_data.is_postgres(url):
        raise CadanganRusak(f"Cadangan basis data hanya untuk PostgreSQL, bukan {url.split(':', 1)[0]}")
    with basis_data.snapshot(url) as snap:
        basis_data.dump(url, folder / name, snap)
        return basis_data.facts(url, snap, warehouse)


def buat(folder: Path, tujuan: Tujuan, luar: bool = False) -> manifes.Fakta:
    """A backup of the tier into a new folder (an existing backup is never written over)."""
    from ..storage import open_store

    if (folder / manifes.FACTS).exists() or (folder / manifes.SUMS).exists():
        raise CadanganRusak(f"{folder} sudah berisi cadangan: pilih folder baru (cadangan lama tidak ditimpa)")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    seconds: dict[str, float] = {}
    facts: dict[str, FaktaBasisData | None] = {"airflow": None}
    s = tujuan.settings

    def databases() -> None:
        facts["gudang"] = _database(s.gudang_url, folder, GUDANG_DUMP, True, luar)
        if tujuan.airflow_url:
            facts["airflow"] = _database(tujuan.airflow_url, folder, AIRFLOW_DUMP, False, luar)

    summary: list[objek.Ringkas] = []
    keys: list[str] = []
    _timed(seconds, "basis_data", databases)
    _timed(seconds, "objek", lambda: summary.append(objek.save(open_store(s.objek_url), folder)))
    _timed(seconds, "kunci", lambda: keys.extend(manifes.save_keys(s.kunci, folder)))
    gudang = facts["gudang"]
    if gudang is None:  # pragma: no cover - databases() sets it or raised
        raise CadanganRusak("gudang tidak terbaca")
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    fakta: manifes.Fakta = {
        "format": manifes.FORMAT, "rilis": manifes.release(), "dibuat": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "tingkat": s.tingkat, "wilayah": s.kode_paket, "gudang": gudang, "airflow": facts["airflow"], "objek": summary[0],
        "kunci": keys, "berkas": sizes, "detik": seconds}
    manifes.write_facts(folder, fakta)
    start = time.monotonic()
    manifes.write_sums(folder)
    fakta["detik"]["sha256"] = round(time.monotonic() - start, 2)
    return fakta


def periksa(folder: Path) -> list[str]:
    """Everything wrong with a backup (empty: every file and every object's bytes are as written)."""
    problems = manifes.check_sums(folder)
    try:
        manifes.read_facts(folder)
        problems += objek.check_blobs(folder)
    except CadanganRusak as exc:
        problems.append(str(exc))
    return problems


def differences(name: str, backup: FaktaBasisData, now: FaktaBasisData, exact: bool = True) -> list[str]:
    """How a database differs from its backup. ``exact``: the same rows per table and, at the same revision, the
    same fingerprint (a restore); otherwise only rows lost count (a running tier after an upgrade adds and replaces)."""
    def lost(t: str, n: int) -> bool:
        found = now["baris"].get(t)
        return found != n if exact else found is None or found < n

    found = [f"{name}.{t}: {n} baris di cadangan, {now['baris'].get(t, 'tabelnya tidak ada')} sekarang"
             for t, n in sorted(backup["baris"].items()) if lost(t, n)]
    if not exact or backup["revisi"] != now["revisi"]:
        return found
    return found + [f"{name}.{t}: sidik berbeda ({s} di cadangan, {now['sidik'].get(t, '-')} sekarang)"
                    for t, s in sorted(backup["sidik"].items()) if now["sidik"].get(t) != s]


def pulihkan(folder: Path, tujuan: Tujuan, luar: bool = False) -> list[str]:
    """Restore a backup into a fresh deployment; what was done, line by line. Nothing is touched until every
    checksum of the backup is right; then the databases (unless ``luar``), compared with the backup's facts before
    anything else is written; then every object (each read back and compared) and the keys."""
    from ..storage import open_store

    start = time.monotonic()
    problems = periksa(folder)
    if problems:
        raise CadanganRusak("Cadangan tidak utuh, tidak ada yang dipulihkan:\n- " + "\n- ".join(problems[:20]))
    fakta = manifes.read_facts(folder)
    s = tujuan.settings
    done = [f"Cadangan {folder} (rilis {fakta['rilis']}, dibuat {fakta['dibuat']}) utuh: {len(fakta['berkas'])} berkas, "
            f"{fakta['objek']['jumlah']} objek, semua sha256 cocok{_since(start)}."]
    if fakta["airflow"] is not None and not tujuan.airflow_url:
        raise CadanganRusak("Cadangan berisi metadata Airflow, tetapi AIRFLOW__DATABASE__SQL_ALCHEMY_CONN tidak diatur.")
    if not luar:
        start = time.monotonic()
        basis_data.restore(s.gudang_url, folder / GUDANG_DUMP)
        if fakta["airflow"] is not None and tujuan.airflow_url:
            basis_data.restore(tujuan.airflow_url, folder / AIRFLOW_DUMP)
        done.append("Basis data dipulihkan (pg_restore): gudang" + (" dan metadata Airflow" if fakta["airflow"] else "")
                    + f"{_since(start)}.")
    start = time.monotonic()
    wrong = differences("gudang", fakta["gudang"], basis_data.facts(s.gudang_url, None, True))
    if fakta["airflow"] is not None and tujuan.airflow_url:
        wrong += differences("airflow", fakta["airflow"], basis_data.facts(tujuan.airflow_url, None, False))
    if wrong:
        raise CadanganRusak("Basis data yang dipulihkan tidak sama dengan cadangan:\n- " + "\n- ".join(wrong[:20]))
    done.append(f"Gudang sama dengan cadangan: {len(fakta['gudang']['baris'])} tabel, baris"
                + (" dan sidik" if fakta["gudang"]["sidik"] else "") + " tiap tabel cocok"
                + ("; metadata Airflow: baris tiap tabel cocok" if fakta["airflow"] else "") + f"{_since(start)}.")
    start = time.monotonic()
    loaded = objek.load(open_store(s.objek_url), folder)
    done.append(f"Objek: {loaded.ditulis} ditulis, {loaded.sudah_ada} sudah ada ({loaded.ukuran:,} byte), tiap objek "
                f"dibaca kembali dan sha256-nya cocok; waktu terima berkas kotak masuk dipertahankan{_since(start)}.")
    written, same = manifes.load_keys(folder, s.kunci)
    done.append(f"Kunci: {written} berkas ditulis ke {s.kunci}, {same} sudah ada dan sama.")
    return done


def _since(start: float) -> str:
    return f" ({time.monotonic() - start:.1f} s)"


def banding(folder: Path, tujuan: Tujuan) -> list[str]:
    """What a running deployment lost since a backup made before an upgrade (empty: nothing): every table of the
    warehouse has at least the rows it had, every object is still there with its size."""
    from ..storage import open_store

    fakta = manifes.read_facts(folder)
    s = tujuan.settings
    wrong = differences("gudang", fakta["gudang"], basis_data.facts(s.gudang_url, None, True), exact=False)
    there = {o.key: o.size for o in open_store(s.objek_url).list("")}
    lost = [e["kunci"] for e in objek.entries(folder) if there.get(e["kunci"]) != e["ukuran"]]
    if lost:
        wrong.append(f"{len(lost)} objek dari cadangan hilang atau berubah ukuran (mis. {lost[0]!r})")
    return wrong
