"""The warehouse's writes: upserts of accepted rows, a batch's verdicts in one transaction, an area's
components and indicators replaced. Every write is idempotent: replaying a load leaves the same rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .bulk import Bulk
from .columns import chunks
from .kotak import Kabar, Outbox
from .rows import Delivery
from .schema import COMPONENTS, DELIVERIES, INDICATORS, ISSUES, QUARANTINE, SUBMISSIONS, SUMMARY, data_table

if TYPE_CHECKING:
    import pandas as pd


class Writes(Bulk, Outbox):
    def replace_rows(self, dataset: str, frame: pd.DataFrame) -> int:
        """Upsert accepted rows: per (kode_desa, tahun), the most recently received submission wins."""
        with self.engine.begin() as conn:
            return self._upsert_rows(conn, dataset, frame)

    def _upsert_rows(self, conn: sa.Connection, dataset: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        frame = (frame.sort_values(["diterima_pada", "sha256_berkas"])
                 .drop_duplicates(["kode_desa", "tahun"], keep="last"))
        table = data_table(dataset)
        cols = [c.name for c in self.table(table).columns]
        frame = frame[cols]
        staging = f"tmp_{table}"
        if self.is_postgres:
            conn.execute(sa.text(f'CREATE TEMP TABLE "{staging}" (LIKE "{table}") ON COMMIT DROP'))
        else:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS temp."{staging}"'))
            conn.execute(sa.text(f'CREATE TEMP TABLE "{staging}" AS SELECT * FROM "{table}" WHERE 0'))  # noqa: S608
        self._bulk_insert(conn, staging, frame)
        # set-based upsert; table and column names are the schema's own, never input
        conn.execute(sa.text(
            f'DELETE FROM "{table}" WHERE EXISTS (SELECT 1 FROM "{staging}" s WHERE s.kode_desa = "{table}".kode_desa'  # noqa: S608
            f' AND s.tahun = "{table}".tahun AND s.diterima_pada >= "{table}".diterima_pada)'))
        collist = ", ".join(f'"{c}"' for c in cols)
        conn.execute(sa.text(
            f'INSERT INTO "{table}" ({collist}) SELECT {collist} FROM "{staging}" s WHERE NOT EXISTS '  # noqa: S608
            f'(SELECT 1 FROM "{table}" d WHERE d.kode_desa = s.kode_desa AND d.tahun = s.tahun)'))
        if not self.is_postgres:
            conn.execute(sa.text(f'DROP TABLE temp."{staging}"'))
        return len(frame)

    def store_checked(self, accepted: dict[str, pd.DataFrame], submissions: pd.DataFrame, issues: pd.DataFrame,
                      quarantine: pd.DataFrame, summary: pd.DataFrame, kabar: Sequence[Kabar] = (),
                      now: str = "") -> dict[str, int]:
        """A batch's files as one unit of work: accepted rows, registry, findings, quarantine, summary, and the
        notifications of the verdicts (``kabar``, queued at ``now``).

        One transaction: after a crash nothing of the batch is stored, so any rerun (a task retry or a new
        DAG run) checks the same files again and ends in the same state; the registry never names a file
        whose rows are missing, nor rows a file the registry does not know; a verdict is announced exactly when
        it is stored, and once (the outbox's key is the event and its recipient).
        """
        with self.engine.begin() as conn:
            stored = {ds: self._upsert_rows(conn, ds, frame) for ds, frame in sorted(accepted.items())}
            self._record_verdicts(conn, submissions, issues, quarantine, summary)
            self._queue(conn, kabar, now)
        return stored

    def _record_verdicts(self, conn: sa.Connection, submissions: pd.DataFrame, issues: pd.DataFrame,
                         quarantine: pd.DataFrame, summary: pd.DataFrame) -> None:
        shas = submissions["sha256"].unique().tolist()
        for name, col in ((ISSUES, "sha256_berkas"), (QUARANTINE, "sha256_berkas"), (SUMMARY, "sha256_berkas")):
            t = self.table(name)
            for chunk in chunks(shas, 500):
                conn.execute(t.delete().where(t.c[col].in_(chunk)))
        t = self.table(SUBMISSIONS)
        for chunk in chunks(list(zip(submissions["kunci_masuk"], submissions["sha256"], strict=True)), 500):
            conn.execute(t.delete().where(sa.tuple_(t.c.kunci_masuk, t.c.sha256).in_(chunk)))
        self._bulk_insert(conn, SUBMISSIONS, submissions)
        self._bulk_insert(conn, ISSUES, issues)
        self._bulk_insert(conn, QUARANTINE, quarantine)
        self._bulk_insert(conn, SUMMARY, summary)

    def replace_findings(self, dataset: str, tahun: int, rules: list[str], issues: pd.DataFrame,
                         summary: pd.DataFrame) -> None:
        """Replace every finding of these rules for a dataset and year (the close's cross-dataset check)."""
        with self.engine.begin() as conn:
            for name in (ISSUES, SUMMARY):
                t = self.table(name)
                conn.execute(t.delete().where(t.c.dataset == dataset, t.c.tahun == tahun, t.c.aturan.in_(rules)))
            self._bulk_insert(conn, ISSUES, issues)
            self._bulk_insert(conn, SUMMARY, summary)

    def _replace_area(self, name: str, column: str, tahun: int, prefix: str, frame: pd.DataFrame) -> int:
        """One transaction: drop the year's rows of an area (codes under ``prefix``), load the new ones."""
        t = self.table(name)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == tahun, self._under(t.c[column], prefix)))
            self._bulk_insert(conn, name, frame)
        return len(frame)

    def replace_components(self, tahun: int, prefix: str, frame: pd.DataFrame) -> int:
        """Replace the components of every desa under ``prefix`` (a child's region, or the tier's own)."""
        return self._replace_area(COMPONENTS, "kode_desa", tahun, prefix, frame)

    def record_delivery(self, row: Delivery, kabar: Sequence[Kabar] = (), now: str = "") -> None:
        """A child's package version as judged, and its notifications (a refusal's, queued at ``now``) with it."""
        t = self.table(DELIVERIES)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == row.tahun, t.c.kode_pengirim == row.kode_pengirim,
                                          t.c.versi == row.versi))
            conn.execute(t.insert(), [asdict(row)])
            self._queue(conn, kabar, now)

    def replace_indicators(self, tahun: int, kode_wilayah: str, frame: pd.DataFrame) -> int:
        return self._replace_area(INDICATORS, "kode_wilayah", tahun, kode_wilayah, frame)

    def rebuild_indicators(self, tahun: int, kode_wilayah: str,
                           derive: Callable[[Iterator[pd.DataFrame]], Iterable[pd.DataFrame]]) -> int:
        """Replace an area's indicators with ``derive(components)``, loading each frame it yields as it comes.

        The area's components stream in ordered by desa, ``BULK_ROWS`` at a time, on the connection that
        loads the indicators, in one transaction: memory holds a slice, not the country, and SQLite (which
        locks the whole file) reads and writes on one connection.
        """
        t, c = self.table(INDICATORS), self.table(COMPONENTS)
        query = (sa.select(c.c.kode_desa, c.c.indikator, c.c.pembilang, c.c.penyebut)
                 .where(c.c.tahun == tahun, self._under(c.c.kode_desa, kode_wilayah))
                 .order_by(c.c.kode_desa, c.c.indikator))
        rows = 0
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.tahun == tahun, self._under(t.c.kode_wilayah, kode_wilayah)))
            for frame in derive(self._fetch(conn, query)):
                self._bulk_insert(conn, INDICATORS, frame)
                rows += len(frame)
        return rows
