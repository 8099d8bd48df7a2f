"""The operator's pre-check (``python -m desa_cantik validate``): one file cold vs a kecamatan's folder in one call.

- cold: one file, one process (``validate FILE --region KODE_DESA``): Python, pandas and the GX import, then one
  GX run. What every call cost before several files could be given at once.
- folder: one process over a kecamatan's generated folder (``validate FOLDER``, each desa file checked as its
  pengirim folder says): the same start-up once, then one GX run per dataset.
- warm: the same folder again inside a process that has already checked a file (``cli.main``), the cost a
  second call pays per file, and the folder call's marginal cost per file over the cold call.

Target (2 cores): warm <= 1 s per file (it is ~0.05 s); the folder call costs less than two cold calls.

    .venv/bin/python benchmarks/bench_precheck.py                       # 35.07.01 Donomulyo: 10 desa, 22 files
    .venv/bin/python benchmarks/bench_precheck.py --wilayah 35.07.13    # Kepanjen: 18 desa, 38 files
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desa_cantik.cli import main as cli_main
from desa_cantik.synthetic import generate

ENV = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}


def run_cli(*args: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "desa_cantik", "validate", *args], capture_output=True, text=True,
                          env=ENV, check=False)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"validate gagal ({proc.returncode}): {proc.stderr[-2000:]}")
    return took, proc.returncode


def in_process(*args: str) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main(["validate", *args])
    if code not in (0, 1, 2):
        raise SystemExit(f"validate gagal ({code})")
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wilayah", default="35.07.01", help="a kecamatan code (bawaan 35.07.01)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-precheck-"))
    try:
        return _measure(args.wilayah, args.repeat, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _measure(wilayah: str, repeat: int, out: Path) -> int:
    generate(wilayah, 2025, out, seed=5, error_rate=0.05)
    files = sorted(p for p in out.rglob("*") if p.is_file() and "_kebenaran" not in p.parts)
    one = sorted((out / "kependudukan").rglob("*.csv"))[0]
    n = len(files)

    cold = statistics.median(run_cli(str(one), "--region", one.parent.name)[0] for _ in range(repeat))
    folder = statistics.median(run_cli(str(out))[0] for _ in range(repeat))
    in_process(str(one), "--region", one.parent.name)  # warm: the GX import and the region's master list
    warm = statistics.median(in_process(str(out)) for _ in range(max(repeat, 3)))
    marginal = (folder - cold) / (n - 1)

    print(f"pre-check {wilayah}: {n} files")
    print(f"cold, 1 file, own process : {cold:6.2f} s")
    print(f"folder, 1 process         : {folder:6.2f} s = {folder / n:.3f} s/file "
          f"(vs {n} cold calls: {n * cold:.0f} s, {n * cold / folder:.0f}x)")
    print(f"  marginal over the cold  : {marginal:.3f} s/file")
    print(f"warm, in process          : {warm:6.2f} s = {warm / n:.3f} s/file (target <= 1 s/file)")
    ok = warm / n <= 1.0 and folder < 2 * cold
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
