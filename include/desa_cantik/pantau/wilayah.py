"""The region hierarchy as the pages walk it: breadcrumbs, which codes a tier's pages accept, the areas a page
can be narrowed to and how many areas each level holds. Levels come from ``kosakata``, names and the desa
list from ``regions``; ``wilayah_tingkat`` is the tier's own region code (``""`` at the centre)."""

from __future__ import annotations

from functools import lru_cache

from .. import kosakata
from ..kosakata import CODE_LENGTH, LEVELS, Level, child_level, within
from ..regions import desa_table, get_region, normalise_code, region_name

nama_wilayah = region_name  # what the pages and their Jinja call it: "Indonesia" for "", else the code's name


def level_of(kode: str) -> str:
    """A code's level (``35.07``: kabupaten), or ``wilayah`` for what is not a canonical code."""
    return kosakata.level_of(kode) or "wilayah"


def levels_from(level: Level | None) -> tuple[Level, ...]:
    """``level`` and every level below it, top down (none for an unknown level)."""
    return LEVELS[LEVELS.index(level):] if level else ()


def jejak(wilayah_tingkat: str, kode: str) -> list[tuple[str, str]]:
    """Breadcrumbs from the tier's own area down to ``kode``: (code, name) pairs."""
    bottom = kosakata.level_of(kode)
    path = [kosakata.cut(kode, lv) for lv in levels_from(kosakata.level_of(wilayah_tingkat))
            if bottom and LEVELS.index(lv) <= LEVELS.index(bottom)]
    return [(k, region_name(k)) for k in path or [kode]]


def area_inside(wilayah_tingkat: str, kode: str) -> str | None:
    """A code typed in a URL as a canonical area of this tier (None: not a region, or outside it)."""
    norm = "" if kode in ("", "ID") else normalise_code(kode)
    if norm is None or (norm and get_region(norm) is None) or not within(norm, wilayah_tingkat):
        return None
    return norm


@lru_cache(maxsize=8)
def sub_areas(wilayah_tingkat: str) -> list[tuple[str, str]]:
    """The areas one and two levels below the tier (never desa) a page can be narrowed to: kecamatan of a
    kabupaten; kabupaten and kecamatan of a province; provinces and kabupaten at the centre."""
    master = desa_table(wilayah_tingkat)["kode_desa"]
    codes: set[str] = set()
    level = kosakata.level_of(wilayah_tingkat)
    for _ in range(2):
        level = child_level(level) if level else None
        if level is None or level == "desa":
            break
        codes |= set(master.str[:CODE_LENGTH[level]])
    return [(k, f"{k} {region_name(k)}") for k in sorted(codes)]


@lru_cache(maxsize=8)
def areas_per_level(wilayah_tingkat: str) -> dict[str, int]:
    """How many areas each level has inside the tier, from the region list (what coverage counts against)."""
    master = desa_table(wilayah_tingkat)["kode_desa"]
    return {lv: int(master.str[:CODE_LENGTH[lv]].nunique())
            for lv in levels_from(kosakata.level_of(wilayah_tingkat))}
