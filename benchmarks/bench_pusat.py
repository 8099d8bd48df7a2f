"""The centre's cycle at full size: 38 province packages (every desa of Indonesia), stage by stage.

Each province's package is made by the real code: a province tier (SQLite + a folder) holds components
for every one of its desa (delivered by its kabupaten/kota: ``pengiriman_paket`` rows, components in the
warehouse), runs ``coordinate`` and ``publish``, and signs with its own Ed25519 key (``bags.generate_key``,
what ``python -m desa_cantik keygen`` calls). The components are synthetic (seeded): 83,762 desa x 9
indicators = 753,858 rows. The packages and keys are written once under ``--paket`` (reused when present),
so a before/after comparison runs on the same bytes.

The pusat run is its own process, so its peak RSS (``getrusage``) is its own: the packages are put in a
fresh pusat tier's inbox (arrival times fixed), and the stages run as the DAGs call them: plan, collect every
batch, validate every batch, store every batch (``gate_submissions``), ``cross_check``, ``coordinate``,
``publish``. GX is imported before the timing (every gate task pays that import, whatever the size). The
*floor*, measured in the same process after the cycle, is the issue's "read + pandas parse + one GX run per
dataset + COPY": read every package's ``komponen_desa.csv`` with pandas, one GX run of the package suite
(``expectations/paket/komponen_desa.json``, derived columns included) over all of them at once, one bulk load
into a scratch warehouse of the same kind (COPY on PostgreSQL), and one groupby aggregation. The ratio is also
given against the floor without its GX run (``lantai tanpa GX``), the floor this script measured before.

Targets (2 cores; they decide the exit code): the cycle < 20 s, peak RSS < 1 GB, the cycle <= 2x its floor.
Reported as well: the warehouse fingerprint (``Warehouse.fingerprint``) and the sha256 of every file of the
centre's package, to compare a change's before and after (``--json``).

Per stage the script also reports the CPU seconds of the process (what a busy machine inflates least;
PostgreSQL's own work is not in them) and the peak RSS after it. Beside the floor it measures the *output floor*
(``keluaran``): what the cycle must produce, done once the plain way (the cycle's 824k indicator rows bulk-loaded
into the scratch warehouse, components and indicators written as CSV by pandas, both hashed). That is about 2x
the issue's floor by itself, so the floor target cannot hold at the centre (about 5-6x on both warehouses);
the cycle against floor + output floor is printed too (about 1.7-1.8x). See benchmarks/README.md, "Fourth
pass".

Usage::

    .venv/bin/python benchmarks/bench_pusat.py                          # SQLite + folder
    DESA_CANTIK_BENCH_PG=postgresql+psycopg2://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_pusat.py
    .venv/bin/python benchmarks/bench_pusat.py --paket /tmp/paket38 --json /tmp/sesudah.json   # keep the packages
    .venv/bin/python benchmarks/bench_pusat.py --paket /tmp/paket38 --runs 3 --banding /tmp/sebelum.json
    .venv/bin/python benchmarks/bench_pusat.py --paket /tmp/paket38 --profile /tmp/pusat.prof  # cProfile the cycle
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np
import pandas as pd

TAHUN = 2025
RUN = "bench__2026-04-30"
KAB_VERSION = "20260320T000000Z"  # the kabupaten/kota packages the provinces hold
PROVINCE_MADE = "2026-04-01T00:00:00+00:00"  # every province package's signed creation time (its version)
CENTRE_MADE = "2026-04-30T00:00:00+00:00"
FIXED_MTIME = 1_775_001_600  # 2026-04-01T00:00:00Z: arrival time of every inbox file, for reproducible rows
MAX_SECONDS = 20.0
MAX_RSS_MB = 1024.0
CYCLE_VS_FLOOR = 2.0
STAGES = ("rencana", "arsip", "validasi", "simpan", "cek_silang", "koordinasi", "publikasi")


def rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_now_mb() -> float:
    """Resident memory now (Linux), to see what a stage leaves behind."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return float("nan")


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# --- the province packages -----------------------------------------------------------------------------


