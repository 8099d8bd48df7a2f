"""The canonical form: one typed table with the standard's columns, the cells as found, and the provenance.

``to_canonical`` takes the sheet from the header down: header notes, columns mapped by name or alias, the
body trimmed of what is not desa, then each standard column typed (codes, whole numbers, categories).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from ..config import BatasBerkas
from ..datasets import CATEGORY, COUNT, Dataset, fold_header
from ..findings import INFO, Issue
from ..regions import normalise_code
from .body import check_cell_lengths, trim_body
from .cells import Sheet, at, cell_text, is_blank
from .counts import parse_counts
from .header import find_header, header_notes, map_columns
from .messages import Unreadable

ROW = "_baris"  # row number in the operator's file, kept through validation for messages
LEMBAR_KE = 10_000_000  # ROW on the k-th sheet read (from 0) is k * LEMBAR_KE + the row on that sheet


_ROW_IN_TEXT = re.compile(r"\b([Bb])aris (\d{8,})\b")


def tempat(baris: int, lembar: list[str]) -> str:
    """Where a row is, as the operator finds it: ``baris 7``, or ``lembar 'Desa B', baris 7`` past the first sheet."""
    k, n = divmod(baris, LEMBAR_KE)
    return f"lembar '{lembar[k]}', baris {n}" if 0 < k < len(lembar) else f"baris {baris}"


def named(issues: list[Issue], lembar: list[str]) -> list[Issue]:
    """Messages that say ``Baris 20000004`` (the gate's rules print ``ROW``) say the sheet and its row instead."""
    if not lembar:
        return issues

    def one(m: re.Match[str]) -> str:
        text = tempat(int(m.group(2)), lembar)
        return text[0].upper() + text[1:] if m.group(1) == "B" else text

    return [replace(i, pesan=_ROW_IN_TEXT.sub(one, i.pesan)) if i.baris and i.baris >= LEMBAR_KE else i for i in issues]


class ProvenanceJson(TypedDict):
    object_key: str
    nama_berkas: str
    ukuran: int
    sha256: str
    diterima_pada: str  # ISO-8601 UTC


@dataclass(frozen=True)
class Provenance:
    """Where a submission came from: enough to prove later that stored data is what passed the gate."""

    object_key: str
    nama_berkas: str
    ukuran: int
    sha256: str
    diterima_pada: datetime

    @classmethod
    def of(cls, data: bytes, object_key: str, received: datetime | None = None) -> Provenance:
        when = received or datetime.now(UTC)
        return cls(
            object_key=object_key,
            nama_berkas=object_key.rsplit("/", 1)[-1],
            ukuran=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            diterima_pada=when.astimezone(UTC).replace(microsecond=0),
        )

    def to_json(self) -> ProvenanceJson:
        return {
            "object_key": self.object_key,
            "nama_berkas": self.nama_berkas,
            "ukuran": self.ukuran,
            "sha256": self.sha256,
            "diterima_pada": self.diterima_pada.isoformat(),
        }


@dataclass
class Submission:
    dataset: Dataset
    provenance: Provenance
    table: pd.DataFrame  # canonical columns, typed; plus ROW
    raw: pd.DataFrame  # the cells as found (text), same index, for messages
    notes: list[Issue] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    unreadable_reason: str | None = None
    lembar: list[str] = field(default_factory=list)  # the sheets read, in order (``LEMBAR_KE``): several or none

    def tempat(self, baris: int) -> str:
        return tempat(baris, self.lembar)

    def named(self, issues: list[Issue]) -> list[Issue]:
        return named(issues, self.lembar)

    @property
    def readable(self) -> bool:
        return self.unreadable_reason is None

    @classmethod
    def unreadable(cls, dataset: Dataset, provenance: Provenance, reason: str) -> Submission:
        """A file with no table, only its reason (the reader, the gate and the pre-check all say it this way)."""
        empty = pd.DataFrame(columns=[*dataset.columns, ROW])
        return cls(dataset, provenance, empty, empty.copy(), [], [], reason)


# --- to canonical form -----------------------------------------------------------------------------

_ONCE = {"STR-KOLOM-LAIN", "STR-JUDUL", "STR-TAHUN", "STR-NOMOR"}  # said once when every sheet says it alike


def sheets_to_canonical(
    sheets: list[Sheet], dataset: Dataset, tahun: int | None, batas: BatasBerkas
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue], list[str]]:
    """Several sheets holding the same table: each read as one, then joined; a row past the first sheet gets
    ``ROW`` = k * ``LEMBAR_KE`` + its row, and a note about it names the sheet."""
    if len(sheets) == 1:
        return to_canonical(sheets[0], dataset, tahun, batas)
    tables, texts, missing = [], [], []
    notes: list[Issue] = []
    for k, sheet in enumerate(sheets):
        table, text, found, gaps = to_canonical(sheet, dataset, tahun, batas)
        if k:
            table[ROW] += k * LEMBAR_KE
            text[ROW] += k * LEMBAR_KE
            said = {(i.aturan, i.kolom, i.pesan) for i in notes}
            found = [_on_sheet(i, k, sheet.name) for i in found
                     if i.aturan not in _ONCE or (i.aturan, i.kolom, i.pesan) not in said]
        tables.append(table)
        texts.append(text)
        notes += found
        missing += [c for c in gaps if c not in missing]
    return pd.concat(tables, ignore_index=True), pd.concat(texts, ignore_index=True), notes, missing


