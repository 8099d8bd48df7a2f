"""A workbook part's XML, scanned before calamine reads it: the cells it places, the strings it declares.

calamine sizes a sheet by the furthest cell it places and reserves shared strings by the declared count;
in Rust an allocation failure aborts the process, so both are bounded here, in linear time, on bytes.
Number cells too large for a date are rewritten as text cells (``huge_numbers_as_text``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from ..config import BatasBerkas
from .cells import check_area
from .messages import XLSX_DAMAGED, Unreadable

_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"  # any namespace prefix
# a cell or row start tag with its attributes (quoted values may hold ">", as the XML parser allows; an unquoted
# "<" ends the attempt, so broken tags cost linear time), or a row end tag
_TAGS = re.compile(rb"<" + _PREFIX + rb"""(row|c)(?=[\s/>])((?:[^<>"']|"[^"]*"|'[^']*')*)>|</""" + _PREFIX + rb"row\s*>")
_ANY_TAG = re.compile(rb"<" + _PREFIX + rb"(?:row|c)[\s/>]|</" + _PREFIX + rb"row[\s/>]")  # what _TAGS must read
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_REF = re.compile(rb"[A-Za-z]{0,3}([0-9]{1,7})")
_UNIQUE_COUNT = re.compile(rb"""uniqueCount\s*=\s*["']\s*\+?([0-9]+)""")
_MAX_XLSX_ROW, _MAX_XLSX_COL = 1_048_576, 16_384
_ROOT = re.compile(rb"<[^?!]")  # the first element: the prolog (declaration, comments, a DTD) ends there
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)


def scan_part(part: bytes, batas: BatasBerkas) -> None:
    """Refuse a part that would make the workbook reader allocate beyond the limits.

    calamine sizes a sheet by the furthest cell it places (a cell at XFD1048576 is 17 billion cells) and
    reserves shared strings by the declared ``uniqueCount``; in Rust an allocation failure aborts the
    process. Every part is scanned, whatever its name: the workbook's relations decide which part is a sheet.
    A DTD (where entity expansion lives) is an error in any part of a package (ECMA-376 Part 2, M1.18);
    Excel and LibreOffice never write one.
    """
    root = _ROOT.search(part)
    if _DOCTYPE.search(part, 0, root.start() if root else len(part)):
        raise Unreadable(XLSX_DAMAGED)
    for m in _UNIQUE_COUNT.finditer(part):
        if len(m.group(1)) > 12 or int(m.group(1)) > batas.sel:
            raise Unreadable(XLSX_DAMAGED)
    if b"<" in part:
        rows, cols = _cell_extent(part, batas)
        check_area(rows, cols, batas)


# a cell value of 10 or more digits before the point, an exponent of 9 or more, or not finite
_HUGE = rb"<" + _PREFIX + rb"v>\s*[+-]?(?:\d{10,}|[\d.]*[eE]\+?(?:9|[1-9]\d+)\b|(?i:inf|nan))"
_HUGE_NUMBER = re.compile(_HUGE)
_CELL_OR_HUGE = re.compile(rb"(?P<cell><" + _PREFIX + rb"c[\s>])|(?P<huge>" + _HUGE + rb")")
_TYPE_ATTR = re.compile(rb"""\s+t\s*=\s*["'][^"']*["']""")


def huge_numbers_as_text(part: bytes) -> bytes:
    """Number cells of 10^9 and more become text cells with the same digits.

    calamine turns a number in a date- or time-formatted cell into a date: beyond its range that panics
    in Rust (printing a backtrace) or overflows Python's timedelta. No count comes near 10^9, and a code
    typed as a number (3507012001) reads the same as text; as text, a date format does not apply.
    """
    if _HUGE_NUMBER.search(part) is None:
        return part
    out: list[bytes] = []
    last, cell = 0, -1
    for m in _CELL_OR_HUGE.finditer(part):
        if m.group("cell"):
            cell = m.start()
            continue
        end = part.find(b">", cell) if cell >= last else -1
        tag = part[cell:end]
        kind = _TYPE_ATTR.search(tag)
        if end < 0 or end > m.start() or tag.endswith(b"/") or (
                kind is not None and kind.group(0).split(b"=")[-1].strip(b"\"' ") != b"n"):
            continue  # not inside a cell; or text, shared string, boolean, error: never turned into a date
        out += [part[last:cell], _TYPE_ATTR.sub(b"", tag), b' t="str"']
        last = end
    return b"".join([*out, part[last:]])


def _cell_extent(part: bytes, batas: BatasBerkas) -> tuple[int, int]:
    """Rows and columns from A1 to the furthest cell with content, placed as calamine places cells.

    Written by Excel, LibreOffice and libraries, every cell starts ``<c r="B7"``: read in bulk. Otherwise
    each tag is followed (``_cell_extent_tags``).
    """
    max_row = max_col = 0
    letters: set[bytes] = set()
    for piece in _pieces(part):
        cells = _FAST_CELL.findall(piece)
        if len(cells) != len(_ANY_CELL.findall(piece)):
            return _cell_extent_tags(part, batas)
        full = [(c, r) for c, r, _, end in cells if not end]  # <c .../> holds nothing: skipped
        if full:
            max_row = max(max_row, *map(int, [r for _, r in full]))
            letters.update(c for c, _ in full)
    for c in letters:
        max_col = max(max_col, _column_number(c))
    if max_row > _MAX_XLSX_ROW or max_col > _MAX_XLSX_COL:
        raise Unreadable(XLSX_DAMAGED)
    return max_row, max_col


_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"((?:\s+[A-Za-qs-z_][\w:.\-]*="[^"<>]*")*)\s*(/?)>')
_ANY_CELL = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
_PIECE = 4 * 1024 * 1024


def _pieces(part: bytes) -> Iterator[bytes]:
    """The part in pieces of about 4 MB, each cut just after a ``>`` (no tag is split)."""
    start = 0
    while start < len(part):
        end = part.find(b">", start + _PIECE) + 1 or len(part)
        yield part[start:end]
        start = end


def _column_number(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


def _cell_extent_tags(part: bytes, batas: BatasBerkas) -> tuple[int, int]:
    """Tag by tag, as calamine reads: a cell's ``r`` gives its place; without it, the place follows the
    previous cell, in the row the last ``<row r>`` named (counted on at each ``</row>``). Empty cells
    (``<c .../>``) hold nothing and are skipped. Anything the XML parser would not see as a cell
    (comments, attribute text) only makes the bound larger. More tags than the limits allow: refused.
    """
    cap = batas.sel + 3 * batas.baris  # more tags than cells and rows allowed: refused before reading them
    tags = sum(1 for _ in itertools.islice(_ANY_TAG.finditer(part), cap + 1))
    if tags > cap:
        raise Unreadable(XLSX_DAMAGED)
    row = col = max_row = max_col = read = 0
    for m in _TAGS.finditer(part):
        tag, attrs = m.group(1), m.group(2)
        read += 1
        if tag is None:  # </row>
            row, col = row + 1, 0
            continue
        if attrs.endswith(b"/"):
            continue
        refs = _REF.findall(attrs)
        if tag == b"row":
            row = max((_row_of(r) for r in refs), default=row)
            continue
        if refs:
            places = [_cell_of(r) for r in refs]
            r, col = max(p[0] for p in places), max(p[1] for p in places)
        else:
            r = row
        max_row, max_col = max(max_row, r + 1), max(max_col, col + 1)
        col += 1
    if read != tags:
        raise Unreadable(XLSX_DAMAGED)  # a tag not read whole: the XML parser may read it otherwise
    return max_row, max_col


def _row_of(ref: bytes) -> int:
    m = _ROW_REF.fullmatch(ref)
    if m is None or not 0 < int(m.group(1)) <= _MAX_XLSX_ROW:
        raise Unreadable(XLSX_DAMAGED)
    return int(m.group(1)) - 1


def _cell_of(ref: bytes) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        raise Unreadable(XLSX_DAMAGED)
    col = _column_number(m.group(1))
    if col > _MAX_XLSX_COL:
        raise Unreadable(XLSX_DAMAGED)
    return _row_of(m.group(2)), col - 1
