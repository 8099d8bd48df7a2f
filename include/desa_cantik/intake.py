"""Submission files as operators really make them -> one typed table in canonical form + provenance.

What this reads: CSV with comma, semicolon, tab or bar; UTF-8 (with or without BOM), Windows-1252, or
Excel's "Unicode Text" (UTF-16, tab-separated); XLSX (and XLSM) with title rows above the header, blank
columns at the left, merged cells, several sheets (the table may be on any of them), a header over two
rows under a merged group cell, formula cells (their stored values), numbers typed as text, a leading
``No.`` column, a row of column numbers, notes and a signature block below the table, a totals row;
headers that differ in case/spacing/punctuation or are documented aliases; Indonesian thousands
(``1.234.567``); empty trailing rows and columns.
What it cannot read with certainty it does not guess: the value is left empty and an issue names the
row, the column and the value. A file it cannot read at all comes back ``readable=False`` with a reason.

Hostile files: every file gets an answer in bounded time and memory. The limits of ``BatasBerkas`` (from
the Daftar Data) are checked before the expensive work: the file size, then for CSV the line count before
parsing, and for XLSX the zip directory (parts, sizes, ratio), then each part decompressed in bounded
chunks and scanned for the cells it places (a 1.5 KB file can place a cell at XFD1048576), all before the
workbook reader (calamine, in Rust) sees it; it gets a copy of exactly the parts that were checked.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetTypeEnum

from .config import BatasBerkas
from .datasets import CATEGORY, COUNT, Dataset, fold_header
from .findings import INFO, Issue
from .pii import HEADER_ROWS
from .pii import scan as scan_personal_data
from .regions import normalise_code

ROW = "_baris"  # row number in the operator's file, kept through validation for messages
HEADER_SCAN_ROWS = HEADER_ROWS  # rows searched for the header (and for personal-data column names)
MB = 1024 * 1024
_T = TypeVar("_T")
_TOTAL_WORDS = re.compile(r"^\s*(jumlah|total|jml|grand total|sub ?total)\b", re.IGNORECASE)


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

    @classmethod
    def unreadable(cls, dataset: Dataset, provenance: Provenance, reason: str) -> Submission:
        """A file with no table, only its reason (the reader, the gate and the pre-check all say it this way)."""
        empty = pd.DataFrame(columns=[*dataset.columns, ROW])
        return cls(dataset, provenance, empty, empty.copy(), [], [], reason)


class Unreadable(Exception):
    """The file cannot be read at all; the message is for the operator, in Indonesian."""


@dataclass
class _Sheet:
    """The cells of the sheet (or CSV) the table is on; row ``i`` is the operator's row ``i + 1``."""

    rows: list[list[Any]]
    notes: list[Issue] = field(default_factory=list)
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based, inclusive


def read_submission(
    data: bytes, dataset: Dataset, provenance: Provenance, tahun: int | None = None,
    batas: BatasBerkas | None = None,
) -> Submission:
    """Read and normalise one file. Never raises for bad input: problems become issues.

    ``batas``: the limits on one file (the Daftar Data's ``batas_berkas``); defaults when not given.
    """
    limits = batas or BatasBerkas()
    try:
        sheet = _read_cells(data, dataset, limits)
        personal = scan_personal_data(sheet.rows, set(dataset.header_map()))
        if personal is not None:
            raise Unreadable(personal.message())
        table, raw, more_notes, missing = _to_canonical(sheet, dataset, tahun, limits)
    except Unreadable as exc:
        return Submission.unreadable(dataset, provenance, str(exc))
    return Submission(dataset, provenance, table, raw, sheet.notes + more_notes, missing)


# --- messages --------------------------------------------------------------------------------------


def _angka(n: float) -> str:
    """A number as Indonesians write it: 1.048.576; 2,5."""
    if float(n).is_integer():
        return f"{int(n):,}".replace(",", ".")
    return f"{n:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _mb(nbytes: float) -> str:
    return f"{_angka(round(nbytes / MB, 1))} MB"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({_angka(len(text))} karakter)"


_RESEND = "lalu kirim ulang"
_XLSX_DAMAGED = ("Berkas XLSX rusak atau tidak dapat dibuka. Buka berkas di Excel atau LibreOffice, simpan ulang "
                 f"sebagai Excel Workbook (.xlsx), {_RESEND}.")