def synthetic_components(master: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Every indicator for every desa: plausible counts, a denominator of 1 where the indicator has none."""
    from desa_cantik.datasets import all_indicators

    rng = np.random.default_rng(seed)
    n = len(master)
    parts = []
    for ind in all_indicators().values():
        if ind.penyebut:
            den = rng.integers(20, 9000, n).astype("float64")
            num = np.floor(den * rng.uniform(0.0, 1.2, n))
        else:
            den, num = np.ones(n), rng.integers(300, 15000, n).astype("float64")
        parts.append(pd.DataFrame({"kode_desa": master["kode_desa"].to_numpy(), "indikator": ind.kode,
                                   "pembilang": num, "penyebut": den}))
    return pd.concat(parts, ignore_index=True).sort_values(["kode_desa", "indikator"], ignore_index=True)


def build_province(kode: str, out: Path, work: Path, seed: int) -> int:
    """One province's signed package, made by the province tier's own coordinate and publish."""
    from desa_cantik.bags import generate_key
    from desa_cantik.coordination import master_for
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publish import publish
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage import layout
    from desa_cantik.storage.rows import Delivery

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(work), "DESA_CANTIK_TINGKAT": "provinsi",
                           "DESA_CANTIK_WILAYAH": kode, "DESA_CANTIK_KUNCI": str(out / "kunci")})
    if not (out / "kunci" / f"{kode}.key").is_file():
        generate_key(out / "kunci", kode)
    master = master_for(kode)
    comps = synthetic_components(master, seed)
    kab = comps["kode_desa"].str[:5]
    rt.warehouse.replace_components(TAHUN, kode, comps.assign(tahun=TAHUN, sumber=kab, versi=KAB_VERSION))
    for child, n in kab.value_counts().sort_index().items():
        rt.warehouse.record_delivery(Delivery(
            tahun=TAHUN, kode_pengirim=str(child), versi=KAB_VERSION, diterima_pada="2026-03-20T01:00:00+00:00",
            status="diterima", alasan=None, baris_komponen=int(n), run_id="bench",
            kunci_arsip=layout.package_archive(TAHUN, str(child), KAB_VERSION)))
    coordinate(rt)
    published = publish(rt, PROVINCE_MADE)
    assert published["status"] == "terbit"
    versi = published["versi"]
    shutil.copytree(work / "objek" / layout.publication(TAHUN, kode, versi), out / "paket" / kode / versi)
    rt.warehouse.engine.dispose()
    return len(comps)


def build_packages(out: Path, seed: int) -> None:
    """All 38 provinces' packages and keys under ``out`` (``paket/{kode}/{versi}/``, ``kunci/``)."""
    from desa_cantik.regions import children

    t0 = time.perf_counter()
    rows = 0
    with tempfile.TemporaryDirectory(prefix="dc-prov-") as tmp:
        for i, prov in enumerate(children(None)):
            rows += build_province(prov.kode, out, Path(tmp) / prov.kode, seed + i)
            print(f"paket {prov.kode} ({prov.nama}) siap", file=sys.stderr, flush=True)
    centre_key(out)
    (out / "SIAP").write_text(f"{rows}\n")
    print(f"38 paket provinsi, {rows} baris komponen: {time.perf_counter() - t0:.0f} s", file=sys.stderr)


# --- the centre ----------------------------------------------------------------------------------------


def centre_key(out: Path) -> Path:
    """The centre's own signing key, kept with the packages so its package's bytes repeat run after run."""
    from desa_cantik.bags import generate_key

    if not (out / "kunci" / "ID.key").is_file():
        generate_key(out / "kunci", "ID")
    return out / "kunci" / "ID.key"


def _warm() -> None:
    """Import GX and build its context once, outside every timing (each gate task pays this import)."""
    from desa_cantik.cycle.packages import content_problem

    content_problem(pd.DataFrame({"kode_desa": ["35.07.01.2001"], "indikator": ["jumlah_penduduk"],
                                  "pembilang": [1.0], "penyebut": [1.0]}), "35.07")


def centre(home: Path, paket: Path, gudang: str) -> Any:
    """A fresh pusat tier whose inbox holds the 38 packages and whose key registry knows their senders."""
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage import layout

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_TINGKAT": "pusat", "DESA_CANTIK_GUDANG": gudang,
                           "DESA_CANTIK_KUNCI": str(home / "kunci")})
    registry = home / "kunci" / "kunci_publik"
    registry.mkdir(parents=True)
    shutil.copy(centre_key(paket), home / "kunci" / "ID.key")
    for pub in (paket / "kunci").glob("*.pub"):
        if pub.stem != "ID":
            shutil.copy(pub, registry / pub.name)
    inbox = home / "objek" / layout.package_inbox_prefix(TAHUN)
    shutil.copytree(paket / "paket", inbox)
    for p in inbox.rglob("*"):
        os.utime(p, (FIXED_MTIME, FIXED_MTIME))
    return rt


