"""The warehouse's schema migrations (Alembic): the one way its tables are made or changed.

``versions/`` holds the revisions, the first (``0001``) the baseline: the warehouse every release before migrations
made. ``upgrade`` brings a warehouse to this release's revision ``HEAD`` in one transaction under a lock (two
init jobs cannot both migrate): a fresh warehouse gets every table; one made before migrations (tables, no
``alembic_version``) is checked against the baseline, stamped there, then upgraded, every row kept; one at an
older revision runs the revisions after it. ``status`` is what ``python -m desa_cantik migrasi --cek`` reports,
``differences`` what autogenerate finds between a warehouse and ``schema.metadata()``.

A server's warehouse (PostgreSQL) is migrated once per release, before its services start (``migrasi``: the
docker init service ``migrasi-gudang``, ``make stack``); tasks and pages only check the revision
(``WarehouseBase.ensure``: one catalogue query and one read, no Alembic import). The embedded SQLite warehouse
(``make demo``, tests) runs ``upgrade`` itself at first use. A new revision: ``python -m desa_cantik migrasi
--revisi "pesan"`` writes one with autogenerate's operations, to review; then ``HEAD`` names it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HEAD = "0002"  # the newest revision in versions/: what this release's code reads and writes (a test holds them equal)
BASELINE = "0001"  # the schema of the releases before migrations
VERSION_TABLE = "alembic_version"
HERE = Path(__file__).resolve().parent
_LOCK = 0x6463_6D69  # PostgreSQL advisory lock of the warehouse's migrations ("dcmi")


class SchemaNotMigrated(RuntimeError):
    """The warehouse is not at this release's revision (said in Indonesian, with what to run)."""


@dataclass(frozen=True)
class Upgrade:
    """What one ``upgrade`` did."""

    before: tuple[str, ...]  # the warehouse's revisions before (empty: fresh, or made before migrations)
    after: tuple[str, ...]
    legacy: bool  # made before migrations: checked against the baseline and stamped there
    seconds: float


@dataclass(frozen=True)
class Status:
    """A warehouse against this release, for ``migrasi --cek``."""

    current: tuple[str, ...]
    head: str
    legacy: bool
    differences: tuple[str, ...]  # autogenerate's comparison with the models, at head only

    @property
    def up_to_date(self) -> bool:
        return self.current == (self.head,) and not self.differences


def revisions(conn: sa.Connection) -> tuple[str, ...]:
    """The warehouse's revisions, as Alembic recorded them (plain SQL: a task's check imports no Alembic)."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return ()
    rows = conn.execute(sa.select(sa.column("version_num", sa.String)).select_from(sa.table(VERSION_TABLE)))
    return tuple(sorted(str(r[0]) for r in rows))


def not_ready(found: tuple[str, ...], legacy: bool) -> str:
    """Why a server's task or page refuses this warehouse, and what to run."""
    run = "jalankan `python -m desa_cantik migrasi` sekali sebelum layanan dimulai (docker: layanan migrasi-gudang)"
    if legacy:
        return f"Gudang data dibuat oleh rilis sebelum migrasi skema: {run}; semua baris tetap."
    if not found:
        return f"Gudang data belum punya skema: {run}."
    return f"Gudang data pada revisi {', '.join(found)}, rilis ini butuh revisi {HEAD}: {run}."


def _config(conn: sa.Connection | None = None) -> Config:
    """Alembic's configuration without an ini file: the scripts beside this module, the runner's connection."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def _script(cfg: Config) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(cfg)


def engine(url: str) -> sa.Engine:
    """An engine for migrating: SQLite's driver would run DDL outside the transaction, so here it begins each one
    itself (``BEGIN IMMEDIATE``: a second migrating process waits, then finds the work done)."""
    from ..base import create_engine

    eng = create_engine(url)
    if eng.dialect.name == "sqlite":
        sa.event.listen(eng, "connect", lambda dbapi, _: setattr(dbapi, "isolation_level", None))
        sa.event.listen(eng, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return eng


def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":  # held until the transaction ends
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))


def _ours(conn: sa.Connection, baseline: sa.MetaData) -> set[str]:
    return set(sa.inspect(conn).get_table_names()) & set(baseline.tables)


def _baseline(script: ScriptDirectory) -> sa.MetaData:
    revision = script.get_revision(BASELINE)
    assert revision is not None
    md = revision.module.tables()
    assert isinstance(md, sa.MetaData)
    return md


def _describe(diff: Any) -> list[str]:
    """Autogenerate's diff entries as short lines: ``add_column data_x kolom``, ``modify_type t c VARCHAR(32) TEXT``."""
    items = diff if isinstance(diff, list) else [diff]
    return [" ".join(str(getattr(x, "name", None) or x) for x in item if x is not None and not isinstance(x, dict))
            for item in items]


