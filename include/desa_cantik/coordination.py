"""Bappeda coordination: join the sources per desa, compute the standard's indicators, aggregate upward.

Every aggregate is computed from accepted rows only and carries its coverage: the desa that contributed
to that indicator out of the desa that exist in the master list for the area.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from .config import DEPENDENCY_ORDER
from .datasets import all_indicators
from .kosakata import CODE_LENGTH, Level, child_length, level_of
from .kosakata import LEVELS as TOP_DOWN
from .regions import desa_table, region_name

UPWARD: tuple[Level, ...] = TOP_DOWN[::-1]  # desa first: the order a tier builds and publishes its levels
LEVELS: dict[str, int] = {level: CODE_LENGTH[level] for level in UPWARD}  # code length per level (kosakata's), desa first


def indicator_sources() -> tuple[str, ...]:
    """The datasets the indicators are computed from: ``sumber`` of ``standar/indikator.yaml``, in load order."""
    used = {s for ind in all_indicators().values() for s in ind.sumber}
    return tuple(ds for ds in DEPENDENCY_ORDER if ds in used) + tuple(sorted(used - set(DEPENDENCY_ORDER)))


def desa_frame(master: pd.DataFrame, sources: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per desa of the master list, with every accepted source value (NaN where none)."""
    frame = master[["kode_desa", "nama_desa", "kode_kecamatan", "kode_kabupaten", "kode_provinsi"]].copy()
    for name in indicator_sources():
        src = sources.get(name)
        if src is None or src.empty:
            continue
        keep = [c for c in src.columns if c not in ("tahun", "sha256_berkas", "diterima_pada", "kode_opd")]
        frame = frame.merge(src[keep], on="kode_desa", how="left")
    return frame


def _terms(frame: pd.DataFrame, expr: str) -> pd.Series:
    """Per-desa term of an indicator; all-NaN when a source it needs has no accepted rows at all."""
    scope = {c: frame[c] for c in frame.columns}
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = eval(expr, {"__builtins__": {}}, scope)  # noqa: S307 - expressions come from standar/indikator.yaml
    except NameError:
        return pd.Series(np.nan, index=frame.index)
    if not isinstance(value, pd.Series):
        value = pd.Series(float(value), index=frame.index)
    return value.astype("float64")


def indicator_components(frame: pd.DataFrame, tahun: int) -> pd.DataFrame:
    """Per desa and indicator, the numerator and denominator it contributes (contributing desa only).

    Sums are what travel upward: a province re-aggregates its kabupaten's components, never averages
    their ratios.
    """
    out = []
    for ind in all_indicators().values():
        num = _terms(frame, ind.pembilang)
        den = _terms(frame, ind.penyebut) if ind.penyebut else num.notna().astype("float64").where(num.notna())
        ok = num.notna() & den.notna()
        out.append(pd.DataFrame({"tahun": tahun, "kode_desa": frame.loc[ok, "kode_desa"].to_numpy(),
                                 "indikator": ind.kode, "pembilang": num[ok].to_numpy(), "penyebut": den[ok].to_numpy()}))
    return pd.concat(out, ignore_index=True)


def _positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """``index.get_indexer(values)`` for text (``index`` unique), looked up by Arrow: no Python object per value."""
    text = pa.large_string()
    found = pc.index_in(pa.array(values, type=text), value_set=pa.array(index, type=text))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.intp)


def _level(components: pd.DataFrame, master: pd.DataFrame, indicators: pd.DataFrame, tahun: int,
           level: str) -> pd.DataFrame:
    """Every indicator for every area of one level, in one grouping of all components, rows by area and indicator.

    Each component row goes to its (indicator, area) cell by position, indicator-major as a product of the
    two; the sums are pandas' grouped sums over each cell's rows in their order (so every bit as before a
    ``MultiIndex`` was dropped for speed); rows of an indicator or area not listed are left out. The cells are
    then taken area by area, indicators by code: the table's order, without sorting its text.
    """
    n = LEVELS[level]
    total = master["kode_desa"].str[:n].value_counts().sort_index()
    areas, k = total.index, len(indicators)
    which = _positions(components["indikator"], indicators.index)
    where = _positions(components["kode_desa"].str[:n], areas)
    keep = (which >= 0) & (where >= 0)
    cell = which[keep] * len(areas) + where[keep]
    sums = components.loc[keep, ["pembilang", "penyebut"]].groupby(cell).sum()
    num, den = np.zeros(k * len(areas)), np.zeros(k * len(areas))
    num[sums.index], den[sums.index] = sums["pembilang"].to_numpy(), sums["penyebut"].to_numpy()
    ok = np.bincount(cell, minlength=k * len(areas))
    faktor = np.repeat(indicators["faktor"].to_numpy(), len(areas))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, faktor * num / np.where(den > 0, den, np.nan), np.nan)
    value = np.where(np.repeat(indicators["rasio"].to_numpy(), len(areas)), ratio, faktor * num)
    value = np.where(ok > 0, value, np.nan)
    by_code = np.asarray(indicators.index.argsort())
    area, indicator = np.repeat(np.arange(len(areas)), k), np.tile(by_code, len(areas))
    at = indicator * len(areas) + area  # the cells, area by area
    return pd.DataFrame({
        "tahun": tahun, "tingkat": level, "kode_wilayah": areas.take(area), "indikator": indicators.index.take(indicator),
        "nilai": np.round(value.astype("float64"), 6)[at], "satuan": indicators["satuan"].to_numpy()[indicator],
        "desa_kontribusi": ok[at], "desa_total": total.to_numpy()[area],
    })