def floor(rt: Any, gudang: str) -> dict[str, float]:
    """Read every package's components with pandas, one GX run of the package suite over all of them, one bulk
    load into a scratch warehouse, one groupby. ``tanpa_gx``: the same without the GX run."""
    from desa_cantik.cycle.packages import content_problem
    from desa_cantik.storage import COMPONENTS, Warehouse, layout

    keys = [o.key for o in rt.store.list(layout.package_inbox_prefix(TAHUN)) if o.key.endswith("data/komponen_desa.csv")]
    t0, c0 = time.perf_counter(), time.process_time()
    frames = [pd.read_csv(io.BytesIO(rt.store.get(k)), dtype={"kode_desa": str, "indikator": str}) for k in keys]
    comps = pd.concat(frames, ignore_index=True)
    t_read = time.perf_counter() - t0
    t0, c_gx = time.perf_counter(), time.process_time()
    reason = content_problem(comps, "")  # the country's master list: the cycle has already listed it (cached)
    t_gx, c_gx = time.perf_counter() - t0, time.process_time() - c_gx
    if reason is not None:
        raise SystemExit(f"lantai: komponen ditolak: {reason}")
    comps = comps.assign(tahun=TAHUN, sumber=comps["kode_desa"].str[:2], versi="x")
    scratch = Warehouse(gudang)
    scratch.create()
    c_read, c0 = time.process_time() - c0 - c_gx, time.process_time()
    t0 = time.perf_counter()
    with scratch.engine.begin() as conn:
        scratch._bulk_insert(conn, COMPONENTS, comps)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    comps.groupby(["indikator", comps["kode_desa"].str[:2]])[["pembilang", "penyebut"]].sum()
    t_agg = time.perf_counter() - t0
    c_rest = time.process_time() - c0
    out = _output_floor(rt, scratch, comps.drop(columns=["tahun", "sumber", "versi"]))
    scratch.engine.dispose()
    return {"baca": t_read, "gx": t_gx, "muat": t_load, "agregasi": t_agg, "total": t_read + t_gx + t_load + t_agg,
            "tanpa_gx": t_read + t_load + t_agg, "baris": len(comps), "cpu": c_read + c_gx + c_rest,
            "cpu_tanpa_gx": c_read + c_rest, **out}


def _output_floor(rt: Any, scratch: Any, comps: pd.DataFrame) -> dict[str, float]:
    """What the cycle must produce beyond the issue's floor, done once the plain way: the indicator table (the
    cycle's own rows, read untimed) bulk-loaded into the scratch warehouse, the components and the indicators
    written as CSV by pandas, and both hashed (the bag's manifest). Not part of the target's floor: reported beside
    it, to show how much of the cycle is work any implementation must do."""
    from desa_cantik.storage import INDICATORS

    inds = rt.warehouse.indicators(TAHUN)
    t0, c0 = time.perf_counter(), time.process_time()
    with scratch.engine.begin() as conn:
        scratch._bulk_insert(conn, INDICATORS, inds)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    files = [comps.to_csv(index=False).encode(), inds.to_csv(index=False).encode()]
    t_csv = time.perf_counter() - t0
    t0 = time.perf_counter()
    for data in files:
        hashlib.sha256(data).hexdigest()
    t_hash = time.perf_counter() - t0
    return {"keluaran_muat": t_load, "keluaran_csv": t_csv, "keluaran_hash": t_hash,
            "keluaran": t_load + t_csv + t_hash, "keluaran_cpu": time.process_time() - c0}


