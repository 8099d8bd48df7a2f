"""Indikator: the tier's own indicators with how many desa each rests on, and one level's table of one
indicator inside an area."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..datasets import all_indicators
from ..kosakata import LEVELS
from ..regions import region_name
from ..storage import Warehouse
from ..storage.rows import IndicatorRow
from .format import MAX_BARIS
from .wilayah import areas_per_level, level_of


@dataclass(frozen=True)
class BarisIndikator:
    kode_wilayah: str
    nama_wilayah: str
    indikator: str
    nama_indikator: str
    nilai: float | None
    satuan: str
    kontribusi: int
    total: int

    @property
    def persen(self) -> int:
        return round(100 * self.kontribusi / self.total) if self.total else 0


@dataclass(frozen=True)
class HalamanIndikator:
    tahun: int
    kode: str  # the tier's area
    nama: str
    tingkat_ada: list[tuple[str, int]]  # levels held, with their number of areas, top down
    ringkasan: list[BarisIndikator]  # every indicator for the tier's own area
    tingkat: str
    indikator: str
    nama_indikator: str
    induk: str  # the area the level's table is narrowed to
    total: int
    baris: list[BarisIndikator]
    pilihan_indikator: list[tuple[str, str]]


def _indicator_row(r: IndicatorRow, names: dict[str, str]) -> BarisIndikator:
    nilai = r.nilai
    return BarisIndikator(r.kode_wilayah, r.nama_wilayah, r.indikator, names.get(r.indikator, r.indikator),
                          None if nilai is None or (isinstance(nilai, float) and math.isnan(nilai)) else float(nilai),
                          r.satuan, int(r.desa_kontribusi), int(r.desa_total))


def halaman_indikator(wh: Warehouse, tahun: int, wilayah_tingkat: str, tingkat: str | None, indikator: str | None,
                      induk: str) -> HalamanIndikator:
    """The tier's own indicators with coverage, and one level's table (one indicator, inside ``induk``)."""
    names = {k: i.nama for k, i in all_indicators().items()}
    held = set(wh.indicator_levels(tahun, LEVELS))
    areas = areas_per_level(wilayah_tingkat)
    levels: list[tuple[str, int]] = [(lv, areas.get(lv, 0)) for lv in LEVELS if lv in held]
    own = level_of(wilayah_tingkat)
    _, top = wh.indicator_rows(tahun, own, wilayah_tingkat, None, len(names) + 1)
    below = [lv for lv, _ in levels if LEVELS.index(lv) > LEVELS.index(own)]
    level = tingkat if tingkat in held and tingkat else (below[0] if below else own)
    indikator = indikator if indikator in names else next(iter(names))
    total, rows = wh.indicator_rows(tahun, level, induk, indikator, MAX_BARIS)
    return HalamanIndikator(tahun, wilayah_tingkat, region_name(wilayah_tingkat), levels,
                            [_indicator_row(r, names) for r in top], level, indikator, names[indikator], induk, total,
                            [_indicator_row(r, names) for r in rows], sorted(names.items(), key=lambda kv: kv[1]))
