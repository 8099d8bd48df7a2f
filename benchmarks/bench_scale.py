"""The cycle at scale: the stages called directly on the embedded deployment (SQLite + a folder), per tier size.

For each region the synthetic cycle is generated (``desa_cantik.synthetic.generate``), put in a fresh
tier's inbox, and the stages run as the DAGs call them (``tests/test_stages.py``): the gate and store of
every batch, the close's cross-check, the coordination. Each region runs in its own process, so its
peak RSS is its own. Reported per region: seconds per stage, files, seconds per file, peak RSS, GX runs,
and the *floor* — what any gate must do with the same files: read them, parse them with pandas, one GX
run per dataset over all of them, and one bulk load of the accepted rows — measured in the same process
after the cycle (GX already imported).

A second part times one GX run on a 12-row batch with the master list of Malang (35.07, 390 desa),
East Java (35, 8,494) and all of Indonesia (83,762): the cost of a run must not depend on the region.

Targets (2 cores; they decide the exit code):

- every tier's cycle (gate + cross-check + coordinate) <= 2x its floor, above one kecamatan (a
  kecamatan's cycle is a few runs of fixed cost: reported, not judged);
- cost linear in files: seconds per file of the largest region <= 1.5x Malang's, and the fitted exponent b of
  seconds ~ files^b over the regions above one kecamatan <= 1.05;
- region 35 (East Java as one tier, ``--wilayah 35``, ~10 minutes with generation) < 4 minutes, peak RSS < 1 GB;
- a GX run with the national master list <= 1.5x the same run with Malang's.

All hold on the 2-core build machine (2026-11-26: Malang 1.78x, Aceh Utara 1.75x, region 35 1.86x its floor,
122 s, 446 MB, exponent 0.963); benchmarks/README.md has the numbers before and after each change. ``make
bench`` runs the three default regions and region 35 (~5 minutes more with its generation).

Usage::

    .venv/bin/python benchmarks/bench_scale.py                      # 35.07.01, 35.07, 11.08 + master lists
    .venv/bin/python benchmarks/bench_scale.py --wilayah 35.07 --no-lists
    .venv/bin/python benchmarks/bench_scale.py --json /tmp/after.json   # also the warehouse fingerprints
    .venv/bin/python benchmarks/bench_scale.py --wilayah 35.07 --kiriman 35.07=/tmp/kiriman --json /tmp/b.json
    .venv/bin/python benchmarks/bench_scale.py --profile-gate /tmp/p.out   # one validate_batch, 390 files

``11.08`` is Kabupaten Aceh Utara (852 desa, the most of any kabupaten). File times in the inbox are fixed,
so two runs on the same files give the same warehouse: ``--json`` records its fingerprint per table
(``Warehouse.fingerprint``), to compare a change's before and after. Generated XLSX files carry their
creation time, so compare on the same files (``--kiriman``), not on a second generation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")

import pandas as pd

TAHUN = 2025
RUN = "bench__2026-03-31"
DEFAULT_REGIONS = ("35.07.01", "35.07", "11.08")
FIXED_MTIME = 1_767_225_600  # 2026-01-01T00:00:00Z: every inbox file's arrival time, for reproducible keys
CYCLE_VS_FLOOR = 2.0
PER_FILE_GROWTH = 1.5
LIST_GROWTH = 1.5
GROWTH_EXPONENT = 1.05  # seconds ~ files^b between Malang and the largest region: cost linear in files
PROVINCE_S, PROVINCE_RSS_MB = 240.0, 1024.0  # region 35 (East Java, 16,990 files) as one tier


@contextmanager
def counting_gx() -> Iterator[dict[str, float]]:
    """Count and time every GX run (``quality.run_suite``) made inside the block."""
    from desa_cantik import quality

    original = quality.run_suite
    stats = {"runs": 0, "seconds": 0.0}

    def counted(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            stats["runs"] += 1
            stats["seconds"] += time.perf_counter() - t

    quality.run_suite = counted
    try:
        yield stats
    finally:
        quality.run_suite = original


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _warm() -> None:
    """Import GX and build its context once, outside every timing."""
    from desa_cantik.datasets import get_dataset
    from desa_cantik.intake import Provenance, read_submission
    from desa_cantik.quality import GateContext, validate_batch

    data = b"kode_desa,tahun\n35.07.01.2001,2025\n"
    sub = read_submission(data, get_dataset("proyeksi_penduduk"), Provenance.of(data, "x.csv"), TAHUN)
    validate_batch([sub], GateContext(TAHUN, ["35.07.01.2001"]), ["35.07"])


def floor(rt: Any) -> dict[str, float]:
    """Read every inbox file, parse it, one GX run per dataset over all of them, one bulk load per dataset."""
    from desa_cantik.cycle.checks import gate_context
    from desa_cantik.datasets import get_dataset
    from desa_cantik.intake import ROW, Provenance, read_submission
    from desa_cantik.pengirim import sender_region
    from desa_cantik.quality import validate_batch
    from desa_cantik.storage import Warehouse, layout

    keys = [o.key for o in rt.store.list(layout.inbox_prefix(rt.tahun))]
    t0 = time.perf_counter()
    blobs = [(k, rt.store.get(k)) for k in keys]
    t_read = time.perf_counter() - t0
    by_ds: dict[str, list[tuple[str, Any]]] = {}
    t0 = time.perf_counter()
    for key, data in blobs:
        parsed = layout.parse_inbox_key(key)
        if parsed is None or parsed.dataset not in rt.daftar.datasets:
            continue
        sub = read_submission(data, get_dataset(parsed.dataset), Provenance.of(data, key), rt.tahun)
        by_ds.setdefault(parsed.dataset, []).append((sender_region(rt, parsed.dataset, parsed.pengirim), sub))
    t_parse = time.perf_counter() - t0
    ctx = gate_context(rt)
    t0 = time.perf_counter()
    verdicts = {ds: validate_batch([s for _, s in pairs], ctx, [w for w, _ in pairs]) for ds, pairs in by_ds.items()}
    t_gx = time.perf_counter() - t0
    frames = {}
    for ds, vs in verdicts.items():
        parts = [v.accepted.assign(baris_berkas=v.submission.table.loc[~v.submission.table[ROW].isin(v.rejected[ROW]),
                                                                       ROW].to_numpy(),
                                   sha256_berkas=v.submission.provenance.sha256, diterima_pada="2026-01-01T00:00:00+00:00")
                 for v in vs if v.rows_accepted]
        if parts:
            frames[ds] = pd.concat(parts, ignore_index=True)
    with tempfile.TemporaryDirectory(prefix="dc-floor-") as tmp:
        scratch = Warehouse(f"sqlite:///{tmp}/gudang.sqlite")
        scratch.create()
        t_load = sum(timed(lambda ds=ds, f=f: scratch.replace_rows(ds, f)) for ds, f in frames.items())  # type: ignore[misc]
        scratch.engine.dispose()
    return {"baca": t_read, "parse": t_parse, "gx": t_gx, "muat": t_load, "total": t_read + t_parse + t_gx + t_load}


def run_one(kode: str, generated: Path, home: Path) -> dict[str, Any]:
    """The cycle of one region, in this process: what the subprocess reports as JSON."""
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.cycle.inbox import collect_batch, plan_batches, upload_folder
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.cycle.store import store_bundle

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": kode,
                           "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}"})
    files = upload_folder(rt.store, generated, TAHUN)
    for p in (home / "objek").rglob("*"):
        if p.is_file():
            os.utime(p, (FIXED_MTIME, FIXED_MTIME))
    _warm()

    def gate_and_store() -> None:
        for batch in plan_batches(rt):
            store_bundle(rt, validate_collected(rt, collect_batch(rt, batch), RUN))

    with counting_gx() as gx:
        t_gate = timed(gate_and_store)
        gx_gate = dict(gx)
        print(f"{kode}: gerbang {t_gate:.1f} s, {gx['runs']} GX runs", file=sys.stderr, flush=True)
        t_cross = timed(lambda: cross_check(rt, RUN))
        print(f"{kode}: cek silang {t_cross:.1f} s", file=sys.stderr, flush=True)
        t_coord = timed(lambda: coordinate(rt))
    rss_cycle = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fl = floor(rt)
    total = t_gate + t_cross + t_coord
    return {"wilayah": kode, "berkas": files, "gerbang": t_gate, "cek_silang": t_cross, "koordinasi": t_coord,
            "siklus": total, "detik_per_berkas": total / files, "rss_mb": rss_cycle,
            "gx_runs": gx["runs"], "gx_runs_gerbang": gx_gate["runs"], "gx_detik": gx["seconds"], "lantai": fl,
            "sidik": rt.warehouse.fingerprint()}


def run_lists() -> dict[str, Any]:
    """One GX run on the same 12-row batch, with master lists of growing size (median of 3 runs)."""
    import statistics

    from desa_cantik.datasets import get_dataset
    from desa_cantik.intake import Provenance, read_submission
    from desa_cantik.quality import GateContext, validate_batch
    from desa_cantik.regions import desa_table

    _warm()
    codes = desa_table("35.07.01")["kode_desa"].tolist()[:12]
    text = "kode_desa,tahun,proyeksi_penduduk\n" + "".join(f"{k},{TAHUN},{1000 + i}\n" for i, k in enumerate(codes))
    data = text.encode()
    sub = read_submission(data, get_dataset("proyeksi_penduduk"), Provenance.of(data, "p.csv"), TAHUN)
    out: dict[str, Any] = {}
    for name, kode in (("Malang (35.07)", "35.07"), ("Jawa Timur (35)", "35"), ("Indonesia", "")):
        ctx = GateContext(TAHUN, desa_table(kode)["kode_desa"].tolist(), [])
        validate_batch([sub], ctx, ["35.07"])
        runs = [timed(lambda ctx=ctx: validate_batch([sub], ctx, ["35.07"])) for _ in range(3)]  # type: ignore[misc]
        out[name] = {"desa": len(ctx.kode_desa_wilayah), "detik": statistics.median(runs)}
    return out


def profile_gate(out: Path, seed: int) -> None:
    """cProfile one ``validate_batch`` of Malang's 390 kependudukan files (one GX run) into ``out``."""
    import cProfile

    from desa_cantik.datasets import get_dataset
    from desa_cantik.intake import Provenance, read_submission
    from desa_cantik.quality import GateContext, validate_batch
    from desa_cantik.regions import desa_table
    from desa_cantik.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="dc-profil-") as tmp:
        folder = Path(tmp)
        generate("35.07", TAHUN, folder, seed=seed, error_rate=0.05)
        files = sorted(p for p in (folder / "kependudukan").rglob("*") if p.is_file())
        spec = get_dataset("kependudukan")
        subs = [read_submission(p.read_bytes(), spec, Provenance.of(p.read_bytes(), p.name), TAHUN) for p in files]
    senders = [p.parent.name for p in files]
    ctx = GateContext(TAHUN, desa_table("35.07")["kode_desa"].tolist(), ["35.07-DINKES"])
    _warm()
    print(f"validate_batch, {len(subs)} berkas: {timed(lambda: validate_batch(subs, ctx, senders)):.2f} s")
    profiler = cProfile.Profile()
    profiler.runcall(validate_batch, subs, ctx, senders)
    profiler.dump_stats(str(out))
    print(f"profil: {out} (python -m pstats {out})")


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{args}: gagal")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _table(rows: list[dict[str, Any]]) -> str:
    head = ("| wilayah | berkas | gerbang s | cek silang s | koordinasi s | siklus s | ms/berkas | lantai s | "
            "siklus/lantai | RSS puncak MB | GX runs |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        fl = r["lantai"]["total"]
        lines.append(f"| {r['wilayah']} | {r['berkas']} | {r['gerbang']:.1f} | {r['cek_silang']:.1f} | "
                     f"{r['koordinasi']:.2f} | {r['siklus']:.1f} | {1000 * r['detik_per_berkas']:.1f} | {fl:.1f} | "
                     f"{r['siklus'] / fl:.2f} | {r['rss_mb']:.0f} | {r['gx_runs']} ({r['gx_runs_gerbang']} gerbang) |")
    return "\n".join(lines)


def growth_exponent(rows: list[dict[str, Any]]) -> float | None:
    """The exponent b of seconds = a * files^b, least squares on logs (None with fewer than two sizes)."""
    import math

    points = [(math.log(r["berkas"]), math.log(r["siklus"])) for r in rows if r["berkas"] and r["siklus"] > 0]
    if len({x for x, _ in points}) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def _judge(rows: list[dict[str, Any]], lists: dict[str, Any] | None) -> bool:
    ok = True
    for r in rows:
        ratio = r["siklus"] / r["lantai"]["total"]
        if r["wilayah"].count(".") == 2:
            print(f"{r['wilayah']}: siklus/lantai {ratio:.2f} (satu kecamatan: tidak dinilai)")
            continue
        print(f"{r['wilayah']}: siklus/lantai {ratio:.2f} (target <= {CYCLE_VS_FLOOR})")
        ok &= ratio <= CYCLE_VS_FLOOR
    base = next((r for r in rows if r["wilayah"] == "35.07"), None)
    largest = max(rows, key=lambda r: r["berkas"])
    if base is not None and largest is not base:
        growth = largest["detik_per_berkas"] / base["detik_per_berkas"]
        print(f"detik/berkas {largest['wilayah']} vs 35.07: {growth:.2f}x (target <= {PER_FILE_GROWTH})")
        ok &= growth <= PER_FILE_GROWTH
    fitted = growth_exponent([r for r in rows if r["wilayah"].count(".") < 2])
    if fitted is not None:
        print(f"pertumbuhan: siklus ~ berkas^{fitted:.3f} (kuadrat terkecil log-log, {len(rows)} wilayah; "
              f"target <= {GROWTH_EXPONENT})")
        ok &= fitted <= GROWTH_EXPONENT
    for r in rows:
        if r["wilayah"] == "35":  # a province's whole cycle as one tier
            print(f"35 sebagai satu tingkat: {r['siklus']:.0f} s (target < {PROVINCE_S}), RSS puncak {r['rss_mb']:.0f} MB "
                  f"(target < {PROVINCE_RSS_MB})")
            ok &= r["siklus"] < PROVINCE_S and r["rss_mb"] < PROVINCE_RSS_MB
    if lists:
        for name, v in lists.items():
            print(f"GX run, 12 baris, daftar desa {name} ({v['desa']} desa): {v['detik']:.3f} s")
        growth = lists["Indonesia"]["detik"] / lists["Malang (35.07)"]["detik"]
        print(f"daftar nasional vs Malang: {growth:.2f}x (target <= {LIST_GROWTH})")
        ok &= growth <= LIST_GROWTH
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--wilayah", action="append", help="region code (repeatable); default: " + ", ".join(DEFAULT_REGIONS))
    parser.add_argument("--no-lists", action="store_true", help="skip the master-list part")
    parser.add_argument("--json", type=Path, help="write every number (and the warehouse fingerprints) here")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--kiriman", action="append", default=[], metavar="KODE=FOLDER",
                        help="use files generated earlier for this region (XLSX files carry their creation time, "
                             "so only the same files give the same warehouse)")
    parser.add_argument("--one", nargs=3, metavar=("KODE", "KIRIMAN", "HOME"), help=argparse.SUPPRESS)
    parser.add_argument("--lists-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-gate", type=Path, metavar="OUT",
                        help="only cProfile one validate_batch of Malang's 390 kependudukan files into OUT")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]), Path(args.one[2]))))
        return 0
    if args.profile_gate:
        profile_gate(args.profile_gate, args.seed)
        return 0
    if args.lists_only:
        print(json.dumps(run_lists()))
        return 0
    from desa_cantik.synthetic import generate

    given = dict(k.split("=", 1) for k in args.kiriman)
    rows = []
    for kode in args.wilayah or DEFAULT_REGIONS:
        work = Path(tempfile.mkdtemp(prefix=f"dc-bench-{kode}-"))
        kiriman = Path(given[kode]) if kode in given else work / "kiriman"
        if kode not in given:
            generate(kode, TAHUN, kiriman, seed=args.seed, error_rate=0.05)
        try:
            rows.append(_child(["--one", kode, str(kiriman), str(work / "home")]))
        finally:
            shutil.rmtree(work, ignore_errors=True)  # the generated files (unless given) and the tier's home
        print(f"{kode}: {rows[-1]['berkas']} berkas, siklus {rows[-1]['siklus']:.1f} s", file=sys.stderr)
    lists = None if args.no_lists else _child(["--lists-only"])
    print(_table(rows))
    ok = _judge(rows, lists)
    if args.json:
        args.json.write_text(json.dumps({"wilayah": rows, "daftar": lists}, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
