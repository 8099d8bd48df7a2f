"""Charts of the monitoring pages, drawn on the server: altair (which GX brings) to SVG with ``vl-convert``.

The page gets an inline ``<svg>``: no JavaScript, no CDN, readable offline in a kabupaten server room.
A drawing costs ~70 ms, so the same chart (same data) is drawn once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

STATUS_COLOURS = {"diterima": "#2e7d32", "dengan catatan": "#f9a825", "ditolak": "#c62828", "belum dikirim": "#b0bec5"}
MAX_BARS = 60  # more bars than this are unreadable on a laptop; the table beside the chart has every row
ID_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}  # 8.494 and 12,5
LABEL_PX = 80  # at most one value label on the x axis per this many pixels: "400" never runs into "380"


@lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(json.loads(spec_json), format_locale=ID_LOCALE, allowed_base_urls=[]))


def svg(spec: dict[str, Any]) -> str:  # a Vega-Lite spec: open JSON
    """A Vega-Lite spec as SVG markup for inline use (the fixed size is left to CSS: ``max-width: 100%``)."""
    text = _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str))
    return text.replace('class="marks"', 'class="marks grafik" role="img"', 1)


def _config(chart: Any, lebar: int) -> Any:
    """Vega's default sans-serif (DejaVu/Liberation on the server): naming a font list makes each drawing ~3x slower.

    The x axis (a count or a value) gets a tick per ``LABEL_PX`` at most, and labels that would still touch are
    dropped: the browser's font can be wider than the one Vega measured with.
    """
    return chart.configure_view(stroke=None).configure_axis(labelLimit=220, titleFontWeight="normal").configure_axisX(
        tickCount=max(2, lebar // LABEL_PX), labelOverlap=True, labelSeparation=8)


def batang(label: list[str], nilai: list[float | None], judul_nilai: str, lebar: int = 520) -> str:
    """Horizontal bars, one per area (in the given order), for one indicator's values."""
    import altair as alt

    rows = [{"wilayah": lab, "nilai": v} for lab, v in zip(label, nilai, strict=True) if v is not None][:MAX_BARS]
    if not rows:
        return ""
    chart = alt.Chart({"values": rows}).mark_bar(color="#1565c0").encode(
        x=alt.X("nilai:Q", title=judul_nilai),
        y=alt.Y("wilayah:N", title=None, sort=None),
    ).properties(width=lebar, height=alt.Step(16))
    return svg(_config(chart, lebar).to_dict())


def cakupan(label: list[str], persen: list[int], lebar: int = 520) -> str:
    """Coverage per indicator or area: the share of desa that contributed, 0-100 %."""
    import altair as alt

    rows = [{"nama": lab, "persen": p} for lab, p in zip(label, persen, strict=True)][:MAX_BARS]
    if not rows:
        return ""
    chart = alt.Chart({"values": rows}).mark_bar(color="#00897b").encode(
        x=alt.X("persen:Q", title="cakupan desa (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("nama:N", title=None, sort=None),
    ).properties(width=lebar, height=alt.Step(18))
    return svg(_config(chart, lebar).to_dict())


def status_dataset(baris: list[tuple[str, dict[str, int]]], lebar: int = 520) -> str:
    """Desa per verdict for each dataset, stacked: how far the collection is, at a glance."""
    import altair as alt

    rows = [{"dataset": ds, "status": status, "desa": n, "urut": list(STATUS_COLOURS).index(status)}
            for ds, counts in baris for status, n in counts.items() if status in STATUS_COLOURS]
    if not rows:
        return ""
    chart = alt.Chart({"values": rows}).mark_bar().encode(
        x=alt.X("desa:Q", title="desa", stack="zero"),
        y=alt.Y("dataset:N", title=None, sort=None),
        color=alt.Color("status:N", title="status", sort=list(STATUS_COLOURS),
                        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        order=alt.Order("urut:Q"),
    ).properties(width=lebar, height=alt.Step(26))
    return svg(_config(chart, lebar).to_dict())
