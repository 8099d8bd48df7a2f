"""An ODS's ``content.xml``, scanned before calamine reads it: the cells each sheet places.

calamine reads every sheet of an ODS when it opens the file. A row or a cell may stand for many
(``table:number-rows-repeated``, ``table:number-columns-repeated``): a few bytes can place a cell a million
rows down, and calamine fills the area up to it. So the area each sheet fills, and all sheets together, is
bounded here first, in linear time on bytes, counting as calamine counts: rows and cells of the ``table:``
names, a repeated row or cell as many, empty rows and cells after the last filled one not at all. What the
scan cannot read whole is refused; what it counts beyond calamine (a table in a cell) only makes the bound larger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import BatasBerkas
from .cells import check_area
from .messages import ODS_DAMAGED, TOO_BIG_SHEET, Unreadable, angka

_ATTRS = rb"""((?:[^<>"']|"[^"]*"|'[^']*')*)"""
_TAGS = re.compile(rb"<table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])" + _ATTRS + rb">"
                   rb"|</table:(table|table-row)\s*>")
_ANY_TAG = re.compile(rb"<table:(?:table|table-row|table-cell|covered-table-cell)[\s/>]|</table:(?:table|table-row)[\s>]")
_ROWS_REPEATED = re.compile(rb"""table:number-rows-repeated\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_COLUMNS_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VALUE = re.compile(rb"""(?:office:[\w-]+|table:formula)\s*=""")
_NUMBER = re.compile(rb"\+?[0-9]+")
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384


@dataclass
class _Table:
    rows: int = 0  # rows so far, repeats counted
    filled_rows: int = 0  # rows down to the last filled row
    columns: int = 0  # columns out to the furthest filled cell
    depth: int = 1  # a table in a cell counts with the sheet it is in
    row_repeat: int = 0
    width: int = 0
    filled: int = 0

    def end_row(self) -> None:
        self.rows = min(self.rows + self.row_repeat, _MAX_ROWS)
        if self.filled:
            self.filled_rows, self.columns = self.rows, max(self.columns, self.filled)
        self.row_repeat = self.width = self.filled = 0


def scan_content(part: bytes, batas: BatasBerkas) -> None:
    """Refuse a ``content.xml`` whose sheets would make calamine fill more cells than the limits allow."""
    tags = sum(1 for _ in _ANY_TAG.finditer(part))
    read = 0
    sheets: list[tuple[int, int]] = []
    table: _Table | None = None
    for m in _TAGS.finditer(part):
        read += 1
        start, attrs, end = m.group(1), m.group(2) or b"", m.group(3)
        if start == b"table" and attrs.endswith(b"/"):
            continue  # a table with nothing in it
        if start == b"table" or end == b"table":
            table = _table_tag(table, start is not None, sheets, batas)
        elif table is not None:
            _row_or_cell(table, start, attrs, end)
    if read != tags:
        raise Unreadable(ODS_DAMAGED)  # a tag not read whole: the XML parser may read it otherwise
    if table is not None:
        _table_tag(table, False, sheets, batas, closing_all=True)


def _table_tag(table: _Table | None, opens: bool, sheets: list[tuple[int, int]], batas: BatasBerkas,
               closing_all: bool = False) -> _Table | None:
    if opens:
        if table is None:
            return _Table()
        table.depth += 1
        return table
    if table is None:
        return None
    table.depth = 0 if closing_all else table.depth - 1
    if table.depth > 0:
        return table
    if table.row_repeat:
        table.end_row()
    sheets.append((table.filled_rows, table.columns))
    _check_sheets(sheets, batas)
    return None


def _check_sheets(sheets: list[tuple[int, int]], batas: BatasBerkas) -> None:
    rows, cols = sheets[-1]
    check_area(rows, cols, batas)
    if len(sheets) > batas.lembar:
        raise Unreadable(f"Berkas berisi lebih dari {angka(batas.lembar)} lembar; batas {angka(batas.lembar)} lembar. "
                         "Hapus lembar yang tidak perlu, lalu kirim ulang.")
    cells = sum(r * c for r, c in sheets)
    if cells > batas.sel:
        raise Unreadable(f"Lembar berkas ini bersama-sama memakai {angka(cells)} sel; batas {angka(batas.sel)} sel. "
                         f"{TOO_BIG_SHEET}")


def _row_or_cell(table: _Table, start: bytes | None, attrs: bytes, end: bytes | None) -> None:
    closed = attrs.endswith(b"/")
    if end == b"table-row":
        table.end_row()
    elif start == b"table-row":
        if table.row_repeat:
            table.end_row()  # a row never closed: counted as calamine would count it, at least
        table.row_repeat = _repeat(_ROWS_REPEATED, attrs, _MAX_ROWS)
        if closed:
            table.end_row()
    else:
        table.width = min(table.width + _repeat(_COLUMNS_REPEATED, attrs, _MAX_COLUMNS), _MAX_COLUMNS)
        if not closed or _VALUE.search(attrs):
            table.filled = table.width
        if not table.row_repeat:
            table.row_repeat = 1  # a cell outside a row: counted in a row of its own


def _repeat(pattern: re.Pattern[bytes], attrs: bytes, cap: int) -> int:
    values = [a or b for a, b in pattern.findall(attrs)]
    if not values:
        return 1
    if not all(_NUMBER.fullmatch(v) for v in values):
        raise Unreadable(ODS_DAMAGED)
    return min(max(int(v) if len(v) <= 12 else cap for v in values), cap)
