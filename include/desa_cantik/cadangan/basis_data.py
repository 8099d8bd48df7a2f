"""The two PostgreSQL databases in a backup: ``pg_dump`` (custom format) and what the restore must find again.

A dump is taken inside an exported snapshot (``pg_export_snapshot``), and the facts recorded beside it (each
table's rows; the warehouse's fingerprint, ``Warehouse.fingerprint``) are read in that same snapshot: they describe
exactly what the dump holds, even while the tier runs. The password never goes on a command line (``PGPASSWORD``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

import sqlalchemy as sa

from .objek import CadanganRusak


class FaktaBasisData(TypedDict):
    """One database as the backup holds it."""

    revisi: list[str]  # its Alembic revision (the warehouse's, or Airflow's own)
    baris: dict[str, int]  # table -> rows
    sidik: dict[str, str]  # the warehouse's ``Warehouse.fingerprint`` (table -> hash:rows); empty for Airflow


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without its password, and the environment that carries the password instead."""
    parsed = sa.make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CadanganRusak(f"{name} tidak ditemukan: pasang klien PostgreSQL (versi sama dengan server atau lebih baru), "
                            "atau buat/pulihkan dump sendiri lalu pakai --basis-data-luar (lihat docker/README.md)")
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CadanganRusak(f"{what} gagal (kode {done.returncode}): {done.stderr.strip()[-1500:]}")


def is_postgres(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "postgresql"


@contextmanager
def snapshot(url: str) -> Iterator[str]:
    """A snapshot of the database held open while the caller dumps and reads it (REPEATABLE READ, read only)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
    finally:
        engine.dispose()


def in_snapshot(engine: sa.Engine, snap: str | None) -> sa.Engine:
    """The engine, each of its transactions reading the snapshot (none: the database as it is now)."""
    if snap is None:
        return engine
    pinned = engine.execution_options(isolation_level="REPEATABLE READ")
    sa.event.listen(pinned, "begin", lambda conn: conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snap}'"))
    return pinned


def dump(url: str, out: Path, snap: str | None) -> None:
    dsn, env = _libpq(url)
    args = [_tool("pg_dump"), "--format=custom", "--file", str(out), *([f"--snapshot={snap}"] if snap else []), dsn]
    _run(args, env, f"pg_dump {sa.make_url(url).database}")
    out.chmod(0o600)


def tables(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(sa.inspect(conn).get_table_names())


def restore(url: str, source: Path) -> None:
    """``pg_restore`` into an empty database (a fresh deployment's): one with tables already is refused untouched."""
    engine = sa.create_engine(url)
    try:
        found = tables(engine)
    finally:
        engine.dispose()
    name = sa.make_url(url).database
    if found:
        raise CadanganRusak(f"Basis data {name} tidak kosong ({len(found)} tabel, mis. {found[0]}): pemulihan hanya ke "
                            "basis data baru. Buat ulang basis datanya dulu (DROP lalu CREATE DATABASE), lalu ulangi.")
    dsn, env = _libpq(url)
    _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", dsn, str(source)], env, f"pg_restore {name}")


def facts(url: str, snap: str | None, warehouse: bool) -> FaktaBasisData:
    """Rows per table and the revision; for the warehouse at this release's revision, its fingerprint too."""
    from ..storage import Warehouse
    from ..storage.migrasi import HEAD, revisions

    base = sa.create_engine(url)
    engine = in_snapshot(base, snap)
    try:
        with engine.connect() as conn:
            revisi = list(revisions(conn))
            names = sorted(sa.inspect(conn).get_table_names())
            rows = {n: int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(n))).scalar_one()) for n in names}
        sidik: dict[str, str] = {}
        if warehouse and revisi == [HEAD]:  # another revision's tables are not this release's models
            w = Warehouse(url)
            w.engine.dispose()
            w.engine = engine
            sidik = w.fingerprint(ignore=(), activity=True)  # every table, the notifications too
        return {"revisi": revisi, "baris": rows, "sidik": sidik}
    finally:
        base.dispose()