_TOO_BIG_SHEET = ("Hapus isi yang tidak perlu di luar tabel (sel jauh di bawah atau di kanan tabel) atau bagi data "
                  f"menjadi beberapa berkas, {_RESEND}.")


# --- reading cells ---------------------------------------------------------------------------------

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 container: .xls, or an XLSX protected by a password
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _read_cells(data: bytes, dataset: Dataset, batas: BatasBerkas) -> _Sheet:
    if len(data) > batas.ukuran_bait:
        raise Unreadable(f"Berkas terlalu besar ({_mb(len(data))}; batas {_angka(batas.ukuran_mb)} MB). Hapus isi "
                         f"yang tidak perlu (gambar, lembar lain) atau bagi data menjadi beberapa berkas, {_RESEND}.")
    if not data.strip():
        raise Unreadable("Berkas kosong. Isi data sesuai templat lalu kirim ulang.")
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data, dataset, batas)
    _refuse_other_formats(data)
    text, notes = _decode(data)
    return _read_text(text, notes, dataset, batas)


def _refuse_other_formats(data: bytes) -> None:
    """Files that are not CSV or XLSX but are often sent instead: say what they are and what to send."""
    if data[:8] == _CFB:
        if _ENCRYPTED in data:
            raise Unreadable("Berkas Excel dilindungi kata sandi sehingga tidak dapat dibaca. Buka di Excel, hapus kata "
                             f"sandinya (File > Info > Protect Workbook), simpan sebagai .xlsx, {_RESEND}.")
        raise Unreadable(
            "Berkas berformat Excel lama (.xls) tidak dapat dibaca. Simpan ulang sebagai .xlsx atau .csv."
        )
    if data[:5] == b"%PDF-":
        raise Unreadable("Berkas PDF tidak dapat dibaca sebagai tabel. Kirim berkas .xlsx atau .csv dari Excel.")
    lead = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lead.startswith(b"<"):
        raise Unreadable("Berkas berisi halaman web atau XML, bukan CSV atau XLSX. Buka berkas di Excel, simpan sebagai "
                         f"Excel Workbook (.xlsx), {_RESEND}.")


def _decode(data: bytes) -> tuple[str, list[Issue]]:
    utf16 = _utf16_codec(data)
    if utf16:
        note = Issue(None, None, "STR-ENKODE", INFO, f"Berkas dibaca sebagai Unicode Text ({utf16.upper()[:6]}) dari Excel.",
                     tingkat=0)
        return data.decode(utf16, errors="replace"), [note]
    if b"\x00" in data[:4096]:
        if b"PK\x01\x02" in data or b"[Content_Types].xml" in data:  # a workbook whose first bytes are damaged
            raise Unreadable(_XLSX_DAMAGED)
        raise Unreadable("Berkas bukan CSV atau XLSX (isi biner tidak dikenal). Kirim berkas .csv atau .xlsx.")
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


