"""Submission files as operators really make them -> one typed table in canonical form + provenance.

What this reads: CSV with comma, semicolon or tab; UTF-8 (with or without BOM) or Windows-1252;
XLSX with title rows above the header, blank columns at the left, merged title cells, several sheets;
headers that differ in case/spacing/punctuation or are documented aliases; Indonesian thousands
(``1.234.567``); empty trailing rows and columns; a totals row at the bottom.
What it cannot read with certainty it does not guess: the value is left empty and an issue names the
row, the column and the value. A file it cannot read at all comes back ``readable=False`` with a reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from .datasets import CATEGORY, COUNT, Dataset, fold_header
from .findings import INFO, Issue
from .regions import normalise_code

ROW = "_baris"  # row number in the operator's file, kept through validation for messages
HEADER_SCAN_ROWS = 30
_TOTAL_WORDS = re.compile(r"^\s*(jumlah|total|jml|grand total|sub ?total)\b", re.IGNORECASE)
_INT = re.compile(r"^[+-]?\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_DOT = re.compile(r"^[+-]?\d+\.\d+$")


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

    def to_json(self) -> dict[str, object]:
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

    @property
    def readable(self) -> bool:
        return self.unreadable_reason is None


class Unreadable(Exception):
    """The file cannot be read at all; the message is for the operator, in Indonesian."""


def read_submission(
    data: bytes, dataset: Dataset, provenance: Provenance, tahun: int | None = None
) -> Submission:
    """Read and normalise one file. Never raises for bad input: problems become issues."""
    try:
        cells, row_numbers, notes = _read_cells(data, provenance.nama_berkas, dataset)
        table, raw, more_notes, missing = _to_canonical(cells, row_numbers, dataset, tahun)
    except Unreadable as exc:
        empty = pd.DataFrame(columns=[*dataset.columns, ROW])
        return Submission(dataset, provenance, empty, empty.copy(), [], [], str(exc))
    return Submission(dataset, provenance, table, raw, notes + more_notes, missing)


# --- reading cells ---------------------------------------------------------------------------------


def _read_cells(data: bytes, name: str, dataset: Dataset) -> tuple[list[list[object]], list[int], list[Issue]]:
    if not data.strip():
        raise Unreadable("Berkas kosong. Isi data sesuai templat lalu kirim ulang.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, dataset)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable(
            "Berkas berformat Excel lama (.xls) tidak dapat dibaca. Simpan ulang sebagai .xlsx atau .csv."
        )
    if b"\x00" in data[:4096]:
        raise Unreadable("Berkas bukan CSV atau XLSX (isi biner tidak dikenal). Kirim berkas .csv atau .xlsx.")
    text, notes = _decode(data)
    rows = _parse_csv(text)
    return [list(r) for r in rows], list(range(1, len(rows) + 1)), notes


def _decode(data: bytes) -> tuple[str, list[Issue]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    note = Issue(None, None, "STR-ENKODE", INFO, "Berkas dibaca sebagai Windows-1252 (bukan UTF-8).", tingkat=0)
    return text, [note]


def _parse_csv(text: str) -> list[list[str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()][:HEADER_SCAN_ROWS]
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=lambda d: counts[d])
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _read_xlsx(data: bytes, dataset: Dataset) -> tuple[list[list[object]], list[int], list[Issue]]:
    import openpyxl  # heavy; only when an XLSX arrives

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable(f"Berkas XLSX rusak atau tidak dapat dibuka ({type(exc).__name__}). Simpan ulang lalu kirim.") from None
    headers = dataset.header_map()
    candidates = []
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        score = max((_header_score(r, headers) for r in rows[:HEADER_SCAN_ROWS]), default=0)
        named = fold_header(ws.title) == dataset.nama or dataset.nama in fold_header(ws.title)
        candidates.append((named and score >= 2, score, ws.title, rows))
    wb.close()
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    chosen = candidates[0]
    notes = []
    if len(candidates) > 1:
        notes.append(Issue(None, None, "STR-LEMBAR", INFO, f"Berkas punya {len(candidates)} lembar; "
                           f"yang dibaca lembar '{chosen[2]}'.", nilai=chosen[2], tingkat=0))
    rows = chosen[3]
    return rows, list(range(1, len(rows) + 1)), notes


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _header_score(row: list[object], headers: dict[str, str]) -> int:
    return len({headers[f] for v in row if not _is_blank(v) and (f := fold_header(v)) in headers})


# --- to canonical form -----------------------------------------------------------------------------


def _to_canonical(
    cells: list[list[object]], row_numbers: list[int], dataset: Dataset, tahun: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue], list[str]]:
    headers = dataset.header_map()
    scores = [_header_score(r, headers) for r in cells[:HEADER_SCAN_ROWS]]
    if not scores or max(scores) < 2:
        expected = ", ".join(dataset.columns)
        raise Unreadable(
            "Baris judul kolom tidak ditemukan. Baris pertama tabel harus berisi nama kolom standar: "
            f"{expected}."
        )
    h = scores.index(max(scores))
    notes: list[Issue] = []
    if h > 0:
        notes.append(Issue(row_numbers[h], None, "STR-JUDUL", INFO,
                           f"Judul kolom ditemukan di baris {row_numbers[h]}; {h} baris di atasnya diabaikan.",
                           tingkat=0))
    header = cells[h]
    width = max(len(r) for r in cells[h:])
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    for j in range(width):
        name = header[j] if j < len(header) else None
        if _is_blank(name):
            continue
        canon = headers.get(fold_header(name))
        if canon is None:
            notes.append(Issue(row_numbers[h], str(name), "STR-KOLOM-LAIN", INFO,
                               f"Kolom '{name}' bukan kolom standar dan diabaikan.", nilai=str(name), tingkat=0))
            continue
        if canon in seen:
            raise Unreadable(
                f"Kolom '{canon}' muncul dua kali (kolom ke-{seen[canon] + 1} dan ke-{j + 1}) pada baris "
                f"{row_numbers[h]}. Hapus salah satunya."
            )
        seen[canon] = j
        mapping[j] = canon
    body = [(n, r) for n, r in zip(row_numbers[h + 1 :], cells[h + 1 :], strict=True)
            if any(not _is_blank(r[j]) for j in mapping if j < len(r))]
    body, total_note = _drop_totals_row(body, mapping)
    if total_note:
        notes.append(total_note)
    raw = pd.DataFrame(
        {canon: [r[j] if j < len(r) else None for _, r in body] for j, canon in mapping.items()},
        index=pd.RangeIndex(len(body)),
    )
    raw[ROW] = [n for n, _ in body]
    if "tahun" not in raw.columns and tahun is not None:
        raw["tahun"] = tahun
        notes.append(Issue(None, "tahun", "STR-TAHUN", INFO,
                           f"Kolom tahun tidak ada; dianggap tahun {tahun} sesuai siklus.", tingkat=0))
    missing = [c for c in dataset.columns if c not in raw.columns]
    table, type_notes = _typed(raw, dataset)
    text = raw.drop(columns=[ROW]).map(lambda v: None if _is_blank(v) else _cell_text(v))
    text[ROW] = raw[ROW].astype("int64")
    return table, text, notes + type_notes, missing


def _drop_totals_row(body: list[tuple[int, list[object]]], mapping: dict[int, str]) -> tuple[list, Issue | None]:
    if not body:
        return body, None
    n, last = body[-1]
    key_col = next((j for j, c in mapping.items() if c == "kode_desa"), None)
    key = last[key_col] if key_col is not None and key_col < len(last) else None
    texts = [str(v) for v in last if isinstance(v, str)]
    if (key is None or _is_blank(key) or normalise_code(key) is None) and any(_TOTAL_WORDS.match(t) for t in texts):
        return body[:-1], Issue(n, None, "STR-TOTAL", INFO,
                                f"Baris {n} adalah baris jumlah/total; tidak disimpan sebagai desa.", tingkat=0)
    return body, None


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v).strip()


def _typed(raw: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, list[Issue]]:
    out = pd.DataFrame(index=raw.index)
    notes: list[Issue] = []
    for col in dataset.columns:
        if col not in raw.columns:
            continue
        spec = dataset.column(col)
        series = raw[col]
        if spec.tipe == "kode_desa":
            out[col] = series.map(normalise_code).astype("string")
        elif spec.tipe == "tahun" or spec.tipe == COUNT:
            out[col] = parse_counts(series, col, raw[ROW], notes)
        elif spec.tipe == CATEGORY:
            out[col] = _category(series, dataset.category_columns[col])
        elif spec.tipe == "kode_opd":
            out[col] = series.map(lambda v: None if _is_blank(v) else re.sub(r"\s+", "", str(v)).upper())
            out[col] = out[col].astype("string")
    out[ROW] = raw[ROW].astype("int64")
    return out, notes


def _category(series: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    folded = {fold_header(c).upper(): c for c in codes}

    def one(v: object) -> str | None:
        if _is_blank(v):
            return None
        key = fold_header(v).upper()
        return folded.get(key, str(v).strip())

    return series.map(one).astype("string")


def parse_counts(series: pd.Series, column: str, rows: pd.Series, notes: list[Issue]) -> pd.Series:
    """Whole numbers as float64 (NaN where empty or not readable), Indonesian thousands accepted.

    ``1.234`` and ``1.234.567`` are thousands; ``1,5`` and ``12.5`` are not whole numbers;
    ``1,234`` could be either convention, so it is not guessed. Unreadable values get a note here and
    fail the standard's "whole number" rule in the gate, which names the value.
    """
    values = np.full(len(series), np.nan)
    for i, v in enumerate(series.tolist()):
        if _is_blank(v):
            continue
        if isinstance(v, bool):
            reason = "bukan angka"
        elif isinstance(v, (int, np.integer)):
            values[i] = float(v)
            continue
        elif isinstance(v, (float, np.floating)):
            if float(v).is_integer():
                values[i] = float(v)
                continue
            reason = "bukan bilangan bulat"
        else:
            text = str(v).strip().replace("\u00a0", "").replace(" ", "")
            if _INT.match(text):
                values[i] = float(int(text))
                continue
            if _THOUSANDS_DOT.match(text):
                values[i] = float(int(text.replace(".", "")))
                continue
            if _THOUSANDS_COMMA.match(text):
                reason = "ambigu: koma bisa berarti desimal atau ribuan; tulis tanpa pemisah, mis. 1234"
            elif _DECIMAL_COMMA.match(text) or _DECIMAL_DOT.match(text):
                reason = "bukan bilangan bulat"
            else:
                reason = "bukan angka"
        notes.append(Issue(int(rows.iloc[i]), column, "STR-ANGKA", INFO,
                           f"Baris {int(rows.iloc[i])}, kolom {column}: nilai '{_cell_text(v)}' {reason}.",
                           nilai=_cell_text(v), diharapkan="bilangan bulat ≥ 0", tingkat=0))
    return pd.Series(values, index=series.index, dtype="float64")