def _on_sheet(note: Issue, k: int, name: str) -> Issue:
    baris = note.baris + k * LEMBAR_KE if note.baris is not None else None
    return replace(note, baris=baris, pesan=f"Lembar '{name}': {note.pesan}")



def to_canonical(
    sheet: Sheet, dataset: Dataset, tahun: int | None, batas: BatasBerkas
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue], list[str]]:
    cells = sheet.rows
    found = find_header(cells, dataset.header_map(), sheet.merges)
    if found is None:
        expected = ", ".join(dataset.columns)
        raise Unreadable(
            "Baris judul kolom tidak ditemukan. Baris pertama tabel harus berisi nama kolom standar: "
            f"{expected}."
        )
    notes = header_notes(found)
    mapping, column_notes = map_columns(found, dataset)
    notes += column_notes
    body = [(n, r) for n, r in enumerate(cells[found.body_start:], start=found.body_start + 1)
            if any(not is_blank(r[j]) for j in mapping if j < len(r))]
    check_cell_lengths(body, mapping, batas)
    counts = [j for j, c in mapping.items() if dataset.column(c).tipe == COUNT]
    body, trim_notes = trim_body(body, mapping, counts)
    notes += trim_notes
    # one frame built from whole columns: a desa's file is one row, so pandas' per-column insert cost dominated
    columns: dict[str, list[Any]] = {canon: [at(r, j) for _, r in body] for j, canon in mapping.items()}
    columns[ROW] = [n for n, _ in body]
    if "tahun" not in columns and tahun is not None:
        columns["tahun"] = [tahun] * len(body)
        notes.append(Issue(None, "tahun", "STR-TAHUN", INFO,
                           f"Kolom tahun tidak ada; dianggap tahun {tahun} sesuai siklus.", tingkat=0))
    raw = pd.DataFrame(columns, index=pd.RangeIndex(len(body)))
    missing = [c for c in dataset.columns if c not in raw.columns]
    table, type_notes = _typed(raw, dataset)
    texts: dict[str, list[str | None] | np.ndarray] = {c: [None if is_blank(v) else cell_text(v) for v in values]
                             for c, values in columns.items() if c != ROW}
    texts[ROW] = np.asarray(columns[ROW], dtype="int64")
    text = pd.DataFrame(texts, index=raw.index)
    return table, text, notes + type_notes, missing


def _typed(raw: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, list[Issue]]:
    """The standard's types, column by column, assembled into one frame at the end (no per-column insert)."""
    out: dict[str, object] = {}  # column -> its values typed: a numpy array, or pandas' string array
    notes: list[Issue] = []
    rows = raw[ROW]
    for col in dataset.columns:
        if col not in raw.columns:
            continue
        spec = dataset.column(col)
        series = raw[col]
        if spec.tipe == "kode_desa":
            out[col] = pd.array([normalise_code(v) for v in series.tolist()], dtype="string")
        elif spec.tipe == "tahun" or spec.tipe == COUNT:
            out[col] = parse_counts(series, col, rows, notes).to_numpy()
        elif spec.tipe == CATEGORY:
            out[col] = _category(series, dataset.category_columns[col]).array
        elif spec.tipe == "kode_opd":
            out[col] = pd.array([None if is_blank(v) else re.sub(r"\s+", "", str(v)).upper() for v in series.tolist()],
                                dtype="string")
    out[ROW] = rows.to_numpy(dtype="int64")
    return pd.DataFrame(out, index=raw.index), notes


def _category(series: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    folded = {fold_header(c).upper(): c for c in codes}

    def one(v: object) -> str | None:
        if is_blank(v):
            return None
        key = fold_header(v).upper()
        return folded.get(key, str(v).strip())

    return series.map(one).astype("string")
