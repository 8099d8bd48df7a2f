"""Make ``sqlite.sql`` and ``postgresql.sql``: a warehouse as the last release before migrations left it.

The dumps in this folder were made by this script running release e32b6bd's own code (its ``create_all`` and
its store path: gate, store, cross-check, indicators, a child's delivery) on Kecamatan Donomulyo's generated
files, then ``iterdump`` (SQLite) and ``pg_dump --inserts`` (PostgreSQL, without psql's ``\\restrict`` lines). ``tests/test_migrasi.py`` loads them
and upgrades them with this release. To make them again::

    git worktree add /tmp/dc-e32b6bd e32b6bd
    .venv/bin/python tests/gudang_lama/buat.py /tmp/dc-e32b6bd [--pg postgresql://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _fill(url: str, home: Path, kiriman: Path) -> None:
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.cycle.inbox import collect_batch, plan_batches, upload_folder
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.cycle.store import store_bundle

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": "35.07.01", "DESA_CANTIK_GUDANG": url})
    upload_folder(rt.store, kiriman, 2025)
    for batch in plan_batches(rt):
        store_bundle(rt, validate_collected(rt, collect_batch(rt, batch), "lama-1"))
    cross_check(rt, "lama-1")
    coordinate(rt)
    previous: Any = rt.warehouse  # that release's API: a delivery was a dict
    previous.record_delivery({  # the table an upper tier fills, written as that release wrote it
        "tahun": 2025, "kode_pengirim": "35.07", "versi": "2026-03-31T235900", "diterima_pada": "2026-04-01T00:00:00+00:00",
        "status": "ditolak", "alasan": "tanda tangan tidak cocok", "kunci_arsip": "arsip/2025/paket/35.07/x",
        "baris_komponen": 0, "run_id": "lama-1"})


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("kode", type=Path, help="a checkout of the previous release (git worktree add DIR e32b6bd)")
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = p.parse_args()
    sys.path.insert(0, str(args.kode / "include"))
    import sqlite3

    import sqlalchemy as sa

    from desa_cantik.synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        kiriman = Path(tmp) / "kiriman"
        generate("35.07.01", 2025, kiriman, seed=11, error_rate=0.2)
        lite = Path(tmp) / "gudang.sqlite"
        _fill(f"sqlite:///{lite}", Path(tmp) / "lite", kiriman)
        with sqlite3.connect(lite) as conn:
            (HERE / "sqlite.sql").write_text("\n".join(conn.iterdump()) + "\n", encoding="utf-8")
        name = f"dc_lama_{uuid.uuid4().hex[:8]}"
        driver = args.pg.replace("postgresql:", "postgresql+psycopg2:")
        admin = sa.create_engine(f"{driver}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            _fill(f"{driver}/{name}", Path(tmp) / "pg", kiriman)
            dump = subprocess.run(["pg_dump", "--inserts", "--no-owner", "--no-privileges", f"{args.pg}/{name}"],
                                  check=True, capture_output=True, text=True).stdout
            plain = [line for line in dump.splitlines() if not line.startswith("\\")]  # psql's \restrict: SQL only
            (HERE / "postgresql.sql").write_text("\n".join(plain) + "\n", encoding="utf-8")
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
