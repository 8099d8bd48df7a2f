"""The monitoring pages at national size: every page of ``desa_cantik.web`` (the plugin's app) timed through the app.

One synthetic warehouse (seeded) holds what the issue names as the hard case: indicator components for all
83,762 desa of Indonesia (x 9 indicators = 753,858 rows in ``komponen_indikator``) with the indicators of every
level aggregated from them by the real code (``coordination.aggregate``), and a province's cycle: East Java's
8,494 desa, each sending kependudukan and fasilitas (a share rejected, with notes, resubmitted, with findings,
quarantined rows and the rule summary of three runs), BPS's projection and the health agency's file for the
whole province, and 38 provinces' package deliveries (versions, refusals) as the centre sees them.

The pages are requested through FastAPI's TestClient on the plugin's own app (the auth dependency replaced by
a user holding every page), as a kabupaten-type tier whose area is the province (``35``: per kabupaten, per
kecamatan, per desa) and as the centre (``pusat``: indicators of every level, every province's deliveries).
Each page: its first request (the process's first also loads the region list and altair; a chart is drawn
once per distinct data) and the median of five warm ones. PostgreSQL is ``ANALYZE``d after the load, as
autovacuum does: without statistics its plans for the agency datasets' counts make ``/pantau`` ~0.7 s.

Target (2 cores; decides the exit code): every page's warm median < 1 s. The first request is reported.

Usage::

    .venv/bin/python benchmarks/bench_pages.py                    # SQLite
    DESA_CANTIK_BENCH_PG=postgresql+psycopg2://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_pages.py
    .venv/bin/python benchmarks/bench_pages.py --keep /tmp/halaman   # keep (and reuse) the filled warehouse
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TAHUN = 2025
PROVINSI = "35"  # Jawa Timur: 8,494 desa
TARGET_S = 1.0
RUNS = ("manual__2026-03-01T08:00:00+00:00", "manual__2026-03-05T08:00:00+00:00",
        "scheduled__2026-03-31T16:59:00+00:00")
REJECT, NOTE, RESEND = 0.07, 0.03, 0.05  # shares of desa files: rejected, accepted with notes, sent twice


def sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


# --- the synthetic warehouse ---------------------------------------------------------------------------


def _rows(dataset: str, desa: pd.Series, rng: np.random.Generator, files: pd.Series, when: str) -> pd.DataFrame:
    """Stored rows of a dataset for these desa, every column of the standard filled."""
    from desa_cantik.datasets import COUNT, get_dataset

    spec = get_dataset(dataset)
    out: dict[str, Any] = {}
    for c in spec.all_columns():
        if c.nama == "kode_desa":
            out[c.nama] = desa.to_numpy()
        elif c.nama == "tahun":
            out[c.nama] = TAHUN
        elif c.tipe == COUNT:
            out[c.nama] = rng.integers(0, 5000, len(desa))
        else:
            out[c.nama] = c.klasifikasi[0] if c.klasifikasi else f"{PROVINSI}-DINKES"
    frame = pd.DataFrame(out)
    return frame.assign(sha256_berkas=files.to_numpy(), baris_berkas=2, diterima_pada=when)


def _desa_files(dataset: str, desa: pd.Series, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """One file per desa (a share sent twice: a rejected one, then a resend), verdicts, findings, summary."""
    n = len(desa)
    draw = rng.random(n)
    status = np.where(draw < REJECT, "ditolak", np.where(draw < REJECT + NOTE, "diterima_dengan_catatan", "diterima"))
    rule = {"kependudukan": ("KEP-02", "KEP-05"), "fasilitas": ("FAS-01", "FAS-03")}[dataset]
    resend = rng.random(n) < RESEND
    subs, issues, summary, quarantine = [], [], [], []
    for i, (kode, st) in enumerate(zip(desa, status, strict=True)):
        attempts = [("ditolak", RUNS[0]), (st, RUNS[1])] if resend[i] else [(st, RUNS[0])]
        for j, (verdict, run) in enumerate(attempts):
            s = sha(dataset, kode, j)
            when = f"2026-03-0{1 + 4 * j}T0{j}:00:00+00:00"
            subs.append({"kunci_masuk": f"masuk/{TAHUN}/{dataset}/{kode}/{j}.csv", "sha256": s, "dataset": dataset,
                         "tahun": TAHUN, "pengirim": kode, "kunci_arsip": f"arsip/{TAHUN}/{dataset}/{kode}/{s[:16]}.csv",
                         "nama_berkas": f"{kode.replace('.', '')}_{dataset}_{j}.csv", "ukuran": 400,
                         "diterima_pada": when, "status": verdict, "baris_dibaca": 1,
                         "baris_diterima": int(verdict != "ditolak"), "baris_ditolak": int(verdict == "ditolak"),
                         "kunci_laporan": None, "run_id": run})
            if verdict != "diterima":
                r, sev = (rule[0], "error") if verdict == "ditolak" else (rule[1], "warning")
                issues.append({"sha256_berkas": s, "dataset": dataset, "tahun": TAHUN, "pengirim": kode, "baris": 2,
                               "kolom": None, "aturan": r, "keparahan": sev, "tingkat": 1,
                               "pesan": f"Baris 2: nilai tidak sah ({r}).", "nilai": "-1", "diharapkan": ">= 0"})
                summary.append({"run_id": run, "dataset": dataset, "tahun": TAHUN, "kode_desa": kode, "aturan": r,
                                "keparahan": sev, "tingkat": 1, "jumlah": 1, "sha256_berkas": s})
            if verdict == "ditolak":
                quarantine.append({"sha256_berkas": s, "baris": 2, "dataset": dataset, "tahun": TAHUN, "kode_desa": kode,
                                   "isi": "{}", "alasan": f"{rule[0]}: Baris 2: nilai tidak sah."})
    subs_f = pd.DataFrame(subs)
    newest = subs_f.sort_values("diterima_pada").drop_duplicates("pengirim", keep="last")
    ok = newest[newest["status"] != "ditolak"]
    return {"berkas": subs_f, "isu": pd.DataFrame(issues), "ringkasan": pd.DataFrame(summary),
            "karantina": pd.DataFrame(quarantine),
            "data": _rows(dataset, ok["pengirim"], rng, ok["sha256"], "2026-03-01T00:00:00+00:00")}


def _region_file(dataset: str, sender: str, desa: pd.Series, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """One file for every desa of the province (BPS, an agency): most rows stored, some quarantined, warnings."""
    s = sha(dataset, sender)
    bad = rng.random(len(desa)) < 0.03
    warn = (rng.random(len(desa)) < 0.04) & ~bad
    files = pd.Series([s] * int((~bad).sum()))
    sub = {"kunci_masuk": f"masuk/{TAHUN}/{dataset}/{sender}/x.xlsx", "sha256": s, "dataset": dataset, "tahun": TAHUN,
           "pengirim": sender, "kunci_arsip": f"arsip/{TAHUN}/{dataset}/{sender}/{s[:16]}.xlsx",
           "nama_berkas": f"{dataset}_{PROVINSI}.xlsx", "ukuran": 900_000, "diterima_pada": "2026-03-01T00:00:00+00:00",
           "status": "diterima_dengan_catatan", "baris_dibaca": len(desa), "baris_diterima": int((~bad).sum()),
           "baris_ditolak": int(bad.sum()), "kunci_laporan": None, "run_id": RUNS[0]}
    summary = pd.DataFrame({"run_id": RUNS[0], "dataset": dataset, "tahun": TAHUN,
                            "kode_desa": pd.concat([desa[bad], desa[warn]]).to_numpy(),
                            "aturan": ["KES-02"] * int(bad.sum()) + ["KES-04"] * int(warn.sum()),
                            "keparahan": ["error"] * int(bad.sum()) + ["warning"] * int(warn.sum()),
                            "tingkat": 1, "jumlah": 1, "sha256_berkas": s})
    issues = summary.assign(pengirim=sender, baris=range(2, 2 + len(summary)), kolom=None, pesan="Baris: nilai janggal.",
                            nilai=None, diharapkan=None).drop(columns=["run_id", "kode_desa", "jumlah"])
    quarantine = pd.DataFrame({"sha256_berkas": s, "baris": range(2, 2 + int(bad.sum())), "dataset": dataset,
                               "tahun": TAHUN, "kode_desa": desa[bad].to_numpy(), "isi": "{}",
                               "alasan": "KES-02: Baris: balita_stunting lebih dari balita_ditimbang."})
    return {"berkas": pd.DataFrame([sub]), "isu": issues, "ringkasan": summary, "karantina": quarantine,
            "data": _rows(dataset, desa[~bad], rng, files, "2026-03-01T00:00:00+00:00")}


def fill(url: str) -> dict[str, float]:
    """The warehouse as a province's cycle and the centre's components leave it; seconds per part."""
    from desa_cantik.coordination import LEVELS, aggregate
    from desa_cantik.datasets import all_indicators
    from desa_cantik.regions import desa_table
    from desa_cantik.storage import Warehouse
    from desa_cantik.storage.rows import Delivery

    rng = np.random.default_rng(5)
    wh = Warehouse(url)
    wh.create()
    took: dict[str, float] = {}
    t = time.perf_counter()
    desa = desa_table(PROVINSI)["kode_desa"]
    parts = [_desa_files("kependudukan", desa, rng), _desa_files("fasilitas", desa, rng),
             _region_file("proyeksi_penduduk", "BPS", desa, rng), _region_file("kesehatan_anak", f"{PROVINSI}-DINKES", desa, rng)]
    for name, part in zip(("kependudukan", "fasilitas", "proyeksi_penduduk", "kesehatan_anak"), parts, strict=True):
        wh.store_checked({name: part["data"]}, part["berkas"], part["isu"], part["karantina"], part["ringkasan"])
    took["berkas provinsi"] = time.perf_counter() - t
    t = time.perf_counter()
    master = desa_table("")
    inds = sorted(all_indicators())
    comps = pd.DataFrame({"tahun": TAHUN, "kode_desa": np.repeat(master["kode_desa"].to_numpy(), len(inds)),
                          "indikator": np.tile(inds, len(master))})
    keep = rng.random(len(comps)) < 0.96  # some desa never contributed: coverage below 100 %
    comps = comps[keep].assign(pembilang=rng.integers(1, 5000, int(keep.sum())).astype(float),
                               penyebut=rng.integers(1, 5000, int(keep.sum())).astype(float))
    provinces = sorted(master["kode_provinsi"].unique())
    wh.replace_components(TAHUN, "", comps.assign(sumber=comps["kode_desa"].str[:2], versi="20260401T000000Z"))
    took["komponen"] = time.perf_counter() - t
    t = time.perf_counter()
    wh.replace_indicators(TAHUN, "", aggregate(comps, master, TAHUN, list(LEVELS)))
    took["indikator"] = time.perf_counter() - t
    for i, kode in enumerate(provinces):
        if i % 9 == 8:
            continue  # never delivered
        versions = ["20260401T000000Z"] + (["20260402T000000Z"] if i % 5 == 0 else [])
        for v in versions:
            wh.record_delivery(Delivery(tahun=TAHUN, kode_pengirim=kode, versi=v, diterima_pada=f"{v[:4]}-04-0{v[7]}",
                                        status="diterima", alasan=None, kunci_arsip=f"arsip/{TAHUN}/paket/{kode}/{v}",
                                        baris_komponen=1000, run_id=RUNS[2]))
        if i % 4 == 0:
            wh.record_delivery(Delivery(tahun=TAHUN, kode_pengirim=kode, versi="20260330T000000Z",
                                        diterima_pada="2026-03-30", status="ditolak", alasan="tanda tangan tidak sah",
                                        kunci_arsip=f"arsip/{TAHUN}/paket/{kode}/x", baris_komponen=0, run_id=RUNS[2]))
    if wh.is_postgres:  # the statistics autovacuum gathers after a load; without them /pantau takes ~0.7 s
        import sqlalchemy as sa

        with wh.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return took


# --- timing the pages ----------------------------------------------------------------------------------


@contextmanager
def tier(plugin: ModuleType, env: dict[str, str]) -> Iterator[Any]:
    """The app serving one tier (its runtime made once, as the plugin does per process) to a user with every page."""
    from fastapi.testclient import TestClient

    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.peran import HALAMAN
    from desa_cantik.web import auth, deps

    plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses("bench", frozenset(HALAMAN))
    try:
        with deps.serving(Runtime.from_env(env)):  # the pages' runtime, made once for this tier
            yield TestClient(plugin.app, root_path="/desa-cantik")
    finally:
        plugin.app.dependency_overrides.clear()


def time_page(client: Any, path: str, runs: int = 5) -> tuple[float, float, int]:
    t = time.perf_counter()
    first = client.get(path)
    cold = time.perf_counter() - t
    if first.status_code != 200:
        raise RuntimeError(f"{path}: {first.status_code} {first.text[:300]}")
    warm = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get(path)
        warm.append(time.perf_counter() - t)
    return cold, statistics.median(warm), len(first.content)


def pages(url: str, home: Path) -> list[tuple[str, str, float, float, int]]:
    from desa_cantik.storage import Warehouse
    from tests.test_halaman import load_plugin  # the plugin as Airflow's loader imports it

    plugin = load_plugin()
    base = {"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_GUDANG": url, "DESA_CANTIK_OBJEK": f"file://{home / 'objek'}"}
    a_file = Warehouse(url).submissions_of_sender(TAHUN, "35.07.01.2001")[0].sha256
    rows = []
    kabupaten = ["/pantau", "/pantau/wilayah/35.07", "/pantau/wilayah/35.07.01", "/pantau/wilayah/35.07.01?hanya=ditolak",
                 "/pantau/desa/35.07.01.2001", "/temuan", "/temuan?wilayah=35.07.01", "/temuan/aturan/KEP-02",
                 "/indikator", "/indikator?tingkat=desa&indikator=jumlah_penduduk", "/paket", f"/berkas/{TAHUN}/{a_file}"]
    pusat = ["/pantau", "/indikator", "/indikator?tingkat=kabupaten", "/indikator?tingkat=desa&induk=35.07", "/paket",
             "/temuan"]
    for label, env, paths in (("provinsi sebagai satu tier (35)", {**base, "DESA_CANTIK_WILAYAH": PROVINSI}, kabupaten),
                              ("pusat", {**base, "DESA_CANTIK_TINGKAT": "pusat"}, pusat)):
        with tier(plugin, env) as client:
            for path in paths:
                cold, warm, size = time_page(client, path)
                rows.append((label, path, cold, warm, size))
                print(f"{label:<32} {path:<52} first {cold:6.3f} s  warm {warm:6.3f} s  {size / 1024:7.1f} KB", flush=True)
    return rows


@contextmanager
def postgres(admin_url: str) -> Iterator[str]:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"dc_bench_halaman_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(url: str, home: Path, fresh: bool) -> list[tuple[str, str, float, float, int]]:
    if fresh:
        took = fill(url)
        print("terisi: " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()), flush=True)
    return pages(url, home)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keep", type=Path, help="folder for the SQLite warehouse, reused when it exists")
    args = parser.parse_args()
    results: list[tuple[str, str, str, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = args.keep or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        db = home / "gudang.sqlite"
        fresh = not db.exists()
        results += [("sqlite", *r) for r in run(f"sqlite:///{db}", home, fresh)]
        pg = os.environ.get("DESA_CANTIK_BENCH_PG")
        if pg:
            with postgres(pg) as url:
                results += [("postgresql", *r) for r in run(url, home, True)]
    slow = [r for r in results if r[4] >= TARGET_S]
    print()
    print("| gudang | tier | halaman | pertama s | hangat s (median 5) | KB |")
    print("|---|---|---|---|---|---|")
    for db_kind, label, path, cold, warm, size in results:
        print(f"| {db_kind} | {label} | `{path}` | {cold:.3f} | {warm:.3f} | {size / 1024:.0f} |")
    print(f"\ntarget: every page warm < {TARGET_S} s: {'OK' if not slow else 'GAGAL: ' + ', '.join(r[2] for r in slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