def _indicator_table() -> pd.DataFrame:
    inds = list(all_indicators().values())
    return pd.DataFrame({"faktor": [i.faktor for i in inds], "rasio": [bool(i.penyebut) for i in inds],
                         "satuan": [i.satuan for i in inds]}, index=pd.Index([i.kode for i in inds], name="indikator"))


def _levels(components: pd.DataFrame, master: pd.DataFrame, indicators: pd.DataFrame, tahun: int,
            levels: list[str]) -> pd.DataFrame:
    """The levels' indicators with area names (from ``master``), in the table's order (level, area, indicator):
    each level comes in that order (``_level``), the levels by name."""
    result = pd.concat([_level(components, master, indicators, tahun, level) for level in sorted(levels)],
                       ignore_index=True)
    codes = result["kode_wilayah"].unique().tolist()
    desa = pd.Series(master["nama_desa"].to_numpy(), index=master["kode_desa"]).reindex(codes).tolist()  # NaN: no desa
    area_names = {k: v if isinstance(v, str) and v else region_name(k)
                  for k, v in zip(codes, desa, strict=True)}
    result["nama_wilayah"] = result["kode_wilayah"].map(area_names)
    cols = ["tahun", "tingkat", "kode_wilayah", "indikator", "nama_wilayah", "nilai", "satuan", "desa_kontribusi",
            "desa_total"]
    return result[cols]


def aggregate(components: pd.DataFrame, master: pd.DataFrame, tahun: int, levels: list[str]) -> pd.DataFrame:
    """Indicators per area from components, vectorised: one grouping per level for all indicators; coverage
    counts against the master list."""
    return _levels(components, master, _indicator_table(), tahun, levels)


COMPONENT_COLUMNS = ["kode_desa", "indikator", "pembilang", "penyebut"]  # what travels upward (komponen_desa.csv)


def piece_length(kode_wilayah: str) -> int:
    """Code length of the areas ``aggregate_pieces`` takes one at a time: the provinces at the centre, the
    kabupaten/kota in a province; a kabupaten/kota (about a thousand desa at most) is one piece."""
    if level_of(kode_wilayah) in ("nasional", "provinsi"):
        return child_length(kode_wilayah) or 0
    return len(kode_wilayah)


def _pieces(batches: Iterable[pd.DataFrame], n: int) -> Iterator[tuple[str, pd.DataFrame]]:
    """Components ordered by desa, in batches of any size, regrouped into one frame per area (code cut to ``n``)."""
    current: str = ""
    pending: list[pd.DataFrame] = []
    for batch in batches:
        if batch.empty:
            continue
        codes = pa.array(batch["kode_desa"].str[:n], type=pa.large_string())
        change = pc.not_equal(codes[1:], codes[:-1]).to_numpy(zero_copy_only=False)
        bounds = [0, *(np.flatnonzero(change) + 1), len(batch)]
        for start, end in itertools.pairwise(bounds):
            code = codes[start].as_py()
            if code != current and pending:
                yield current, pd.concat(pending, ignore_index=True)
                pending = []
            current = code
            pending.append(batch.iloc[start:end])
    if pending:
        yield current, pd.concat(pending, ignore_index=True)


def aggregate_pieces(batches: Iterable[pd.DataFrame], master: pd.DataFrame, tahun: int, levels: list[str],
                     n: int) -> Iterator[pd.DataFrame]:
    """``aggregate`` in bounded memory: components stream in ordered by desa and are aggregated one area of code
    length ``n`` at a time (a province at the centre), each yielded table holding that area's levels.

    The levels above the pieces (the country at the centre) are grouped at the end from four columns of every
    component row, in the order they came: each sum runs over the same rows in the same order as in
    ``aggregate``, so every value is the same to the bit. Areas without components still get their rows.
    """
    indicators = _indicator_table()
    inside, above = [lv for lv in levels if LEVELS[lv] >= n], [lv for lv in levels if LEVELS[lv] < n]
    areas = dict(iter(master.groupby(master["kode_desa"].str[:n], sort=True)))
    kept: list[pd.DataFrame] = []
    done: set[str] = set()
    for code, comps in _pieces(batches, n):
        if code in done:
            raise ValueError(f"komponen tidak urut menurut kode_desa: {code} muncul dua kali")
        done.add(code)
        if above:
            kept.append(comps[COMPONENT_COLUMNS].assign(kode_desa=comps["kode_desa"].str[:n]))
        if inside and code in areas:
            yield _levels(comps, areas[code], indicators, tahun, inside)
    nothing = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("pembilang", "penyebut") else "str")
                            for c in COMPONENT_COLUMNS})
    for code in sorted(areas.keys() - done) if inside else []:
        yield _levels(nothing, areas[code], indicators, tahun, inside)
    if above:
        yield _levels(pd.concat(kept, ignore_index=True) if kept else nothing, master, indicators, tahun, above)


def compute_indicators(frame: pd.DataFrame, tahun: int, levels: list[str]) -> pd.DataFrame:
    """Indicators per area for each level, from a joined desa frame (see ``desa_frame``)."""
    return aggregate(indicator_components(frame, tahun), frame, tahun, levels)


def levels_for(kode_wilayah: str) -> list[str]:
    """The levels a tier publishes: everything from desa up to its own area."""
    return [lvl for lvl, n in LEVELS.items() if n >= len(kode_wilayah) and (n > 0 or not kode_wilayah)]


def master_for(kode_wilayah: str) -> pd.DataFrame:
    return desa_table(kode_wilayah).copy()