def run_cycle(rt: Any) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The stages as ``gate_submissions`` and the yearly DAG call them: seconds, CPU seconds of this process
    (what the machine's other load does not inflate; PostgreSQL's own work is not in it), peak RSS after each."""
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.cycle.inbox import collect_batch, plan_batches
    from desa_cantik.cycle.publish import publish
    from desa_cantik.cycle.store import store_bundle

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    rss: dict[str, float] = {}
    state: dict[str, Any] = {}

    def stage(name: str, fn: Callable[[], object]) -> None:
        t, c = time.perf_counter(), time.process_time()
        state[name] = fn()
        seconds[name], cpu[name] = time.perf_counter() - t, time.process_time() - c
        rss[name] = rss_mb()
        print(f"  {name}: {seconds[name]:.2f} s (CPU {cpu[name]:.2f} s), RSS puncak {rss[name]:.0f} MB "
              f"(kini {rss_now_mb():.0f} MB)", file=sys.stderr, flush=True)

    stage("rencana", lambda: plan_batches(rt))
    stage("arsip", lambda: [collect_batch(rt, b) for b in state["rencana"]])
    stage("validasi", lambda: [validate_collected(rt, c, RUN) for c in state["arsip"]])
    stage("simpan", lambda: [store_bundle(rt, v) for v in state["validasi"]])
    stage("cek_silang", lambda: cross_check(rt, RUN))
    stage("koordinasi", lambda: coordinate(rt))
    stage("publikasi", lambda: publish(rt, CENTRE_MADE))
    refused = [r for v in state["validasi"] for r in (v.get("alasan") or {}).values()]
    if sum(v["status"].get("diterima", 0) for v in state["validasi"]) != 38 or refused:
        raise SystemExit(f"{len(state['validasi'])} batch, ditolak: {refused[:3]}")
    return seconds, cpu, rss


def package_digests(rt: Any) -> dict[str, str]:
    """sha256 of every file of the centre's newest package (deterministic: fixed creation time, same key)."""
    from desa_cantik.storage import layout

    prefix = layout.publication(TAHUN, "ID", layout.stamp(pd.Timestamp(CENTRE_MADE).to_pydatetime())) + "/"
    return {o.key.removeprefix(prefix): hashlib.sha256(rt.store.get(o.key)).hexdigest()[:16]
            for o in rt.store.list(prefix)}


