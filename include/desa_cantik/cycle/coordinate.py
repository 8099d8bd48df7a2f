"""Stage 5, koordinator (Bappeda): indicators per area from the components, with coverage.

A kabupaten/kota first computes each desa's components (numerator and denominator per indicator) from
the rows it stored; the tiers above use the components their children delivered (see ``tier``). The
components stream from the warehouse one child area at a time (a province at the centre), and each area's
indicators are loaded as they are computed: the centre's 750k component rows never sit in memory at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pandas as pd

from ..coordination import (
    aggregate_pieces,
    desa_frame,
    indicator_components,
    indicator_sources,
    levels_for,
    master_for,
    piece_length,
)

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
    counts: Counter[str] = Counter()

    def derive(components: Iterator[pd.DataFrame]) -> Iterable[pd.DataFrame]:
        for part in aggregate_pieces(components, master_for(rt.wilayah), rt.tahun, levels_for(rt.wilayah),
                                     piece_length(rt.wilayah)):
            part = part[(part["tingkat"] != "desa") | (part["desa_kontribusi"] > 0)]
            counts.update(part["tingkat"].value_counts().to_dict())
            yield part

    rt.warehouse.rebuild_indicators(rt.tahun, rt.wilayah, derive)
    return {str(k): int(counts[k]) for k in sorted(counts)}