def differences(conn: sa.Connection, target: sa.MetaData | None = None, only: set[str] | None = None) -> tuple[str, ...]:
    """Where the warehouse differs from ``target`` (the models, ``schema.metadata()``), as autogenerate compares:
    tables, columns, types, nullability, keys, indexes. ``only``: those tables alone (others are someone else's)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ..schema import metadata

    def include(name: str | None, kind: str, _parents: object) -> bool:
        return only is None or kind != "table" or name in only

    ctx = MigrationContext.configure(conn, opts={"include_name": include, "compare_type": True})
    return tuple(line for d in compare_metadata(ctx, target if target is not None else metadata()) for line in _describe(d))


def _check_legacy(conn: sa.Connection, baseline: sa.MetaData) -> None:
    """A warehouse made before migrations is stamped at the baseline only if its tables are the baseline's."""
    found = [d for d in differences(conn, baseline, only=set(baseline.tables)) if not d.startswith("add_table ")]
    if found:
        raise SchemaNotMigrated("Gudang data lama tidak sama dengan skema baseline; tidak ada yang diubah. Bedanya: "
                                + "; ".join(found))


def upgrade(url: str) -> Upgrade:
    """This release's revision, in one transaction (see the module's doc); nothing to do is a no-op."""
    from alembic import command
    from alembic.util import CommandError

    start = time.perf_counter()
    eng = engine(url)
    try:
        with eng.begin() as conn:
            _lock(conn)
            before = revisions(conn)
            cfg = _config(conn)
            baseline = _baseline(_script(cfg))
            legacy = not before and bool(_ours(conn, baseline))
            if legacy:
                _check_legacy(conn, baseline)
                if _ours(conn, baseline) == set(baseline.tables):  # else the baseline creates what is missing
                    command.stamp(cfg, BASELINE)
            try:
                command.upgrade(cfg, "head")
            except CommandError as exc:  # a revision this release does not know: a newer release migrated it
                raise SchemaNotMigrated(f"Gudang data pada revisi {', '.join(before)} yang tidak dikenal rilis ini "
                                        f"(terbaru {HEAD}): gudang ini dimigrasi rilis yang lebih baru") from exc
            after = revisions(conn)
    finally:
        eng.dispose()
    return Upgrade(before, after, legacy, time.perf_counter() - start)


def status(url: str) -> Status:
    eng = engine(url)
    try:
        with eng.connect() as conn:
            current = revisions(conn)
            baseline = _baseline(_script(_config(conn)))
            legacy = not current and bool(_ours(conn, baseline))
            found = differences(conn) if current == (HEAD,) else ()
    finally:
        eng.dispose()
    return Status(current, HEAD, legacy, found)


def head() -> str:
    """The newest revision in ``versions/``, as Alembic walks them (``HEAD`` must equal it)."""
    found = _script(_config()).get_current_head()
    assert found is not None
    return found


def new_revision(message: str) -> Path:
    """The next revision's file in ``versions/``: autogenerate's operations from a fresh warehouse at ``HEAD`` to the
    models (SQLite, rendered as batch operations, which PostgreSQL runs as plain ALTERs). Review it, add what
    autogenerate cannot see (data moves, renames), then set ``HEAD`` to its id."""
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/gudang.sqlite"
        upgrade(url)
        eng = engine(url)
        try:
            with eng.begin() as conn:
                made = command.revision(_config(conn), message, autogenerate=True, rev_id=f"{int(HEAD) + 1:04d}")
        finally:
            eng.dispose()
    assert made is not None and not isinstance(made, list)
    return Path(made.path)


def describe(done: Upgrade) -> str:
    """What ``python -m desa_cantik migrasi`` did, for the person who ran it."""
    took, after = f"{done.seconds:.2f} s", ", ".join(done.after)
    if done.legacy:
        return (f"Gudang dari rilis sebelum migrasi dikenali: tabelnya sama dengan baseline {BASELINE}, ditandai di sana, "
                f"lalu dimutakhirkan ke revisi {after}; semua baris tetap ({took}).")
    if done.before == done.after:
        return f"Gudang sudah pada revisi {after}: tidak ada yang diubah ({took})."
    if not done.before:
        return f"Gudang kosong: skema dibuat sampai revisi {after} ({took})."
    return f"Gudang dimutakhirkan dari revisi {', '.join(done.before)} ke {after} ({took})."


def describe_status(st: Status) -> str:
    """``migrasi --cek``: the warehouse's revision against this release's, and autogenerate's comparison."""
    current = ", ".join(st.current) or ("belum ada (tabel dari rilis sebelum migrasi)" if st.legacy else "belum ada (kosong)")
    lines = [f"Revisi gudang: {current}", f"Revisi rilis ini: {st.head}"]
    if st.current == (st.head,):
        lines.append("Skema sama dengan model: " + ("ya" if not st.differences else "TIDAK: " + "; ".join(st.differences)))
    lines.append("Status: mutakhir" if st.up_to_date else "Status: belum mutakhir: jalankan `python -m desa_cantik migrasi`")
    return "\n".join(lines)