@contextmanager
def scratch_database(admin_url: str, name: str) -> Iterator[str]:
    """A PostgreSQL database created for the run and dropped after it."""
    import sqlalchemy as sa

    from desa_cantik.storage import migrasi

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        migrasi.upgrade(url)  # as a server's init does before its tasks run
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_one(paket: Path, home: Path, kind: str, profile: Path | None) -> dict[str, Any]:
    """The centre's cycle in this process: what the subprocess reports as JSON."""
    pg = os.environ.get("DESA_CANTIK_BENCH_PG", "")

    def database(name: str) -> AbstractContextManager[str]:
        if kind == "postgresql":
            return scratch_database(pg, f"dc_bench_{name}")
        return nullcontext(f"sqlite:///{home / name}.sqlite")

    with database("pusat") as gudang, database("lantai") as lantai:
        rt = centre(home, paket, gudang)
        _warm()
        rss_start = rss_mb()
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            seconds, cpu, rss = profiler.runcall(run_cycle, rt)
            profiler.dump_stats(str(profile))
        else:
            seconds, cpu, rss = run_cycle(rt)
        peak = rss_mb()
        fl = floor(rt, lantai)
        out = {"gudang": kind, "detik": seconds, "cpu": cpu, "rss_tahap": rss, "rss_awal_mb": rss_start,
               "rss_mb": peak, "siklus": sum(seconds.values()), "siklus_cpu": sum(cpu.values()), "lantai": fl,
               "sidik": rt.warehouse.fingerprint(), "paket": package_digests(rt)}
        rt.warehouse.engine.dispose()
    return out


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{args}: gagal")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _measure(paket: Path, work: Path, kind: str, runs: int, profile: Path | None) -> dict[str, Any]:
    """``runs`` cycles on one kind of warehouse, each in a fresh process and tier: the one with the median cycle."""
    extra = ["--profile", str(profile)] if profile and kind == "sqlite" else []
    done = []
    for i in range(max(runs, 1)):
        print(f"pusat, {kind}, run {i + 1}:", file=sys.stderr, flush=True)
        done.append(_child(["--one", str(paket), str(work / f"pusat-{kind}-{i}"), kind, *extra]))
    done.sort(key=lambda r: float(r["siklus"]))
    return {**done[len(done) // 2], "ulang": [round(float(r["siklus"]), 2) for r in done]}


def _compare(rows: list[dict[str, Any]], path: Path) -> None:
    """Whether the warehouse (fingerprint) and the package (every file's sha256) are an earlier run's."""
    before = {r["gudang"]: r for r in json.loads(path.read_text(encoding="utf-8"))["pusat"]}
    for r in rows:
        if r["gudang"] in before:
            b = before[r["gudang"]]
            print(f"{r['gudang']} vs {path}: gudang {'sama' if b['sidik'] == r['sidik'] else 'BERBEDA'}, "
                  f"paket {'sama' if b['paket'] == r['paket'] else 'BERBEDA'}")


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("| gudang | " + " | ".join(f"{s} s" for s in STAGES) +
            " | siklus s | lantai s (GX s) | siklus/lantai | siklus/lantai tanpa GX | CPU siklus/lantai | keluaran s |"
            " siklus/(lantai+keluaran) | RSS puncak MB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        fl = r["lantai"]
        cells = " | ".join(f"{r['detik'][s]:.2f}" for s in STAGES)
        lines.append(f"| {r['gudang']} | {cells} | {r['siklus']:.1f} | {fl['total']:.1f} ({fl['gx']:.2f}) | "
                     f"{r['siklus'] / fl['total']:.2f} | {r['siklus'] / fl['tanpa_gx']:.2f} | "
                     f"{r['siklus_cpu'] / fl['cpu']:.2f} | {fl['keluaran']:.1f} | "
                     f"{r['siklus'] / (fl['total'] + fl['keluaran']):.2f} | {r['rss_mb']:.0f} |")
    return "\n".join(lines)


def _judge(rows: list[dict[str, Any]]) -> bool:
    ok = True
    for r in rows:
        ratio = r["siklus"] / r["lantai"]["total"]
        print(f"{r['gudang']}: siklus {r['siklus']:.1f} s (target < {MAX_SECONDS:.0f}), RSS puncak {r['rss_mb']:.0f} MB "
              f"(target < {MAX_RSS_MB:.0f}), siklus/lantai {ratio:.2f} (target <= {CYCLE_VS_FLOOR}; "
              f"tanpa GX di lantai {r['siklus'] / r['lantai']['tanpa_gx']:.2f}; terhadap lantai + keluaran "
              f"{r['siklus'] / (r['lantai']['total'] + r['lantai']['keluaran']):.2f})")
        ok &= r["siklus"] < MAX_SECONDS and r["rss_mb"] < MAX_RSS_MB and ratio <= CYCLE_VS_FLOOR
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--paket", type=Path, help="folder of the 38 packages and keys: built there if absent, then kept")
    parser.add_argument("--json", type=Path, help="write every number, the fingerprints and package digests here")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL even if DESA_CANTIK_BENCH_PG is set")
    parser.add_argument("--runs", type=int, default=1, help="runs per warehouse; the one with the median cycle is kept")
    parser.add_argument("--banding", type=Path, metavar="BEFORE_JSON",
                        help="an earlier --json: say whether the warehouse and the package are the same as there")
    parser.add_argument("--profile", type=Path, metavar="OUT", help="cProfile the centre's cycle (SQLite) into OUT")
    parser.add_argument("--one", nargs=3, metavar=("PAKET", "HOME", "GUDANG"), help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build_packages(args.build, args.seed)
        return 0
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), Path(args.one[1]), args.one[2], args.profile)))
        return 0
    work = Path(tempfile.mkdtemp(prefix="dc-bench-pusat-"))
    try:
        paket = args.paket or work / "paket"
        build = [sys.executable, __file__, "--build", str(paket), "--seed", str(args.seed)]
        if not (paket / "SIAP").is_file() and subprocess.run(build, check=False).returncode:
            raise SystemExit("paket provinsi gagal dibuat")
        kinds = ["sqlite"] + (["postgresql"] if os.environ.get("DESA_CANTIK_BENCH_PG") and not args.no_pg else [])
        rows = [_measure(paket, work, kind, args.runs, args.profile) for kind in kinds]
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the tiers' homes (and the packages, unless --paket)
    print(_table(rows))
    ok = _judge(rows)
    if len(rows) == 2:
        same = rows[0]["sidik"] == rows[1]["sidik"] and rows[0]["paket"] == rows[1]["paket"]
        print(f"SQLite dan PostgreSQL: gudang dan paket {'sama' if same else 'BERBEDA'}")
    if args.banding:
        _compare(rows, args.banding)
    if args.json:
        args.json.write_text(json.dumps({"pusat": rows}, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
