"""Bappeda coordination: join the sources per desa, compute the standard's indicators, aggregate upward.

Every aggregate is computed from accepted rows only and carries its coverage: the desa that contributed
to that indicator out of the desa that exist in the master list for the area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import DEPENDENCY_ORDER
from .datasets import all_indicators
from .regions import desa_table, region_name

LEVELS = {"desa": 13, "kecamatan": 8, "kabupaten": 5, "provinsi": 2, "nasional": 0}


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


def _level(components: pd.DataFrame, master: pd.DataFrame, indicators: pd.DataFrame, tahun: int,
           level: str) -> pd.DataFrame:
    """Every indicator for every area of one level, in one grouping of all components."""
    n = LEVELS[level]
    total = master["kode_desa"].str[:n].value_counts()
    g = components.groupby([components["indikator"], components["kode_desa"].str[:n]]).agg(
        num=("pembilang", "sum"), den=("penyebut", "sum"), ok=("kode_desa", "size"))
    areas = pd.MultiIndex.from_product([indicators.index, total.index], names=["indikator", "kode_wilayah"])
    g = g.reindex(areas).fillna({"num": 0.0, "den": 0.0, "ok": 0})
    ind = indicators.reindex(g.index.get_level_values("indikator"))
    faktor, num, den = ind["faktor"].to_numpy(), g["num"].to_numpy(), g["den"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, faktor * num / np.where(den > 0, den, np.nan), np.nan)
    value = np.where(ind["rasio"].to_numpy(), ratio, faktor * num)
    value = np.where(g["ok"].to_numpy() > 0, value, np.nan)
    kode = g.index.get_level_values("kode_wilayah")
    return pd.DataFrame({
        "tahun": tahun, "tingkat": level, "kode_wilayah": kode, "indikator": g.index.get_level_values("indikator"),
        "nilai": np.round(value.astype("float64"), 6), "satuan": ind["satuan"].to_numpy(),
        "desa_kontribusi": g["ok"].astype(int).to_numpy(), "desa_total": total.reindex(kode).to_numpy(),
    })


def aggregate(components: pd.DataFrame, master: pd.DataFrame, tahun: int, levels: list[str]) -> pd.DataFrame:
    """Indicators per area from components, vectorised: one grouping per level for all indicators; coverage
    counts against the master list."""
    inds = list(all_indicators().values())
    indicators = pd.DataFrame({"faktor": [i.faktor for i in inds], "rasio": [bool(i.penyebut) for i in inds],
                               "satuan": [i.satuan for i in inds]}, index=pd.Index([i.kode for i in inds], name="indikator"))
    result = pd.concat([_level(components, master, indicators, tahun, level) for level in levels], ignore_index=True)
    names = dict(zip(master["kode_desa"], master["nama_desa"], strict=True))
    area_names = {k: names.get(k) or (region_name(k) if k else "Indonesia") for k in result["kode_wilayah"].unique()}
    result["nama_wilayah"] = [area_names[k] for k in result["kode_wilayah"]]
    cols = ["tahun", "tingkat", "kode_wilayah", "indikator", "nama_wilayah", "nilai", "satuan", "desa_kontribusi",
            "desa_total"]
    return result[cols].sort_values(["tingkat", "kode_wilayah", "indikator"], ignore_index=True)


def compute_indicators(frame: pd.DataFrame, tahun: int, levels: list[str]) -> pd.DataFrame:
    """Indicators per area for each level, from a joined desa frame (see ``desa_frame``)."""
    return aggregate(indicator_components(frame, tahun), frame, tahun, levels)


def levels_for(kode_wilayah: str) -> list[str]:
    """The levels a tier publishes: everything from desa up to its own area."""
    return [lvl for lvl, n in LEVELS.items() if n >= len(kode_wilayah) and (n > 0 or not kode_wilayah)]


def master_for(kode_wilayah: str) -> pd.DataFrame:
    return desa_table(kode_wilayah).copy()
