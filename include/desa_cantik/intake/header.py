"""Where the header is and what its columns are: title rows above it, a header over two rows, aliases.

The header is the row (or two rows) among the first rows that names the most standard columns; a name
matches when it folds (case, spacing, punctuation) to a standard column or a documented alias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..datasets import Dataset, fold_header
from ..findings import INFO, Issue
from ..pii import HEADER_ROWS
from .cells import Merge, at, is_blank, number_like
from .messages import Unreadable, short

HEADER_SCAN_ROWS = HEADER_ROWS  # rows searched for the header (and for personal-data column names)


def header_score(row: list[Any], headers: dict[str, str]) -> int:
    return len({headers[f] for v in row if not is_blank(v) and (f := fold_header(v)) in headers})


@dataclass(frozen=True)
class Header:
    row: int  # index of the (upper) header row
    names: list[Any]  # one name per column; for a two-row header, the two joined
    score: int
    two_rows: bool

    @property
    def body_start(self) -> int:
        return self.row + (2 if self.two_rows else 1)


def find_header(rows: list[list[Any]], headers: dict[str, str], merges: list[Merge]) -> Header | None:
    """The row (or two rows) naming the most standard columns among the first rows; earliest on a tie."""
    best: Header | None = None
    for h, upper in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = Header(h, list(upper), header_score(upper, headers), False)
        lower = rows[h + 1] if h + 1 < len(rows) else None
        if lower is not None and _is_subheader(lower):
            found = _two_rows(found, lower, merges, headers)
        if best is None or found.score > best.score:
            best = found
    return best if best is not None and best.score >= 2 else None


def _two_rows(single: Header, lower: list[Any], merges: list[Merge], headers: dict[str, str]) -> Header:
    """The header read over two rows when the rows together name more than either alone.

    Equal to the upper row alone also counts when the lower row holds no digit (units or remarks under the
    header); equal to the lower row alone does not (a title above the header).
    """
    spans = [(c0, c1) for (r0, c0), (_, c1) in merges if r0 == single.row and c1 > c0]
    names = _join_two_rows(single.names, lower, spans, headers)
    score = header_score(names, headers)
    if score <= header_score(lower, headers):
        return single
    if score > single.score or (score == single.score and not _has_digit(lower)):
        return Header(single.row, names, score, True)
    return single


def _is_subheader(row: list[Any]) -> bool:
    """Text under a header (sub-headers or units), not data: no numbers, something written."""
    texts = [v for v in row if not is_blank(v)]
    return bool(texts) and all(isinstance(v, str) and not number_like(v) for v in texts)


def _has_digit(row: list[Any]) -> bool:
    return any(isinstance(v, str) and any(ch.isdigit() for ch in v) for v in row)


def _join_two_rows(upper: list[Any], lower: list[Any], spans: list[tuple[int, int]],
                   headers: dict[str, str]) -> list[Any]:
    """Names of a header over two rows: a group cell (``Penduduk``) above sub-headers (``Laki-laki``...)."""
    width = max(len(upper), len(lower))
    groups = _groups(upper, lower, spans, width)
    names: list[Any] = []
    for j in range(width):
        own, sub = at(upper, j), at(lower, j)
        if is_blank(sub):
            names.append(own)
            continue
        label, is_group = groups[j]
        tries = [f"{label} {sub}", f"{sub} {label}"] if not is_blank(label) else []
        tries.append(str(sub))
        if not is_blank(own) and not is_group:
            tries.append(str(own))  # a unit or remark under the header: the header names the column
        names.append(next((t for t in tries if fold_header(t) in headers), sub))
    return names


def _groups(upper: list[Any], lower: list[Any], spans: list[tuple[int, int]], width: int) -> list[tuple[Any, bool]]:
    """Per column: the label above it and whether that label spans several columns (a group cell).

    The spans are the merged cells of the upper row; without them (CSV), a label with sub-headers under
    it extends right over blank cells that have sub-headers under them.
    """
    out: list[tuple[Any, bool]] = [(at(upper, j), False) for j in range(width)]
    for c0, c1 in spans:
        for j in range(c0, min(c1, width - 1) + 1):
            out[j] = (at(upper, c0), True)
    for j in range(1, width):
        if (is_blank(out[j][0]) and not is_blank(at(lower, j)) and not is_blank(out[j - 1][0])
                and not is_blank(at(lower, j - 1))):
            out[j - 1] = out[j] = (out[j - 1][0], True)
    return out


def header_notes(found: Header) -> list[Issue]:
    n = found.row + 1
    notes = []
    if found.row > 0:
        notes.append(Issue(n, None, "STR-JUDUL", INFO,
                           f"Judul kolom ditemukan di baris {n}; {found.row} baris di atasnya diabaikan.", tingkat=0))
    if found.two_rows:
        notes.append(Issue(n, None, "STR-JUDUL", INFO,
                           f"Judul kolom tersusun dua baris (baris {n} dan {n + 1}); keduanya dibaca bersama.", tingkat=0))
    return notes


def map_columns(found: Header, dataset: Dataset) -> tuple[dict[int, str], list[Issue]]:
    """Column index → standard column (by name or alias); other columns noted and left out, a repeat refused."""
    headers = dataset.header_map()
    row = found.row + 1
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    notes = []
    for j, name in enumerate(found.names):
        if is_blank(name):
            continue
        canon = headers.get(fold_header(name))
        if canon is None:
            label = short(str(name).strip())
            notes.append(Issue(row, label, "STR-KOLOM-LAIN", INFO,
                               f"Kolom '{label}' bukan kolom standar dan diabaikan.", nilai=label, tingkat=0))
            continue
        if canon in seen:
            raise Unreadable(
                f"Kolom '{canon}' muncul dua kali (kolom ke-{seen[canon] + 1} dan ke-{j + 1}) pada baris "
                f"{row}. Hapus salah satunya."
            )
        seen[canon] = j
        mapping[j] = canon
    return mapping, notes
