"""The charts' axes stay readable: on a 390-desa kabupaten, no two value labels of the x axis touch.

Vega measures its labels with its own font; the browser draws them with DejaVu Sans or Liberation, whose digits
are wider (0.64 em). The test estimates each label's extent that way from the SVG's own positions and anchors.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from desa_cantik import grafik

DIGIT_EM = 0.64  # DejaVu Sans' digit advance (Liberation Sans: 0.56): the widest font a server's browser uses
GAP_PX = 2.0
LABEL = re.compile(r'<text text-anchor="(start|middle|end)" transform="translate\(([-\d.]+),([-\d.]+)\)"'
                   r' font-family="[^"]*" font-size="([\d.]+)px"[^>]*>([^<]*)</text>')


def x_axis_labels(svg: str) -> list[tuple[float, float, str]]:
    """(left, right, text) of each number on the x axis (the labels on the axis' first line), left to right."""
    found = [(a, float(x), float(y), float(size), text) for a, x, y, size, text in LABEL.findall(svg)
             if re.fullmatch(r"[\d.,]+", text)]
    assert found, "no numeric labels in the chart"
    line = min(y for _, _, y, _, _ in found if y > 0)
    spans = []
    for anchor, x, y, size, text in found:
        if y != line:
            continue
        width = len(text) * DIGIT_EM * size
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        spans.append((left, left + width, text))
    return sorted(spans)


def assert_apart(svg: str) -> list[str]:
    spans = x_axis_labels(svg)
    for (_, right, a), (left, _, b) in pairwise(spans):
        assert left - right >= GAP_PX, f"label {a!r} runs into {b!r}: {[s[2] for s in spans]}"
    return [s[2] for s in spans]


def test_pantau_chart_labels_do_not_overlap_for_390_desa() -> None:
    datasets = ("proyeksi_penduduk", "kependudukan", "fasilitas", "kesehatan_anak")
    rows = [(ds, {"diterima": 358, "dengan catatan": 0, "ditolak": 16, "belum dikirim": 16}) for ds in datasets]
    labels = assert_apart(grafik.status_dataset(rows))
    assert labels[0] == "0" and labels[-1] == "400", labels  # the axis still reaches every desa


@pytest.mark.parametrize("lebar", [320, 520, 800])
def test_every_chart_keeps_its_labels_apart(lebar: int) -> None:
    rows = [(f"ds{i}", {"diterima": 8494 - 100 * i, "ditolak": 7}) for i in range(3)]
    assert_apart(grafik.status_dataset(rows, lebar))
    assert_apart(grafik.cakupan(["a", "b"], [37, 100], lebar))
    assert_apart(grafik.batang(["a", "b"], [12345.5, 390.0], "jiwa", lebar))
