"""The warehouse's connection and the conditions every query shares (``WarehouseBase``).

The read and write halves (``bulk``, ``writes``, ``reads``, ``pages``) are mixins over this class; ``Warehouse``
joins them. PostgreSQL loads with COPY, SQLite with ``executemany``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .schema import metadata


def create_engine(url: str) -> sa.Engine:
    """The warehouse's engine; an embedded SQLite file gets its folder."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, future=True)


class WarehouseBase:
    """The engine, the schema and the shared conditions (an area's codes, a prefix's range)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.metadata = metadata()
        self.is_postgres = self.engine.dialect.name == "postgresql"

    def create(self) -> None:
        """The schema at this release's revision, through the migrations (``storage.migrasi.upgrade``): a fresh
        warehouse gets every table; one already there is left as it is."""
        from .migrasi import upgrade

        upgrade(self.url)

    def ensure(self) -> None:
        """The schema this release reads and writes, checked per task or page with one catalogue query and one read.

        The embedded SQLite warehouse (``make demo``, tests) migrates itself at first use. A server's warehouse is
        migrated once per release before its services start (``python -m desa_cantik migrasi``), never by a task
        racing its neighbours: a task or page finding it at another revision stops, saying what to run.
        """
        from .migrasi import HEAD, SchemaNotMigrated, not_ready, revisions

        with self.engine.connect() as conn:
            found = revisions(conn)
            if found == (HEAD,):
                return
            legacy = not found and bool(set(sa.inspect(conn).get_table_names()) & set(self.metadata.tables))
        if self.is_postgres:
            raise SchemaNotMigrated(not_ready(found, legacy))
        self.create()

    def table(self, name: str) -> sa.Table:
        return self.metadata.tables[name]

    def _under(self, column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
        """Codes that start with ``prefix``, as a range the primary key's index answers (LIKE alone scans the
        table: a child's resend at the centre would scan the country's 750k components). SQLite orders text by
        code point, so the range is exact there; PostgreSQL's collation may order otherwise, so there LIKE
        stays as the exact test (digit-and-dot codes lie inside the range in any collation)."""
        if not prefix:
            return column.startswith(prefix, autoescape=True)
        inside = sa.and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        return sa.and_(inside, column.startswith(prefix, autoescape=True)) if self.is_postgres else inside

    def _count(self, name: str, *where: sa.ColumnElement[bool]) -> int:
        t = self.table(name)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())

    def _inside(self, column: sa.ColumnElement[Any], kode_wilayah: str) -> sa.ColumnElement[bool]:
        """Codes of an area and below (``35.07`` holds ``35.07.01.2001``); every code for the centre (``""``).

        SQLite compares text byte by byte, so those codes lie from ``35.07`` up to ``35.07/`` (``/`` follows
        ``.``): a range its primary-key index answers first, where ``LIKE`` alone scans the table. PostgreSQL's
        collation may order punctuation otherwise, so there the exact test stands alone.
        """
        if not kode_wilayah:
            return sa.true()
        exact = sa.or_(column == kode_wilayah, column.startswith(kode_wilayah + ".", autoescape=True))
        if self.engine.dialect.name == "sqlite":
            return sa.and_(column >= kode_wilayah, column < kode_wilayah + "/", exact)
        return exact