def _utf16_codec(data: bytes) -> str | None:
    """UTF-16 text (Excel's "Unicode Text"): by its BOM, or by zero bytes in every other place."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "utf-32"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


# --- CSV ---------------------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024  # delimiter detection reads this much, never the whole file


def _read_text(text: str, notes: list[Issue], dataset: Dataset, batas: BatasBerkas) -> _Sheet:
    text = text.rstrip(" \t\r\n,;|")  # empty rows at the end (",,,,"): not rows of the table
    lines = max(text.count("\n"), text.count("\r")) + 1
    if lines > batas.baris:  # before parsing: a 10^6-line file is refused in milliseconds
        raise Unreadable(f"Berkas berisi {_angka(lines)} baris; batas {_angka(batas.baris)} baris per berkas. "
                         f"{_TOO_BIG_SHEET}")
    delimiter = _sniff_delimiter(text[:_SAMPLE_CHARS], dataset, batas)
    return _Sheet(_parse_csv(text, delimiter, batas), notes)


def _sniff_delimiter(sample: str, dataset: Dataset, batas: BatasBerkas) -> str:
    """The delimiter under which the sample shows the standard's headers (then: more fields, more uses).

    Linear in a bounded sample, unlike ``csv.Sniffer`` (quadratic on a line of ``,"a`` repeated).
    """
    headers = dataset.header_map()

    def score(d: str) -> tuple[int, int, int]:
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=d), HEADER_SCAN_ROWS))
        except csv.Error:
            return (-1, 0, 0)
        best = max((_header_score(r[: batas.kolom], headers) for r in rows), default=0)
        return (best, sum(1 for r in rows if len(r) > 1), sample.count(d))

    return max(_DELIMITERS, key=score)


def _parse_csv(text: str, delimiter: str, batas: BatasBerkas) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(row) > batas.kolom:
                raise Unreadable(f"Baris {len(rows) + 1} berisi {_angka(len(row))} kolom; batas {_angka(batas.kolom)} "
                                 f"kolom. {_TOO_BIG_SHEET}")
            rows.append(row)
    except csv.Error as exc:
        raise Unreadable(_csv_problem(str(exc), len(rows) + 1, batas)) from None
    _check_area(len(rows), max(map(len, rows), default=0), batas, "Berkas")
    if '"' in text:
        _check_quotes(rows, delimiter)
    return rows


def _csv_problem(error: str, row: int, batas: BatasBerkas) -> str:
    if "field larger than field limit" in error:
        return (f"Sel pada baris {row} terlalu panjang (batas {_angka(batas.panjang_sel)} karakter). Periksa tanda kutip "
                f"(\") yang tidak ditutup atau isi sel yang tertempel berulang, {_RESEND}.")
    return (f"Berkas CSV tidak dapat dibaca mulai baris {row}. Buka di Excel, simpan ulang sebagai CSV atau .xlsx, "
            f"{_RESEND}.")


def _check_quotes(rows: list[list[Any]], delimiter: str) -> None:
    """An opening quote that is never closed swallows the lines after it into one cell: say where."""
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if delimiter in v and ("\n" in v or "\r" in v):
                raise Unreadable(f"Tanda kutip (\") pada baris {i}, kolom ke-{j} tidak ditutup, sehingga baris-baris "
                                 f"sesudahnya terbaca sebagai satu sel. Hapus tanda kutip itu atau tambahkan kutip penutupnya, "
                                 f"{_RESEND}.")


def _check_area(rows: int, cols: int, batas: BatasBerkas, where: str = "Lembar") -> None:
    if rows > batas.baris:
        raise Unreadable(f"{where} berisi {_angka(rows)} baris; batas {_angka(batas.baris)} baris per berkas. "
                         f"{_TOO_BIG_SHEET}")
    if cols > batas.kolom:
        raise Unreadable(f"{where} berisi {_angka(cols)} kolom; batas {_angka(batas.kolom)} kolom. {_TOO_BIG_SHEET}")
    if rows * cols > batas.sel:
        raise Unreadable(f"{where} memakai {_angka(rows)} baris × {_angka(cols)} kolom = {_angka(rows * cols)} sel; "
                         f"batas {_angka(batas.sel)} sel. {_TOO_BIG_SHEET}")


# --- XLSX: the zip, checked part by part before the workbook reader sees it ---------------------------

_MAX_PARTS = 2_000
_CHUNK = 1024 * 1024


def _read_zip(data: bytes, dataset: Dataset, batas: BatasBerkas) -> _Sheet:
    with _damaged_zip():
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    _check_package(infos, len(data), batas)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in infos:
            with _damaged_zip():
                part = _part_bytes(zf, info)
            _scan_part(part, batas)
            with _damaged_zip():
                copy.writestr(info.filename, _huge_numbers_as_text(part))
            del part
    return _read_workbook(out.getvalue(), dataset, batas)


@contextmanager
def _damaged_zip() -> Iterator[None]:
    """zipfile on damaged bytes raises many kinds (BadZipFile, zlib.error, EOFError, ...): all mean "damaged"."""
    try:
        yield
    except Unreadable:
        raise
    except Exception:
        raise Unreadable(_XLSX_DAMAGED) from None


def _check_package(infos: list[zipfile.ZipInfo], size: int, batas: BatasBerkas) -> None:
    names = [i.filename for i in infos]
    _refuse_other_packages(set(names))
    if len(infos) > _MAX_PARTS or len(set(names)) != len(names):
        raise Unreadable(_XLSX_DAMAGED)
    if any(i.flag_bits & 0x1 for i in infos):
        raise Unreadable("Berkas XLSX dilindungi kata sandi. Hapus kata sandinya di Excel, simpan ulang, "
                         f"{_RESEND}.")
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        raise Unreadable(_XLSX_DAMAGED)
    total = sum(i.file_size for i in infos)
    if total > batas.terurai_mb * MB:
        raise Unreadable(f"Isi berkas XLSX jika diurai berukuran {_mb(total)}; batas {_angka(batas.terurai_mb)} MB. "
                         f"{_TOO_BIG_SHEET}")
    if total > MB and total > batas.rasio_kompresi * size:
        raise Unreadable(f"Berkas XLSX terkompresi secara tidak wajar ({_angka(round(total / size))} kali; batas "
                         f"{_angka(batas.rasio_kompresi)} kali). Buka di Excel, simpan ulang sebagai .xlsx, {_RESEND}.")


def _refuse_other_packages(names: set[str]) -> None:
    if any(n.endswith("workbook.xml") for n in names):
        return
    if "content.xml" in names and "mimetype" in names:
        raise Unreadable("Berkas OpenDocument (.ods) belum dapat dibaca. Di LibreOffice pilih File > Save As, jenis "
                         f"Excel 2007-365 (.xlsx), {_RESEND}.")
    if any(n.endswith("workbook.bin") for n in names):
        raise Unreadable(f"Berkas Excel Binary (.xlsb) tidak dapat dibaca. Simpan ulang sebagai .xlsx, {_RESEND}.")
    raise Unreadable("Berkas ZIP ini bukan lembar kerja Excel (.xlsx). Kirim berkas .xlsx atau .csv berisi tabel data.")


def _part_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, decompressed in bounded steps (zipfile stops at the declared size and checks the CRC)."""
    chunks = []
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


# a cell or row start tag (any namespace prefix), or a row end tag
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


def _scan_part(part: bytes, batas: BatasBerkas) -> None:
    """Refuse a part that would make the workbook reader allocate beyond the limits.

    calamine sizes a sheet by the furthest cell it places (a cell at XFD1048576 is 17 billion cells) and
    reserves shared strings by the declared ``uniqueCount``; in Rust an allocation failure aborts the
    process. Every part is scanned, whatever its name: the workbook's relations decide which part is a sheet.
    """
    for m in _UNIQUE_COUNT.finditer(part):
        if len(m.group(1)) > 12 or int(m.group(1)) > batas.sel:
            raise Unreadable(_XLSX_DAMAGED)
    if b"<" in part:
        rows, cols = _cell_extent(part, batas)
        _check_area(rows, cols, batas)


# a cell value of 10 or more digits before the point, an exponent of 9 or more, or not finite
_HUGE = rb"<" + _PREFIX + rb"v>\s*[+-]?(?:\d{10,}|[\d.]*[eE]\+?(?:9|[1-9]\d+)\b|(?i:inf|nan))"
_HUGE_NUMBER = re.compile(_HUGE)
_CELL_OR_HUGE = re.compile(rb"(?P<cell><" + _PREFIX + rb"c[\s>])|(?P<huge>" + _HUGE + rb")")
_TYPE_ATTR = re.compile(rb"""\s+t\s*=\s*["'][^"']*["']""")


def _huge_numbers_as_text(part: bytes) -> bytes:
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
        raise Unreadable(_XLSX_DAMAGED)
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
        raise Unreadable(_XLSX_DAMAGED)
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
        raise Unreadable(_XLSX_DAMAGED)  # a tag not read whole: the XML parser may read it otherwise
    return max_row, max_col


def _row_of(ref: bytes) -> int:
    m = _ROW_REF.fullmatch(ref)
    if m is None or not 0 < int(m.group(1)) <= _MAX_XLSX_ROW:
        raise Unreadable(_XLSX_DAMAGED)
    return int(m.group(1)) - 1


def _cell_of(ref: bytes) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        raise Unreadable(_XLSX_DAMAGED)
    col = _column_number(m.group(1))
    if col > _MAX_XLSX_COL:
        raise Unreadable(_XLSX_DAMAGED)
    return _row_of(m.group(2)), col - 1


def _calamine(call: Callable[[], _T]) -> _T:
    """A call into calamine: its errors, and a Rust panic (a BaseException), mean a damaged file."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        raise Unreadable(_XLSX_DAMAGED) from None


def _sheet_head(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS + 1)


def _read_workbook(book: bytes, dataset: Dataset, batas: BatasBerkas) -> _Sheet:
    wb = _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(book)))
    names = [m.name for m in _calamine(lambda: wb.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
    if len(names) > batas.lembar:
        raise Unreadable(f"Berkas berisi {_angka(len(names))} lembar; batas {_angka(batas.lembar)} lembar. Hapus lembar "
                         f"yang tidak perlu, {_RESEND}.")
    if not names:
        raise Unreadable(f"Berkas XLSX tidak berisi lembar kerja. Isi data pada lembar kerja, {_RESEND}.")
    headers = dataset.header_map()
    candidates = []
    for name in names:
        head = _calamine(partial(_sheet_head, wb, name))
        found = _find_header(head, headers, [])
        score = found.score if found else 0
        named = fold_header(name) == dataset.nama or dataset.nama in fold_header(name)
        candidates.append((named and score >= 2, score, name))
    chosen = max(candidates, key=lambda c: (c[0], c[1]))[2]  # first sheet wins a tie
    sheet = _calamine(lambda: wb.get_sheet_by_name(chosen))
    rows = _calamine(lambda: sheet.to_python(skip_empty_area=False))
    merges = _calamine(lambda: sheet.merged_cell_ranges) or []
    _calamine(wb.close)
    notes = []
    if len(names) > 1:
        notes.append(Issue(None, None, "STR-LEMBAR", INFO, f"Berkas punya {len(names)} lembar; "
                           f"yang dibaca lembar '{chosen}'.", nilai=chosen, tingkat=0))
    return _Sheet(rows, notes, merges)


# --- finding the header --------------------------------------------------------------------------------


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    return isinstance(v, float) and v != v  # NaN


def _at(row: list[Any], j: int) -> Any:
    return row[j] if 0 <= j < len(row) else None


def _header_score(row: list[Any], headers: dict[str, str]) -> int:
    return len({headers[f] for v in row if not _is_blank(v) and (f := fold_header(v)) in headers})


_NUMBER_LIKE = re.compile(r"[+-]?[\d.,\s]+")  # and a digit somewhere; two patterns, never one that backtracks
_DIGIT = re.compile(r"\d")


def _number_like(v: object) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return False
    if isinstance(v, (int, float, np.integer, np.floating)):
        return bool(np.isfinite(v))
    return isinstance(v, str) and _NUMBER_LIKE.fullmatch(v.strip()) is not None and _DIGIT.search(v) is not None


@dataclass(frozen=True)
class _Header:
    row: int  # index of the (upper) header row
    names: list[Any]  # one name per column; for a two-row header, the two joined
    score: int
    two_rows: bool

    @property
    def body_start(self) -> int:
        return self.row + (2 if self.two_rows else 1)


def _find_header(rows: list[list[Any]], headers: dict[str, str],
                 merges: list[tuple[tuple[int, int], tuple[int, int]]]) -> _Header | None:
    """The row (or two rows) naming the most standard columns among the first rows; earliest on a tie."""
    best: _Header | None = None
    for h, upper in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _Header(h, list(upper), _header_score(upper, headers), False)
        lower = rows[h + 1] if h + 1 < len(rows) else None
        if lower is not None and _is_subheader(lower):
            found = _two_rows(found, lower, merges, headers)
        if best is None or found.score > best.score:
            best = found
    return best if best is not None and best.score >= 2 else None


def _two_rows(single: _Header, lower: list[Any], merges: list[tuple[tuple[int, int], tuple[int, int]]],
              headers: dict[str, str]) -> _Header:
    """The header read over two rows when the rows together name more than either alone.

    Equal to the upper row alone also counts when the lower row holds no digit (units or remarks under the
    header); equal to the lower row alone does not (a title above the header).
    """
    spans = [(c0, c1) for (r0, c0), (_, c1) in merges if r0 == single.row and c1 > c0]
    names = _join_two_rows(single.names, lower, spans, headers)
    score = _header_score(names, headers)
    if score <= _header_score(lower, headers):
        return single
    if score > single.score or (score == single.score and not _has_digit(lower)):
        return _Header(single.row, names, score, True)
    return single


def _is_subheader(row: list[Any]) -> bool:
    """Text under a header (sub-headers or units), not data: no numbers, something written."""
    texts = [v for v in row if not _is_blank(v)]
    return bool(texts) and all(isinstance(v, str) and not _number_like(v) for v in texts)


def _has_digit(row: list[Any]) -> bool:
    return any(isinstance(v, str) and any(ch.isdigit() for ch in v) for v in row)


def _join_two_rows(upper: list[Any], lower: list[Any], spans: list[tuple[int, int]],
                   headers: dict[str, str]) -> list[Any]:
    """Names of a header over two rows: a group cell (``Penduduk``) above sub-headers (``Laki-laki``...)."""
    width = max(len(upper), len(lower))
    groups = _groups(upper, lower, spans, width)
    names: list[Any] = []
    for j in range(width):
        own, sub = _at(upper, j), _at(lower, j)
        if _is_blank(sub):
            names.append(own)
            continue
        label, is_group = groups[j]
        tries = [f"{label} {sub}", f"{sub} {label}"] if not _is_blank(label) else []
        tries.append(str(sub))
        if not _is_blank(own) and not is_group:
            tries.append(str(own))  # a unit or remark under the header: the header names the column
        names.append(next((t for t in tries if fold_header(t) in headers), sub))
    return names


def _groups(upper: list[Any], lower: list[Any], spans: list[tuple[int, int]], width: int) -> list[tuple[Any, bool]]:
    """Per column: the label above it and whether that label spans several columns (a group cell).

    The spans are the merged cells of the upper row; without them (CSV), a label with sub-headers under
    it extends right over blank cells that have sub-headers under them.
    """
    out: list[tuple[Any, bool]] = [(_at(upper, j), False) for j in range(width)]
    for c0, c1 in spans:
        for j in range(c0, min(c1, width - 1) + 1):
            out[j] = (_at(upper, c0), True)
    for j in range(1, width):
        if (_is_blank(out[j][0]) and not _is_blank(_at(lower, j)) and not _is_blank(out[j - 1][0])
                and not _is_blank(_at(lower, j - 1))):
            out[j - 1] = out[j] = (out[j - 1][0], True)
    return out


# --- to canonical form -----------------------------------------------------------------------------


def _to_canonical(
    sheet: _Sheet, dataset: Dataset, tahun: int | None, batas: BatasBerkas
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue], list[str]]:
    cells = sheet.rows
    found = _find_header(cells, dataset.header_map(), sheet.merges)
    if found is None:
        expected = ", ".join(dataset.columns)
        raise Unreadable(
            "Baris judul kolom tidak ditemukan. Baris pertama tabel harus berisi nama kolom standar: "
            f"{expected}."
        )
    notes = _header_notes(found)
    mapping, column_notes = _map_columns(found, dataset)
    notes += column_notes
    body = [(n, r) for n, r in enumerate(cells[found.body_start:], start=found.body_start + 1)
            if any(not _is_blank(r[j]) for j in mapping if j < len(r))]
    _check_cell_lengths(body, mapping, batas)
    body, trim_notes = _trim_body(body, mapping)
    notes += trim_notes
    # one frame built from whole columns: a desa's file is one row, so pandas' per-column insert cost dominated
    columns: dict[str, list[Any]] = {canon: [_at(r, j) for _, r in body] for j, canon in mapping.items()}
    columns[ROW] = [n for n, _ in body]
    if "tahun" not in columns and tahun is not None:
        columns["tahun"] = [tahun] * len(body)
        notes.append(Issue(None, "tahun", "STR-TAHUN", INFO,
                           f"Kolom tahun tidak ada; dianggap tahun {tahun} sesuai siklus.", tingkat=0))
    raw = pd.DataFrame(columns, index=pd.RangeIndex(len(body)))
    missing = [c for c in dataset.columns if c not in raw.columns]
    table, type_notes = _typed(raw, dataset)
    texts: dict[str, Any] = {c: [None if _is_blank(v) else _cell_text(v) for v in values]
                             for c, values in columns.items() if c != ROW}
    texts[ROW] = np.asarray(columns[ROW], dtype="int64")
    text = pd.DataFrame(texts, index=raw.index)
    return table, text, notes + type_notes, missing


def _header_notes(found: _Header) -> list[Issue]:
    n = found.row + 1
    notes = []
    if found.row > 0:
        notes.append(Issue(n, None, "STR-JUDUL", INFO,
                           f"Judul kolom ditemukan di baris {n}; {found.row} baris di atasnya diabaikan.", tingkat=0))
    if found.two_rows:
        notes.append(Issue(n, None, "STR-JUDUL", INFO,
                           f"Judul kolom tersusun dua baris (baris {n} dan {n + 1}); keduanya dibaca bersama.", tingkat=0))
    return notes


def _map_columns(found: _Header, dataset: Dataset) -> tuple[dict[int, str], list[Issue]]:
    headers = dataset.header_map()
    row = found.row + 1
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    notes = []
    for j, name in enumerate(found.names):
        if _is_blank(name):
            continue
        canon = headers.get(fold_header(name))
        if canon is None:
            label = _short(str(name).strip())
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


Body = list[tuple[int, list[Any]]]


def _trim_body(body: Body, mapping: dict[int, str]) -> tuple[Body, list[Issue]]:
    """Rows under the header that are not desa: a row of column numbers, notes and signatures, a totals row."""
    notes: list[Issue] = []
    if body and _is_numbering_row(body[0][1], mapping):
        n = body[0][0]
        notes.append(Issue(n, None, "STR-NOMOR", INFO, f"Baris {n} berisi nomor kolom (1, 2, 3, …); tidak dibaca "
                           "sebagai data.", tingkat=0))
        body = body[1:]
    body, tail_note = _drop_notes_below(body, mapping)
    body, total_note = _drop_totals_row(body, mapping)
    return body, notes + [n for n in (tail_note, total_note) if n is not None]


def _is_numbering_row(row: list[Any], mapping: dict[int, str]) -> bool:
    """``(1) (2) (3)`` or ``1 2 3`` under the header: the column numbers of a printed table."""
    values = [_at(row, j) for j in sorted(mapping)]
    numbers = []
    for v in values:
        text = _cell_text(v).strip("() ") if not _is_blank(v) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 3:
            return False
        numbers.append(int(text))
    return len(numbers) >= 3 and all(b > a for a, b in itertools.pairwise(numbers))


_CODE_LIKE = re.compile(r"[\d.\s]+")


def _data_like(row: list[Any], key: int | None, values: list[int]) -> bool:
    """A desa row: a code-like key, or numbers in at least two value columns (one if there is one)."""
    k = _at(row, key) if key is not None else None
    if not _is_blank(k) and _CODE_LIKE.fullmatch(_cell_text(k)) and sum(ch.isdigit() for ch in _cell_text(k)) >= 4:
        return True
    return sum(1 for j in values if _number_like(_at(row, j))) >= min(2, len(values))


def _drop_notes_below(body: Body, mapping: dict[int, str]) -> tuple[Body, Issue | None]:
    key = next((j for j, c in mapping.items() if c == "kode_desa"), None)
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
    key_col = next((j for j, c in mapping.items() if c == "kode_desa"), None)
    key = last[key_col] if key_col is not None and key_col < len(last) else None
    texts = [str(v) for v in last if isinstance(v, str)]
    if (key is None or _is_blank(key) or normalise_code(key) is None) and any(_TOTAL_WORDS.match(t) for t in texts):
        return body[:-1], Issue(n, None, "STR-TOTAL", INFO,
                                f"Baris {n} adalah baris jumlah/total; tidak disimpan sebagai desa.", tingkat=0)
    return body, None


def _check_cell_lengths(body: Body, mapping: dict[int, str], batas: BatasBerkas) -> None:
    """A cell of a standard column longer than the limit refuses the file, before any parsing looks into it."""
    for j, col in mapping.items():
        for n, row in body:
            v = _at(row, j)
            if isinstance(v, str) and len(v) > batas.panjang_sel:
                raise Unreadable(f"Sel pada baris {n}, kolom {col} berisi {_angka(len(v))} karakter; batas "
                                 f"{_angka(batas.panjang_sel)} karakter. Perbaiki isi sel itu, {_RESEND}.")


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v).strip()


def _typed(raw: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, list[Issue]]:
    """The standard's types, column by column, assembled into one frame at the end (no per-column insert)."""
    out: dict[str, Any] = {}
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
            out[col] = pd.array([None if _is_blank(v) else re.sub(r"\s+", "", str(v)).upper() for v in series.tolist()],
                                dtype="string")
    out[ROW] = rows.to_numpy(dtype="int64")
    return pd.DataFrame(out, index=raw.index), notes


def _category(series: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    folded = {fold_header(c).upper(): c for c in codes}

    def one(v: object) -> str | None:
        if _is_blank(v):
            return None
        key = fold_header(v).upper()
        return folded.get(key, str(v).strip())

    return series.map(one).astype("string")


# --- whole numbers ---------------------------------------------------------------------------------

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
        n, shown = int(row_numbers[i]), _short(_cell_text(cells[i]))
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
