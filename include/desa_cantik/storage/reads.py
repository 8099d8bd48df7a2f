"""Named reads of whole frames: what stages, publishing and tests read (no SQL from callers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..findings import DITERIMA
from .bulk import Bulk
from .columns import chunks
from .schema import (
    COMPONENTS,
    DELIVERIES,
    INDICATORS,
    ISSUES,
    OPT_OUT,
    OUTBOX,
    QUARANTINE,
    SENT_LOG,
    SUBMISSIONS,
    SUMMARY,
    data_table,
)

if TYPE_CHECKING:
    import pandas as pd

NOTIFICATIONS = (OUTBOX, SENT_LOG, OPT_OUT)  # messages about the data, not the data (``fingerprint`` leaves them out)

class Reads(Bulk):
    def _select(self, name: str, *where: sa.ColumnElement[bool], order: tuple[str, ...] = ()) -> pd.DataFrame:
        import pandas as pd

        t = self.table(name)
        stmt = sa.select(t).where(*where).order_by(*(t.c[c] for c in order))
        with self.engine.connect() as conn:
            return pd.read_sql(stmt, conn)

    def table_frame(self, name: str) -> pd.DataFrame:
        """A whole table (auditors, checksums, tests); ``name`` must be one of the schema's tables."""
        return self._select(name)

    def submissions(self, tahun: int) -> pd.DataFrame:
        return self._select(SUBMISSIONS, self.table(SUBMISSIONS).c.tahun == tahun)

    def submission(self, tahun: int, sha256: str) -> pd.DataFrame:
        t = self.table(SUBMISSIONS)
        return self._select(SUBMISSIONS, t.c.tahun == tahun, t.c.sha256 == sha256)

    def submissions_by_sha(self, shas: list[str]) -> pd.DataFrame:
        """Registry rows of these files (the stored rows' provenance), one per sha256."""
        import pandas as pd

        t = self.table(SUBMISSIONS)
        parts = [self._select(SUBMISSIONS, t.c.sha256.in_(chunk)) for chunk in chunks(shas, 500)]
        frame = pd.concat(parts, ignore_index=True) if parts else self._select(SUBMISSIONS, sa.false())
        return frame.sort_values("diterima_pada").drop_duplicates("sha256", keep="last")

    def seen(self, dataset: str, tahun: int) -> set[tuple[str, str]]:
        """(inbox key, received-at) of submissions already checked: the gate skips them on reruns."""
        t = self.table(SUBMISSIONS)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.kunci_masuk, t.c.diterima_pada).where(
                t.c.dataset == dataset, t.c.tahun == tahun))
            return {(r[0], r[1]) for r in rows}

    def deliveries(self, tahun: int) -> pd.DataFrame:
        return self._select(DELIVERIES, self.table(DELIVERIES).c.tahun == tahun)

    def accepted_since(self, tahun: int, when_iso: str) -> bool:
        """A child's package was accepted after ``when_iso`` (ISO-8601 UTC text sorts as time)."""
        t = self.table(DELIVERIES)
        return self._count(DELIVERIES, t.c.tahun == tahun, t.c.status == DITERIMA, t.c.diterima_pada > when_iso) > 0

    def components(self, tahun: int, prefix: str = "", columns: tuple[str, ...] = ()) -> pd.DataFrame:
        t = self.table(COMPONENTS)
        return self._frame(COMPONENTS, t.c.tahun == tahun, self._under(t.c.kode_desa, prefix),
                           order=("kode_desa", "indikator"), columns=columns)

    def component_slices(self, tahun: int, columns: tuple[str, ...] = ()) -> Iterator[pd.DataFrame]:
        """``components`` of the whole year in slices, ordered by desa and indicator (``_slices``)."""
        t = self.table(COMPONENTS)
        picked = [t.c[c] for c in columns] if columns else list(t.c)
        return self._slices(sa.select(*picked).where(t.c.tahun == tahun).order_by(t.c.kode_desa, t.c.indikator))

    def indicators(self, tahun: int) -> pd.DataFrame:
        return self._frame(INDICATORS, self.table(INDICATORS).c.tahun == tahun)

    def indicator_slices(self, tahun: int) -> Iterator[pd.DataFrame]:
        """``indicators`` in slices (``_slices``), ordered by level, area and indicator with text compared as bytes
        (``COLLATE "C"`` on PostgreSQL, whose default collation may order otherwise): the order publishing writes."""
        t = self.table(INDICATORS)
        keys = [t.c.tingkat, t.c.kode_wilayah, t.c.indikator]
        order = [k.collate("C") for k in keys] if self.is_postgres else keys
        return self._slices(sa.select(*t.c).where(t.c.tahun == tahun).order_by(*order))

    def issues(self, tahun: int) -> pd.DataFrame:
        return self._select(ISSUES, self.table(ISSUES).c.tahun == tahun)

    def validation_summary(self, tahun: int) -> pd.DataFrame:
        return self._select(SUMMARY, self.table(SUMMARY).c.tahun == tahun)

    def count_rows(self, dataset: str, tahun: int) -> int:
        return self._count(data_table(dataset), self.table(data_table(dataset)).c.tahun == tahun)

    def count_quarantined_rows(self, dataset: str, tahun: int) -> int:
        """Rejected rows of readable files (a whole unreadable file is one entry with ``baris`` 0)."""
        t = self.table(QUARANTINE)
        return self._count(QUARANTINE, t.c.dataset == dataset, t.c.tahun == tahun, t.c.baris > 0)

    def dataset_rows(self, dataset: str, tahun: int) -> pd.DataFrame:
        t = self.table(data_table(dataset))
        return self._select(data_table(dataset), t.c.tahun == tahun, order=("kode_desa",))

    def reference(self, dataset: str, column: str, tahun: int) -> pd.DataFrame:
        """Two columns, not the whole table: a reference check reads one value per desa."""
        import pandas as pd

        t = self.table(data_table(dataset))
        query = (sa.select(t.c.kode_desa, t.c[column].label("nilai")).where(t.c.tahun == tahun)
                 .order_by(t.c.kode_desa))
        with self.engine.connect() as conn:
            return pd.read_sql(query, conn)

    def desa_codes(self, name: str, tahun: int) -> set[str]:
        """The distinct desa of a table in a year (coverage): one column, deduplicated by the database."""
        t = self.table(name)
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(t.c.kode_desa).where(t.c.tahun == tahun).distinct()).scalars())

    def rows_inside(self, dataset: str, tahun: int, kode_wilayah: str) -> pd.DataFrame:
        """A dataset's stored rows of one desa, or of every desa under a region (an operator's own data)."""
        t = self.table(data_table(dataset))
        return self._select(data_table(dataset), t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah),
                            order=("kode_desa",))

    def fingerprint(self, ignore: tuple[str, ...] = ("run_id",)) -> dict[str, str]:
        """A content hash per table, ordered: what 'a second run changes nothing' compares.

        ``ignore`` drops columns that legitimately differ between two deployments fed the same files
        (arrival times and the keys made from them), to compare a faulty run with a clean one. The notifications'
        tables are no data of the cycle: when a message was queued, tried or delivered differs from run to run
        (each verdict is queued once: ``tests/test_kabar.py``), so they are left out.
        """
        import hashlib

        out = {}
        for name in sorted(set(self.metadata.tables) - set(NOTIFICATIONS)):
            frame = self.table_frame(name)
            cols = sorted(c for c in frame.columns if c not in ignore)
            frame = frame[cols].sort_values(cols, ignore_index=True) if len(frame) else frame[cols]
            out[name] = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16] + f":{len(frame)}"
        return out
