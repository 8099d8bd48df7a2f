"""The bulk paths: loads by COPY (PostgreSQL) or ``executemany`` (SQLite), and large reads a slice at a time,
streamed by ``COPY ... TO STDOUT`` through Arrow where every column is plain text or a number."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .base import WarehouseBase
from .columns import BULK_ROWS, Columns, cells, column_dtypes, copy_csv, copy_types, empty_frame, frame_of, joined, typed_columns

if TYPE_CHECKING:
    import pandas as pd


class Bulk(WarehouseBase):
    def _bulk_insert(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
        """COPY on PostgreSQL, the driver's ``executemany`` of plain tuples on SQLite (SQLAlchemy would build a
        parameter dict per row), ``BULK_ROWS`` at a time: a load's extra memory is one slice, whatever its size."""
        import pandas as pd

        if frame.empty:
            return
        cols = list(frame.columns)
        schema = self.metadata.tables.get(table.removeprefix("tmp_"))
        ints = [] if schema is None else [  # counts travel as float64 (NaN-able) until they reach an integer column
            c.name for c in schema.columns if isinstance(c.type, sa.Integer) and c.name in frame.columns
            and not pd.api.types.is_integer_dtype(frame[c.name])]
        collist = ", ".join(f'"{c}"' for c in cols)
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for start in range(0, len(frame), BULK_ROWS):
                part = frame.iloc[start:start + BULK_ROWS]
                if ints:  # ``astype`` copies every column, even given nothing to convert
                    part = part.astype({c: "Int64" for c in ints})
                if self.is_postgres and (data := copy_csv(part)) is not None:
                    cur.copy_expert(f'COPY "{table}" ({collist}) FROM STDIN WITH (FORMAT csv)', data)
                elif self.is_postgres:
                    buf = io.StringIO()
                    part.to_csv(buf, index=False, header=False, na_rep="\\N")
                    buf.seek(0)
                    cur.copy_expert(f'COPY "{table}" ({collist}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')', buf)
                else:  # identifiers come from the schema (``_schema``), values are bound parameters
                    rows: Any = zip(*(cells(part[c]) for c in cols), strict=True)  # the driver takes any iterable
                    cur.executemany(f'INSERT INTO "{table}" ({collist}) VALUES ({", ".join("?" * len(cols))})', rows)  # noqa: S608
        finally:
            cur.close()

    def _fetch_columns(self, conn: sa.Connection, query: sa.Select[Any]) -> Iterator[Columns]:
        """A select's rows from the driver's cursor, ``BULK_ROWS`` at a time, as typed columns (``typed_columns``): the
        large reads without a SQLAlchemy row object per row. PostgreSQL keeps the result (a named cursor), not the
        client."""
        compiled = query.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        args = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cur = dbapi.cursor(name="dc_baca") if self.is_postgres else dbapi.cursor()
        dtypes = column_dtypes(query)
        try:
            cur.execute(compiled.string, args)
            while rows := cur.fetchmany(BULK_ROWS):  # a named cursor describes its columns after the first fetch
                yield typed_columns(rows, [str(d[0]) for d in cur.description], dtypes)
        finally:
            cur.close()

    def _fetch(self, conn: sa.Connection, query: sa.Select[Any]) -> Iterator[pd.DataFrame]:
        """``_fetch_columns`` as one frame per slice (typed by the schema, as ``read_sql`` would type the rows)."""
        for part in self._fetch_columns(conn, query):
            yield frame_of(part)

    def _frame(self, name: str, *where: sa.ColumnElement[bool], order: tuple[str, ...] = (),
               columns: tuple[str, ...] = ()) -> pd.DataFrame:
        """``_select`` for the large tables (components, indicators): read with ``_fetch_columns``, typed even when
        empty; ``columns``: only these. Each column is joined once from its slices: text is one Arrow array, not one
        chunk per slice (every later ``take`` on a chunked text column re-joins the chunks: publish's CSV and
        SDMX rows cost several times more on a frame ``pd.concat`` made)."""

        t = self.table(name)
        picked = [t.c[c] for c in columns] if columns else list(t.c)
        query = sa.select(*picked).where(*where).order_by(*(t.c[c] for c in order))
        parts = list(self._read_columns(query))
        return frame_of(joined(parts)) if parts else empty_frame(query)

    def _slices(self, query: sa.Select[Any]) -> Iterator[pd.DataFrame]:
        """A large read a slice at a time, as the caller uses them (``_read_columns``, on a connection held until the
        last): the table is never whole in memory. No row: one empty typed frame, so its columns are known."""
        empty = True
        for part in self._read_columns(query):
            empty = False
            yield frame_of(part)
        if empty:
            yield empty_frame(query)

    def _read_columns(self, query: sa.Select[Any]) -> Iterator[Columns]:
        """A large read on a connection of its own: streamed by COPY on PostgreSQL where every column is plain text
        or a number (``_copy_out``), otherwise from the driver's cursor (``_fetch_columns``)."""
        types = copy_types(query) if self.is_postgres else None
        if types is not None:
            yield from self._copy_out(query, types)
            return
        with self.engine.connect() as conn:
            yield from self._fetch_columns(conn, query)

    def _copy_out(self, query: sa.Select[Any], types: dict[str, Any]) -> Iterator[Columns]:  # Arrow types (untyped)
        """``COPY (query) TO STDOUT`` as CSV, parsed by Arrow a block at a time while the server sends the next
        (a thread writes the stream into a pipe): the same typed columns as ``_fetch_columns`` without a Python
        object per value; ``types``: ``copy_types``. The connection is its own, since a COPY in progress blocks
        every other command on it; if the reader stops early the COPY is cut off and the connection discarded."""
        import threading

        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.csv as pacsv  # type: ignore[import-untyped]

        compiled = query.compile(dialect=self.engine.dialect, compile_kwargs={"render_postcompile": True})
        raw = self.engine.raw_connection()
        failed: list[BaseException] = []
        done = False
        try:
            cur = raw.cursor()
            sql = cur.mogrify(compiled.string, compiled.params).decode()
            read_end, write_end = os.pipe()

            def send() -> None:
                try:
                    with open(write_end, "wb") as sink:
                        cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", sink)
                except BaseException as exc:  # raised again in the reading thread, after the join
                    failed.append(exc)

            sender = threading.Thread(target=send, name="dc-copy-out", daemon=True)
            sender.start()
            try:
                with open(read_end, "rb") as source:
                    if source.peek(1):  # an empty result is no CSV at all
                        reader = pacsv.open_csv(
                            source, read_options=pacsv.ReadOptions(column_names=list(types), block_size=1 << 20,
                                                                   use_threads=False),
                            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[""],
                                                                 strings_can_be_null=True,
                                                                 quoted_strings_can_be_null=False))
                        for batch in reader:
                            yield {name: col.cast(pa.large_string()) if pa.types.is_large_string(col.type)
                                   else col.to_numpy(zero_copy_only=False)
                                   for name, col in zip(batch.schema.names, batch.columns, strict=True)}
            finally:
                sender.join()
            if failed:
                raise failed[0]
            done = True
        finally:
            if done:
                raw.close()
            else:
                raw.invalidate()  # a COPY cut off, or failed: the connection is not reused
