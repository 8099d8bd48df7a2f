"""The cells as read, before any header is known: the sheet, what counts as blank or a number, a cell's text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..config import BatasBerkas
from ..findings import Issue
from .messages import TOO_BIG_SHEET, Unreadable, angka

Merge = tuple[tuple[int, int], tuple[int, int]]  # a merged range's first and last cell (row, column), 0-based


@dataclass
class Sheet:
    """The cells of the sheet (or CSV) the table is on; row ``i`` is the operator's row ``i + 1``."""

    rows: list[list[Any]]
    notes: list[Issue] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)  # 0-based, inclusive
    name: str = ""  # the sheet's name in a workbook


def check_area(rows: int, cols: int, batas: BatasBerkas, where: str = "Lembar") -> None:
    if rows > batas.baris:
        raise Unreadable(f"{where} berisi {angka(rows)} baris; batas {angka(batas.baris)} baris per berkas. "
                         f"{TOO_BIG_SHEET}")
    if cols > batas.kolom:
        raise Unreadable(f"{where} berisi {angka(cols)} kolom; batas {angka(batas.kolom)} kolom. {TOO_BIG_SHEET}")
    if rows * cols > batas.sel:
        raise Unreadable(f"{where} memakai {angka(rows)} baris × {angka(cols)} kolom = {angka(rows * cols)} sel; "
                         f"batas {angka(batas.sel)} sel. {TOO_BIG_SHEET}")


def is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    return isinstance(v, float) and v != v  # NaN


def at(row: list[Any], j: int) -> Any:
    return row[j] if 0 <= j < len(row) else None


def cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v).strip()


_NUMBER_LIKE = re.compile(r"[+-]?[\d.,\s]+")  # and a digit somewhere; two patterns, never one that backtracks
_DIGIT = re.compile(r"\d")


def number_like(v: object) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, float, np.integer, np.floating)):
        return bool(np.isfinite(v))
    return isinstance(v, str) and _NUMBER_LIKE.fullmatch(v.strip()) is not None and _DIGIT.search(v) is not None
