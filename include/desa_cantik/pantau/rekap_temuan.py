"""Temuan: the gate's findings per rule in an area (how many, on how many desa and files, over the last runs),
and where one rule hit. The tier's own area counts every finding, those about no desa (a file outside the inbox
layout, an agency file) included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..findings import ERROR
from ..pii import mask_text
from ..regions import region_name
from ..storage import Warehouse
from .berkas import nama_berkas, pengirim_berkas
from .format import MAX_BARIS, SEVERITY_LABEL, run_order
from .katalog import InfoAturan, info_aturan, uraian_aturan
from .wilayah import sub_areas

MAX_RUNS = 6


@dataclass(frozen=True)
class BarisAturan:
    aturan: str
    dataset: str
    keparahan: str
    tingkat: str  # the ESS level(s) its findings were at: ``1``, ``0–1``
    uraian: str
    jumlah: int
    desa: int
    berkas: int
    run: int
    per_run: list[int]  # aligned with ``Temuan.runs``

    @property
    def label_keparahan(self) -> str:
        return SEVERITY_LABEL.get(self.keparahan, self.keparahan)


@dataclass(frozen=True)
class Temuan:
    tahun: int
    kode: str
    nama: str
    pilihan: list[tuple[str, str]]  # the areas it can be narrowed to (code, name)
    runs: list[str]  # newest last; at most ``MAX_RUNS``
    aturan: list[BarisAturan]


def _levels(low: int | None, high: int | None) -> str:
    if low is None:
        return "–"
    return str(low) if low == high or high is None else f"{low}–{high}"


def temuan(wh: Warehouse, tahun: int, wilayah_tingkat: str, kode: str) -> Temuan:
    """Findings per rule in an area: how many, on how many desa and files, over which runs."""
    where = "" if kode == wilayah_tingkat else kode
    per_run: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    for r in wh.rule_counts_per_run(tahun, where):
        per_run[(r.dataset, r.aturan, r.keparahan)][r.run_id] = int(r.jumlah)
    runs = sorted({run for counts in per_run.values() for run in counts}, key=run_order)[-MAX_RUNS:]
    rows = []
    for c in wh.rule_counts(tahun, where):
        counts = per_run[(c.dataset, c.aturan, c.keparahan)]
        rows.append(BarisAturan(c.aturan, c.dataset, c.keparahan, _levels(c.tingkat_min, c.tingkat_max),
                                uraian_aturan(c.aturan), int(c.jumlah), int(c.desa), int(c.berkas),
                                int(c.run), [counts.get(run, 0) for run in runs]))
    rows.sort(key=lambda b: (b.keparahan != ERROR, -b.jumlah, b.aturan))
    return Temuan(tahun, kode, region_name(kode), sub_areas(wilayah_tingkat), runs, rows)


# --- one rule ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kena:
    """One (file, desa) a rule hit, named for the page."""

    kode_desa: str
    nama_desa: str
    dataset: str
    keparahan: str
    jumlah: int
    run_id: str
    sha256: str
    nama_berkas: str
    pengirim: str


@dataclass(frozen=True)
class TemuanAturan:
    tahun: int
    kode: str
    nama: str
    info: InfoAturan
    total: int
    kena: list[Kena]
    contoh: list[str]


def temuan_aturan(wh: Warehouse, tahun: int, wilayah_tingkat: str, aturan: str, kode: str) -> TemuanAturan:
    """Where one rule hit: each (file, desa) with its run, linking to the report and Data Docs."""
    total, rows = wh.rule_hits(tahun, aturan, "" if kode == wilayah_tingkat else kode, MAX_BARIS)
    files = wh.files_by_sha([r.sha256_berkas for r in rows])
    names = _desa_names(r.kode_desa for r in rows)
    kena = [Kena(r.kode_desa or "", names.get(r.kode_desa or "", ""), r.dataset, r.keparahan,
                 int(r.jumlah), r.run_id, r.sha256_berkas, nama_berkas(files, r.sha256_berkas),
                 pengirim_berkas(files, r.sha256_berkas)) for r in rows]
    examples = [m for m in (mask_text(t) for t in wh.rule_messages(tahun, aturan)) if m]
    return TemuanAturan(tahun, kode, region_name(kode), info_aturan(aturan), total, kena, examples)


def _desa_names(codes: Iterable[str | None]) -> dict[str, str]:
    return {c: region_name(c) for c in set(codes) if c}
