"""The rows under the header that are not desa: a row of column numbers, notes and signatures, totals rows.

A body is the non-empty rows under the header, each with its row number in the operator's file. A totals row
at the bottom is known by its label; a subtotal between the desa (``Jumlah Kec. ...`` after each kecamatan's
desa, the usual report layout) needs more: no desa code, the label, and its numbers the sums of the desa
above it, so a desa row that only lacks its code is never taken for one.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from ..config import BatasBerkas
from ..findings import INFO, Issue
from ..regions import normalise_code
from .cells import at, cell_text, is_blank, number_like
from .messages import RESEND, Unreadable, angka

Body = list[tuple[int, list[Any]]]
_TOTAL_WORDS = re.compile(r"^\s*(jumlah|total|jml|grand total|sub[\s-]?total)\b", re.IGNORECASE)


def trim_body(body: Body, mapping: dict[int, str], counts: list[int]) -> tuple[Body, list[Issue]]:
    """Rows under the header that are not desa: a row of column numbers, notes and signatures, totals rows.

    ``counts``: the columns of whole numbers, whose sums tell a subtotal row.
    """
    notes: list[Issue] = []
    if body and _is_numbering_row(body[0][1], mapping):
        n = body[0][0]
        notes.append(Issue(n, None, "STR-NOMOR", INFO, f"Baris {n} berisi nomor kolom (1, 2, 3, …); tidak dibaca "
                           "sebagai data.", tingkat=0))
        body = body[1:]
    body, tail_note = _drop_notes_below(body, mapping)
    body, total_note = _drop_totals_row(body, mapping)
    body, subtotal_notes = _drop_subtotals(body, mapping, counts)
    return body, notes + [n for n in (tail_note, total_note) if n is not None] + subtotal_notes


def _is_numbering_row(row: list[Any], mapping: dict[int, str]) -> bool:
    """``(1) (2) (3)`` or ``1 2 3`` under the header: the column numbers of a printed table."""
    values = [at(row, j) for j in sorted(mapping)]
    numbers = []
    for v in values:
        text = cell_text(v).strip("() ") if not is_blank(v) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 3:
            return False
        numbers.append(int(text))
    return len(numbers) >= 3 and all(b > a for a, b in itertools.pairwise(numbers))


_CODE_LIKE = re.compile(r"[\d.\s]+")


def _data_like(row: list[Any], key: int | None, values: list[int]) -> bool:
    """A desa row: a code-like key, or numbers in at least two value columns (one if there is one)."""
    k = at(row, key) if key is not None else None
    if not is_blank(k) and _CODE_LIKE.fullmatch(cell_text(k)) and sum(ch.isdigit() for ch in cell_text(k)) >= 4:
        return True
    return sum(1 for j in values if number_like(at(row, j))) >= min(2, len(values))


def _drop_notes_below(body: Body, mapping: dict[int, str]) -> tuple[Body, Issue | None]:
    key = _key_column(mapping)
    values = [j for j, c in mapping.items() if c != "kode_desa"]
    last = next((i for i in range(len(body) - 1, -1, -1) if _data_like(body[i][1], key, values)), None)
    if last is None or last == len(body) - 1:
        return body, None  # nothing below the data, or no data at all (then every row is reported)
    first, end = body[last + 1][0], body[-1][0]
    where = f"Baris {first}" if first == end else f"Baris {first}–{end}"
    return body[: last + 1], Issue(first, None, "STR-CATATAN", INFO,
                                   f"{where} di bawah tabel (catatan atau tanda tangan) tidak dibaca sebagai data.",
                                   tingkat=0)


def _drop_totals_row(body: Body, mapping: dict[int, str]) -> tuple[Body, Issue | None]:
    if not body:
        return body, None
    n, last = body[-1]
    key_col = _key_column(mapping)
    key = last[key_col] if key_col is not None and key_col < len(last) else None
    texts = [str(v) for v in last if isinstance(v, str)]
    if (key is None or is_blank(key) or normalise_code(key) is None) and any(_TOTAL_WORDS.match(t) for t in texts):
        return body[:-1], Issue(n, None, "STR-TOTAL", INFO,
                                f"Baris {n} adalah baris jumlah/total; tidak disimpan sebagai desa.", tingkat=0)
    return body, None


def _no_code_but_a_label(row: list[Any], key_col: int | None) -> bool:
    key = at(row, key_col) if key_col is not None else None
    if not is_blank(key) and _CODE_LIKE.fullmatch(cell_text(key)):
        return False  # a code (right or wrong): a desa row, told fast on every row of a large file
    return (is_blank(key) or normalise_code(key) is None) and any(
        _TOTAL_WORDS.match(v) for v in row if isinstance(v, str))


def _drop_subtotals(body: Body, mapping: dict[int, str], counts: list[int]) -> tuple[Body, list[Issue]]:
    """Subtotal rows between the desa: no code, a total's label, and every number the sum of the desa above it
    (since the previous total's label, or since the top; or of every desa above). Without all of that the row
    stays, and is reported."""
    key = _key_column(mapping)
    kept: Body = []
    notes: list[Issue] = []
    desa: Body = []  # the rows above that are no total's
    start = 0  # where the group above begins in ``desa``
    for n, row in body:
        if not _no_code_but_a_label(row, key):
            kept.append((n, row))
            desa.append((n, row))
            continue
        if len(desa) > start and _sums_of(row, counts, [desa[start:], desa]):
            notes.append(Issue(n, None, "STR-TOTAL", INFO, f"Baris {n} adalah baris jumlah (subtotal) desa di atasnya; "
                               "tidak disimpan sebagai desa.", tingkat=0))
        else:
            kept.append((n, row))
        start = len(desa)  # a total's label ends the group above, proven or not; its numbers are no desa's
    return kept, notes


def _sums_of(row: list[Any], counts: list[int], groups: list[Body]) -> bool:
    """The row's numbers are the sums of one of the groups: in each count column that holds a number, at least
    two (one if there is one); no count column holds anything else."""
    found = [(j, _amount(at(row, j))) for j in counts]
    filled = [(j, a) for j, a in found if a is not None]
    if len(filled) < min(2, len(counts)) or any(a is None and not is_blank(at(row, j)) for j, a in found):
        return False
    return any(all(abs(a - sum(_amount(at(r, j)) or 0.0 for _, r in group)) < 0.5 for j, a in filled)
               for group in groups)


_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")


def _amount(v: object) -> float | None:
    """A whole number as typed (a number, or text with Indonesian thousands); anything else None."""
    if isinstance(v, bool) or not number_like(v):
        return None
    if isinstance(v, str):
        text = v.strip()
        return float(text.replace(".", "")) if _THOUSANDS.fullmatch(text) else None
    return float(v)  # type: ignore[arg-type]


def _key_column(mapping: dict[int, str]) -> int | None:
    return next((j for j, c in mapping.items() if c == "kode_desa"), None)


def check_cell_lengths(body: Body, mapping: dict[int, str], batas: BatasBerkas) -> None:
    """A cell of a standard column longer than the limit refuses the file, before any parsing looks into it."""
    for j, col in mapping.items():
        for n, row in body:
            v = at(row, j)
            if isinstance(v, str) and len(v) > batas.panjang_sel:
                raise Unreadable(f"Sel pada baris {n}, kolom {col} berisi {angka(len(v))} karakter; batas "
                                 f"{angka(batas.panjang_sel)} karakter. Perbaiki isi sel itu, {RESEND}.")
