"""The monitoring pages' and Kirim data's reads (``pantau``, ``kirim``): the database groups and counts, a page
reads tens of rows, each a frozen dataclass of ``rows``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from ..kosakata import DESA_LENGTH, DITOLAK
from .base import WarehouseBase
from .columns import chunks
from .rows import (
    Delivery,
    DesaStatus,
    FileIssue,
    FileRecord,
    FileRule,
    IndicatorRow,
    QuarantinedRow,
    RuleCount,
    RuleHit,
    RuleRunCount,
    StatusCount,
    StoredRow,
)
from .schema import COMPONENTS, DELIVERIES, INDICATORS, ISSUES, QUARANTINE, SUBMISSIONS, SUMMARY, data_table

Row = TypeVar("Row")


class Pages(WarehouseBase):
    def _rows(self, kind: Callable[..., Row], query: sa.Executable) -> list[Row]:
        """A query's rows as ``kind`` (its fields are the query's column labels)."""
        with self.engine.connect() as conn:
            return [kind(**r) for r in conn.execute(query).mappings()]

    def _desa_status(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str) -> sa.Select[Any]:
        """(kode_desa, status, sha256_berkas) of every desa a dataset has a verdict for.

        ``by_sender``: a desa sends its own file, and its newest file's verdict is the desa's. Otherwise one
        file covers many desa (an agency, BPS): a stored row is accepted (with notes when its file warned
        about that desa), a quarantined row never stored is rejected.
        """
        from ..findings import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK, WARNING

        if by_sender:
            t = self.table(SUBMISSIONS)
            urut = sa.func.row_number().over(partition_by=t.c.pengirim,
                                             order_by=(t.c.diterima_pada.desc(), t.c.sha256.desc()))
            newest = (sa.select(t.c.pengirim.label("kode_desa"), t.c.status, t.c.sha256.label("sha256_berkas"),
                                urut.label("urut"))
                      .where(t.c.tahun == tahun, t.c.dataset == dataset, sa.func.length(t.c.pengirim) == DESA_LENGTH,
                             self._inside(t.c.pengirim, kode_wilayah)).subquery())
            return sa.select(newest.c.kode_desa, newest.c.status, newest.c.sha256_berkas).where(newest.c.urut == 1)
        d, s, q = self.table(data_table(dataset)), self.table(SUMMARY), self.table(QUARANTINE)
        warned = (sa.select(s.c.sha256_berkas, s.c.kode_desa).distinct()
                  .where(s.c.tahun == tahun, s.c.dataset == dataset, s.c.keparahan == WARNING).subquery())
        status = sa.case((warned.c.kode_desa.is_(None), sa.literal(DITERIMA)), else_=sa.literal(DITERIMA_DENGAN_CATATAN))
        stored = (sa.select(d.c.kode_desa, status.label("status"), d.c.sha256_berkas)
                  .select_from(d.outerjoin(warned, sa.and_(warned.c.sha256_berkas == d.c.sha256_berkas,
                                                           warned.c.kode_desa == d.c.kode_desa)))
                  .where(d.c.tahun == tahun, self._inside(d.c.kode_desa, kode_wilayah)))
        rejected = (sa.select(q.c.kode_desa, sa.literal(DITOLAK).label("status"),
                              sa.func.max(q.c.sha256_berkas).label("sha256_berkas"))
                    .where(q.c.tahun == tahun, q.c.dataset == dataset, q.c.kode_desa.is_not(None),
                           self._inside(q.c.kode_desa, kode_wilayah),
                           ~sa.exists().where(d.c.kode_desa == q.c.kode_desa, d.c.tahun == tahun))
                    .group_by(q.c.kode_desa))
        return sa.select(sa.union_all(stored, rejected).subquery())

    def desa_status_counts(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str,
                           panjang_kode: int) -> list[StatusCount]:
        """Desa per verdict in each sub-area (codes cut to ``panjang_kode``: 8 = kecamatan, 5 = kabupaten)."""
        u = self._desa_status(tahun, dataset, by_sender, kode_wilayah).subquery()
        kode = sa.func.substr(u.c.kode_desa, 1, panjang_kode)
        return self._rows(StatusCount, sa.select(kode.label("kode_wilayah"), u.c.status, sa.func.count().label("jumlah"))
                              .group_by(kode, u.c.status))

    def desa_status(self, tahun: int, dataset: str, by_sender: bool, kode_wilayah: str) -> list[DesaStatus]:
        """Each desa's verdict for a dataset in an area (a kecamatan's few dozen desa)."""
        return self._rows(DesaStatus, self._desa_status(tahun, dataset, by_sender, kode_wilayah))

    def submissions_of_sender(self, tahun: int, pengirim: str) -> list[FileRecord]:
        """Every checked file of one sender, newest first (a desa's drill-down)."""
        t = self.table(SUBMISSIONS)
        return self._rows(FileRecord, sa.select(t).where(t.c.tahun == tahun, t.c.pengirim == pengirim)
                              .order_by(t.c.diterima_pada.desc(), t.c.sha256.desc()))

    def submissions_from(self, tahun: int, kode_wilayah: str) -> list[FileRecord]:
        """Checked files sent by a desa, or by every desa under a region, newest first."""
        t = self.table(SUBMISSIONS)
        inside = sa.or_(t.c.pengirim == kode_wilayah, t.c.pengirim.startswith(kode_wilayah + ".", autoescape=True))
        return self._rows(FileRecord, sa.select(t).where(t.c.tahun == tahun, inside).order_by(t.c.diterima_pada))[::-1]

    def submissions_not_from_desa(self, tahun: int, limit: int = 200) -> list[FileRecord]:
        """Files of agencies and BPS (one file for many desa), newest first."""
        t = self.table(SUBMISSIONS)
        return self._rows(FileRecord, sa.select(t).where(t.c.tahun == tahun, sa.func.length(t.c.pengirim) != DESA_LENGTH)
                              .order_by(t.c.diterima_pada.desc()).limit(limit))

    def rejected_between(self, tahun: int, mulai: str, selesai: str) -> list[FileRecord]:
        """Rejected files that arrived in [mulai, selesai) (ISO-8601 UTC), oldest first (BPS's daily digest)."""
        t = self.table(SUBMISSIONS)
        return self._rows(FileRecord, sa.select(t).where(t.c.tahun == tahun, t.c.status == DITOLAK,
                                                         t.c.diterima_pada >= mulai, t.c.diterima_pada < selesai)
                          .order_by(t.c.diterima_pada, t.c.sha256))

    def senders_with_files(self, tahun: int) -> set[tuple[str, str]]:
        """(dataset, sender) pairs the gate has checked a file of this year, whatever its verdict (reminders)."""
        t = self.table(SUBMISSIONS)
        with self.engine.connect() as conn:
            q = sa.select(t.c.dataset, t.c.pengirim).where(t.c.tahun == tahun).distinct()
            return {(str(r[0]), str(r[1])) for r in conn.execute(q)}

    def files_by_sha(self, shas: list[str]) -> dict[str, FileRecord]:
        """Registry rows of these files, newest arrival per sha256 (provenance of stored rows and findings)."""
        t = self.table(SUBMISSIONS)
        out: dict[str, FileRecord] = {}
        for chunk in chunks(sorted(set(shas)), 500):
            for row in self._rows(FileRecord, sa.select(t).where(t.c.sha256.in_(chunk)).order_by(t.c.diterima_pada)):
                out[row.sha256] = row
        return out

    def issues_of_files(self, shas: list[str], severities: tuple[str, ...], limit: int = 2000) -> list[FileIssue]:
        """The findings of these files (row, column, rule, message), in file and row order."""
        t = self.table(ISSUES)
        cols = (t.c.sha256_berkas, t.c.aturan, t.c.keparahan, t.c.tingkat, t.c.baris, t.c.kolom, t.c.pesan)
        out: list[FileIssue] = []
        for chunk in chunks(sorted(set(shas)), 500):
            out += self._rows(FileIssue, sa.select(*cols).where(t.c.sha256_berkas.in_(chunk), t.c.keparahan.in_(severities))
                                  .order_by(t.c.sha256_berkas, t.c.baris, t.c.aturan).limit(limit - len(out)))
            if len(out) >= limit:
                break
        return out

    def quarantine_of_desa(self, tahun: int, kode_desa: list[str], dataset: str | None = None) -> list[QuarantinedRow]:
        """Rejected rows of these desa (from any file), with their reasons."""
        t = self.table(QUARANTINE)
        cols = (t.c.dataset, t.c.kode_desa, t.c.sha256_berkas, t.c.baris, t.c.alasan)
        where = [t.c.tahun == tahun] + ([t.c.dataset == dataset] if dataset else [])
        out: list[QuarantinedRow] = []
        for chunk in chunks(sorted(set(kode_desa)), 500):
            out += self._rows(QuarantinedRow, sa.select(*cols).where(*where, t.c.kode_desa.in_(chunk))
                                  .order_by(t.c.kode_desa, t.c.dataset, t.c.baris))
        return out

    def rules_of_files(self, shas: list[str], kode_desa: list[str] | None = None) -> list[FileRule]:
        """Rules hit per file and desa (errors and warnings, summed), only for these desa when given."""
        t = self.table(SUMMARY)
        where = [t.c.kode_desa.in_(kode_desa)] if kode_desa is not None else []
        out: list[FileRule] = []
        for chunk in chunks(sorted(set(shas)), 500):
            out += self._rows(FileRule, sa.select(t.c.sha256_berkas, t.c.kode_desa, t.c.aturan, t.c.keparahan,
                                            sa.func.sum(t.c.jumlah).label("jumlah"))
                                  .where(t.c.sha256_berkas.in_(chunk), *where)
                                  .group_by(t.c.sha256_berkas, t.c.kode_desa, t.c.aturan, t.c.keparahan)
                                  .order_by(t.c.sha256_berkas, t.c.kode_desa, t.c.keparahan, t.c.aturan))
        return out

    def stored_rows_of_desa(self, tahun: int, kode_desa: str, datasets: list[str]) -> list[StoredRow]:
        """Per dataset, the stored row of a desa: which file it came from (its provenance)."""
        parts = []
        for ds in datasets:
            d = self.table(data_table(ds))
            parts.append(sa.select(sa.literal(ds).label("dataset"), d.c.sha256_berkas, d.c.baris_berkas, d.c.diterima_pada)
                         .where(d.c.kode_desa == kode_desa, d.c.tahun == tahun))
        return self._rows(StoredRow, sa.union_all(*parts)) if parts else []

    def rule_counts(self, tahun: int, kode_wilayah: str) -> list[RuleCount]:
        """Per dataset and rule: findings, desa, files and runs in an area, and the ESS levels they were at."""
        t = self.table(SUMMARY)
        return self._rows(
            RuleCount, sa.select(t.c.dataset, t.c.aturan, t.c.keparahan, sa.func.min(t.c.tingkat).label("tingkat_min"),
                      sa.func.max(t.c.tingkat).label("tingkat_max"), sa.func.sum(t.c.jumlah).label("jumlah"),
                      sa.func.count(t.c.kode_desa.distinct()).label("desa"),
                      sa.func.count(t.c.sha256_berkas.distinct()).label("berkas"),
                      sa.func.count(t.c.run_id.distinct()).label("run"))
            .where(t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah))
            .group_by(t.c.dataset, t.c.aturan, t.c.keparahan))

    def rule_counts_per_run(self, tahun: int, kode_wilayah: str) -> list[RuleRunCount]:
        """Findings per dataset, rule and run (how a rule's count moves from run to run)."""
        t = self.table(SUMMARY)
        return self._rows(RuleRunCount, sa.select(t.c.dataset, t.c.aturan, t.c.keparahan, t.c.run_id,
                                        sa.func.sum(t.c.jumlah).label("jumlah"))
                              .where(t.c.tahun == tahun, self._inside(t.c.kode_desa, kode_wilayah))
                              .group_by(t.c.dataset, t.c.aturan, t.c.keparahan, t.c.run_id))

    def rule_hits(self, tahun: int, aturan: str, kode_wilayah: str, limit: int) -> tuple[int, list[RuleHit]]:
        """How many (file, desa) a rule hit in an area, and the first ``limit`` of them by desa code."""
        t = self.table(SUMMARY)
        where = (t.c.tahun == tahun, t.c.aturan == aturan, self._inside(t.c.kode_desa, kode_wilayah))
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())
        rows = self._rows(RuleHit, sa.select(t.c.kode_desa, t.c.dataset, t.c.keparahan, t.c.jumlah, t.c.run_id,
                                        t.c.sha256_berkas).where(*where)
                              .order_by(t.c.kode_desa, t.c.dataset, t.c.sha256_berkas).limit(limit))
        return total, rows

    def rule_messages(self, tahun: int, aturan: str, limit: int = 5) -> list[str]:
        """A few of a rule's messages as operators read them (examples beside the catalogue's wording)."""
        t = self.table(ISSUES)
        with self.engine.connect() as conn:
            return [str(m) for m in conn.execute(sa.select(t.c.pesan).where(t.c.tahun == tahun, t.c.aturan == aturan)
                                                 .limit(limit)).scalars()]

    def indicator_levels(self, tahun: int, levels: tuple[str, ...]) -> list[str]:
        """Which of these levels the indicator table holds: one index probe each, not a scan of every row."""
        t = self.table(INDICATORS)
        with self.engine.connect() as conn:
            return [lv for lv in levels
                    if conn.execute(sa.select(t.c.tingkat).where(t.c.tahun == tahun, t.c.tingkat == lv).limit(1)).first()]

    def indicator_rows(self, tahun: int, tingkat: str, kode_wilayah: str, indikator: str | None,
                       limit: int) -> tuple[int, list[IndicatorRow]]:
        """Indicator rows of one level inside an area (optionally one indicator): the count and the first rows."""
        t = self.table(INDICATORS)
        where = [t.c.tahun == tahun, t.c.tingkat == tingkat, self._inside(t.c.kode_wilayah, kode_wilayah)]
        if indikator:
            where.append(t.c.indikator == indikator)
        with self.engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar_one())
        rows = self._rows(IndicatorRow, sa.select(t).where(*where).order_by(t.c.kode_wilayah, t.c.indikator).limit(limit))
        return total, rows

    def component_desa_counts(self, tahun: int, panjang_kode: int) -> dict[str, int]:
        """Desa with components per sub-area (codes cut to ``panjang_kode``): a child's coverage as loaded."""
        t = self.table(COMPONENTS)
        desa = sa.select(t.c.kode_desa).distinct().where(t.c.tahun == tahun).subquery()
        kode = sa.func.substr(desa.c.kode_desa, 1, panjang_kode)
        with self.engine.connect() as conn:
            return {str(k): int(n) for k, n in conn.execute(sa.select(kode, sa.func.count()).group_by(kode))}

    def years(self) -> list[int]:
        """The years the warehouse holds anything of, newest first: files checked, packages received, indicators.
        The indicator table's key starts with the year: one index probe per year found, not a scan of its rows."""
        s, d, i = self.table(SUBMISSIONS), self.table(DELIVERIES), self.table(INDICATORS)
        with self.engine.connect() as conn:
            found = {int(y) for y in conn.execute(sa.union(sa.select(s.c.tahun), sa.select(d.c.tahun))).scalars()}
            after: int | None = None
            while (y := conn.execute(sa.select(sa.func.min(i.c.tahun))
                                     .where(sa.true() if after is None else i.c.tahun > after)).scalar()) is not None:
                found.add(after := int(y))
        return sorted(found, reverse=True)

    def delivery_rows(self, tahun: int) -> list[Delivery]:
        """Every package version received, newest first per sender."""
        t = self.table(DELIVERIES)
        return self._rows(Delivery, sa.select(t).where(t.c.tahun == tahun).order_by(t.c.kode_pengirim, t.c.versi.desc()))
