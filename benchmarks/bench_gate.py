"""Hot paths of the cycle, timed, with targets. Quote ratios: the machine is noisy.

- intake: read + normalise every kependudukan file of Kabupaten Malang (390 files, mixed CSV/XLSX).
- gate: one GX run per kecamatan batch vs one GX run per file (same 60 files).
- load: PostgreSQL COPY vs row-by-row INSERT (executemany) of the same 11,700 rows, in a scratch
  database created (and dropped) on the server DESA_CANTIK_BENCH_PG names (skipped when unset).

Targets (2 cores): intake <= 15 ms/file; batched gate >= 5x faster than per-file; COPY >= 3x faster.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from desa_cantik.datasets import get_dataset
from desa_cantik.intake import Provenance, Submission, read_submission
from desa_cantik.quality import GateContext, validate_batch
from desa_cantik.regions import desa_table
from desa_cantik.storage import Warehouse
from desa_cantik.synthetic import generate


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> int:
    out = Path(tempfile.mkdtemp())
    generate("35.07", 2025, out, seed=5, error_rate=0.05)
    spec = get_dataset("kependudukan")
    files = sorted(p for p in (out / "kependudukan").rglob("*") if p.is_file())
    blobs = [(p.read_bytes(), p.name) for p in files]
    subs: list[Submission] = []

    def intake() -> None:
        subs.clear()
        subs.extend(read_submission(b, spec, Provenance.of(b, n), 2025) for b, n in blobs)

    t_intake = timed(intake)
    ctx = GateContext(2025, desa_table("35.07")["kode_desa"].tolist(), ["35.07-DINKES"])
    sample = subs[:60]
    senders = [f.parent.name for f in files[:60]]
    validate_batch(sample[:2], ctx, senders[:2])  # warm: GX import and context
    t_batch = timed(lambda: validate_batch(sample, ctx, senders))
    t_single = timed(lambda: [validate_batch([s], ctx, [w]) for s, w in zip(sample, senders, strict=True)], repeat=1)
    print(f"intake   : {len(files)} files in {t_intake:.2f} s = {1000 * t_intake / len(files):.1f} ms/file (target <= 15)")
    print(f"gate     : 60 files batched {t_batch:.2f} s vs per file {t_single:.2f} s -> {t_single / t_batch:.1f}x (target >= 5x)")
    ok = 1000 * t_intake / len(files) <= 15 and t_single / t_batch >= 5

    pg = os.environ.get("DESA_CANTIK_BENCH_PG")
    if pg:
        master = desa_table("35.07")
        rows = pd.concat([master[["kode_desa"]].assign(tahun=2000 + y) for y in range(30)], ignore_index=True)
        rows = rows.assign(penduduk_laki=1, penduduk_perempuan=1, jumlah_penduduk=2, jumlah_kk=1, kelahiran=0, kematian=0,
                           penduduk_datang=0, penduduk_pindah=0, sha256_berkas="a" * 64, baris_berkas=2,
                           diterima_pada="2026-01-01T00:00:00+00:00")
        import sqlalchemy as sa

        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS dc_bench WITH (FORCE)"))
            conn.execute(sa.text("CREATE DATABASE dc_bench"))
        w = Warehouse(admin.url.set(database="dc_bench").render_as_string(hide_password=False))
        w.create()

        def copy() -> None:
            w.replace_rows("kependudukan", rows)

        def insert() -> None:
            with w.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM data_kependudukan"))
                conn.execute(w.table("data_kependudukan").insert(), rows.to_dict("records"))

        t_copy, t_insert = timed(copy), timed(insert)
        ratio = t_insert / t_copy
        print(f"load     : {len(rows)} rows COPY {t_copy:.2f} s vs INSERT {t_insert:.2f} s -> {ratio:.1f}x (target >= 3x)")
        ok = ok and t_insert / t_copy >= 3
        w.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE dc_bench WITH (FORCE)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
