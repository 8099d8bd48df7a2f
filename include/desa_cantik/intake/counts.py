"""Whole numbers as operators type them: numbers, numbers typed as text, Indonesian thousands (``1.234.567``).

What cannot be read with certainty is left empty with a note that names the row, the column and the value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..findings import INFO, Issue
from .cells import cell_text
from .messages import short

_BLANK, _NUMBER, _TEXT, _OTHER = 0, 1, 2, 3
_NOT_NUMBER = "bukan angka"
_NOT_WHOLE = "bukan bilangan bulat"
_AMBIGUOUS = "ambigu: koma bisa berarti desimal atau ribuan; tulis tanpa pemisah, mis. 1234"
_TOO_LARGE = "terlalu besar (lebih dari 15 angka)"


def _kind(v: object) -> int:
    if v is None:
        return _BLANK
    if isinstance(v, str):
        return _TEXT if v.strip() else _BLANK
    if isinstance(v, (bool, np.bool_)):
        return _OTHER
    if isinstance(v, (float, np.floating)):
        return _BLANK if v != v else _NUMBER  # NaN is an empty cell
    return _NUMBER if isinstance(v, (int, np.integer)) else _OTHER


def parse_counts(series: pd.Series, column: str, rows: pd.Series, notes: list[Issue]) -> pd.Series:
    """Whole numbers as float64 (NaN where empty or not readable), Indonesian thousands accepted.

    ``1.234`` and ``1.234.567`` are thousands; ``1,5`` and ``12.5`` are not whole numbers;
    ``1,234`` could be either convention, so it is not guessed. Unreadable values get a note here and
    fail the standard's "whole number" rule in the gate, which names the value. Numbers typed as text
    count like numbers; a formula's stored value off a whole number by rounding noise counts as whole.
    """
    cells = series.to_numpy(dtype=object)
    kinds = np.fromiter((_kind(v) for v in cells), dtype=np.int8, count=len(cells))
    values = np.full(len(cells), np.nan)
    reasons: dict[int, str] = dict.fromkeys(np.flatnonzero(kinds == _OTHER).tolist(), _NOT_NUMBER)
    reasons.update(_numbers(cells, np.flatnonzero(kinds == _NUMBER), values))
    reasons.update(_texts(cells, np.flatnonzero(kinds == _TEXT), values))
    row_numbers = rows.to_numpy()
    for i in sorted(reasons):
        n, shown = int(row_numbers[i]), short(cell_text(cells[i]))
        notes.append(Issue(n, column, "STR-ANGKA", INFO, f"Baris {n}, kolom {column}: nilai '{shown}' {reasons[i]}.",
                           nilai=shown, diharapkan="bilangan bulat ≥ 0", tingkat=0))
    return pd.Series(values, index=series.index, dtype="float64")


def _numbers(cells: np.ndarray, idx: np.ndarray, values: np.ndarray) -> dict[int, str]:
    floats = np.array([_as_float(v) for v in cells[idx]], dtype="float64")
    with np.errstate(invalid="ignore"):
        nearest = np.round(floats)
        whole = np.isfinite(floats) & (np.abs(floats - nearest) <= 1e-9 * np.maximum(1.0, np.abs(floats)))
    values[idx[whole]] = nearest[whole]
    return dict.fromkeys(idx[~whole].tolist(), _NOT_WHOLE)


def _as_float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except OverflowError:  # a Python int beyond float range
        return float("inf")


# numbers typed as text; the same patterns serve Python's re (few cells) and pyarrow's RE2 (many cells)
_SPACES = "[\t\n\v\f\r \u00a0\u2007\u202f]+"
_PLAIN = r"[+-]?\d{1,15}"
_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3}){1,4}"
_TEXT_REASONS = (  # checked in order, the last match wins
    (r"(?:[+-]?\d{16,}|[+-]?\d{1,3}(?:\.\d{3}){5,})", _TOO_LARGE),  # grouped: pandas anchors as ^...$
    (r"[+-]?\d+[,.]\d+", _NOT_WHOLE),
    (r"[+-]?\d{1,3}(?:,\d{3})+", _AMBIGUOUS),
)
_VECTOR_FROM = 512  # below this many text cells a plain loop is faster than building an Arrow column


def _texts(cells: np.ndarray, idx: np.ndarray, values: np.ndarray) -> dict[int, str]:
    """Numbers typed as text: plain digits, or Indonesian thousands (``1.234.567``); vectorised when many."""
    if len(idx) >= _VECTOR_FROM:
        return _texts_vectorised(cells, idx, values)
    reasons = {}
    for i in idx.tolist():
        number, reason = _text_number(cells[i])
        if reason is None:
            values[i] = number
        else:
            reasons[i] = reason
    return reasons


_RE_SPACES, _RE_OK = re.compile(_SPACES), re.compile(f"{_PLAIN}|{_THOUSANDS}", re.ASCII)
_RE_REASONS = tuple((re.compile(p, re.ASCII), r) for p, r in _TEXT_REASONS)


def _text_number(cell: str) -> tuple[float, str | None]:
    text = _RE_SPACES.sub("", cell)
    if _RE_OK.fullmatch(text):
        return float(text.replace(".", "")), None
    reason = _NOT_NUMBER
    for pattern, why in _RE_REASONS:
        if pattern.fullmatch(text):
            reason = why
    return np.nan, reason


def _texts_vectorised(cells: np.ndarray, idx: np.ndarray, values: np.ndarray) -> dict[int, str]:
    text = pd.Series(cells[idx].tolist(), dtype="str").str.replace(_SPACES, "", regex=True)
    ok = (text.str.fullmatch(_PLAIN) | text.str.fullmatch(_THOUSANDS)).to_numpy(dtype=bool)
    values[idx[ok]] = pd.to_numeric(text[ok].str.replace(".", "", regex=False), errors="coerce").to_numpy(dtype="float64")
    reason = np.full(len(idx), _NOT_NUMBER, dtype=object)
    for pattern, why in _TEXT_REASONS:
        reason[text.str.fullmatch(pattern).to_numpy(dtype=bool)] = why
    bad = ~ok
    return dict(zip(idx[bad].tolist(), reason[bad].tolist(), strict=True))
