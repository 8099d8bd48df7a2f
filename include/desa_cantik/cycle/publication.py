"""The tier's publication as the other stages see it, below them all: its coverage table, its last version, and
whether a child's package accepted after it asks for a correction (``publish`` makes it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..coordination import LEVELS, levels_for, master_for
from ..storage import layout

if TYPE_CHECKING:
    import pandas as pd

    from .runtime import Runtime


def coverage(rt: Runtime) -> pd.DataFrame:
    """Per source and area: desa with accepted data / desa in the master list."""
    import pandas as pd

    master = master_for(rt.wilayah)
    out = []
    levels = [lv for lv in levels_for(rt.wilayah) if lv != "desa"]
    desa = master["kode_desa"].tolist()
    areas = {level: master["kode_desa"].str[:LEVELS[level]] for level in levels}
    for source, codes in rt.tier.coverage_sources(rt).items():
        # a set lookup per desa: pandas' ``isin`` on Arrow text makes an Arrow scalar of each code it is given
        got = pd.Series([kode in codes for kode in desa], index=master.index, dtype=bool)
        for level in levels:
            g = pd.DataFrame({"kode": areas[level], "ada": got}).groupby("kode")["ada"]
            sums = g.sum()
            out.append(pd.DataFrame({"sumber": source, "tingkat": level, "kode_wilayah": sums.index,
                                     "desa_kontribusi": sums.to_numpy().astype(int),
                                     "desa_total": g.size().to_numpy()}))
    return pd.concat(out, ignore_index=True)


def last_published(rt: Runtime) -> str | None:
    key = layout.publication_pointer(rt.tahun, rt.settings.kode_paket)
    return str(json.loads(rt.store.get(key))["versi"]) if rt.store.exists(key) else None


def needs_correction(rt: Runtime) -> bool:
    """A child's package accepted after this tier published: the publication must be redone."""
    key = layout.publication_pointer(rt.tahun, rt.settings.kode_paket)
    if not rt.tier.corrects_late_packages or not rt.store.exists(key):
        return False
    return rt.warehouse.accepted_since(rt.tahun, json.loads(rt.store.get(key))["dipublikasi_pada"])
