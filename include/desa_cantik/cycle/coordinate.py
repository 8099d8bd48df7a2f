"""Stage 5, koordinator (Bappeda): indicators per area from the components, with coverage.

A kabupaten/kota first computes each desa's components (numerator and denominator per indicator) from
the rows it stored; the tiers above use the components their children delivered (see ``tier``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..coordination import aggregate, desa_frame, indicator_components, indicator_sources, levels_for, master_for

if TYPE_CHECKING:
    from .runtime import Runtime

OWN_GATE = "gerbang"  # the ``versi`` of components computed from this tier's own gate


def own_components(rt: Runtime) -> int:
    """Components of every desa of the tier's region, from the accepted rows of the indicators' sources."""
    sources = {ds: rt.warehouse.dataset_rows(ds, rt.tahun) for ds in indicator_sources()}
    comps = indicator_components(desa_frame(master_for(rt.wilayah), sources), rt.tahun)
    return rt.warehouse.replace_components(rt.tahun, rt.wilayah,
                                           comps.assign(sumber=rt.settings.kode_paket, versi=OWN_GATE))


def coordinate(rt: Runtime) -> dict[str, int]:
    """Indicators per level; a desa appears only where it contributed, areas always (with their coverage)."""
    rt.tier.refresh_components(rt)
    comps = rt.warehouse.components(rt.tahun, rt.wilayah)
    result = aggregate(comps, master_for(rt.wilayah), rt.tahun, levels_for(rt.wilayah))
    result = result[(result["tingkat"] != "desa") | (result["desa_kontribusi"] > 0)]
    rt.warehouse.replace_indicators(rt.tahun, rt.wilayah, result)
    return {str(k): int(v) for k, v in result.groupby("tingkat").size().items()}
