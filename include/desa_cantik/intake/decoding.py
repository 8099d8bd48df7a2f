"""A file that is not a workbook (XLSX, ODS, XLS): refused when it is another format, else bytes → text → CSV rows.

Text: UTF-8 (with or without BOM), Windows-1252, or Excel's "Unicode Text" (UTF-16/32). The delimiter (comma,
semicolon, tab or bar) is the one under which the standard's headers show; the line count is checked
before parsing, the columns and cells while parsing.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

from ..config import BatasBerkas
from ..datasets import Dataset
from ..findings import INFO, Issue
from .cells import Sheet, check_area
from .header import HEADER_SCAN_ROWS, header_score
from .messages import RESEND, TOO_BIG_SHEET, XLSX_DAMAGED, Unreadable, angka


def refuse_other_formats(data: bytes) -> None:
    """Files that are not a workbook or CSV but are often sent instead: say what they are and what to send."""
    if data[:5] == b"%PDF-":
        raise Unreadable("Berkas PDF tidak dapat dibaca sebagai tabel. Kirim berkas .xlsx atau .csv dari Excel.")
    lead = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lead.startswith(b"<"):
        raise Unreadable("Berkas berisi halaman web atau XML, bukan CSV atau XLSX. Buka berkas di Excel, simpan sebagai "
                         f"Excel Workbook (.xlsx), {RESEND}.")


def decode(data: bytes) -> tuple[str, list[Issue]]:
    utf16 = _utf16_codec(data)
    if utf16:
        note = Issue(None, None, "STR-ENKODE", INFO, f"Berkas dibaca sebagai Unicode Text ({utf16.upper()[:6]}) dari Excel.",
                     tingkat=0)
        return data.decode(utf16, errors="replace"), [note]
    if b"\x00" in data[:4096]:
        if b"PK\x01\x02" in data or b"[Content_Types].xml" in data:  # a workbook whose first bytes are damaged
            raise Unreadable(XLSX_DAMAGED)
        raise Unreadable("Berkas bukan CSV, XLSX, XLS atau ODS (isi biner tidak dikenal). Kirim berkas .csv atau .xlsx.")
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


def read_text(text: str, notes: list[Issue], dataset: Dataset, batas: BatasBerkas) -> Sheet:
    text = text.rstrip(" \t\r\n,;|")  # empty rows at the end (",,,,"): not rows of the table
    lines = max(text.count("\n"), text.count("\r")) + 1
    if lines > batas.baris:  # before parsing: a 10^6-line file is refused in milliseconds
        raise Unreadable(f"Berkas berisi {angka(lines)} baris; batas {angka(batas.baris)} baris per berkas. "
                         f"{TOO_BIG_SHEET}")
    delimiter = _sniff_delimiter(text[:_SAMPLE_CHARS], dataset, batas)
    return Sheet(_parse_csv(text, delimiter, batas), notes)


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
        best = max((header_score(r[: batas.kolom], headers) for r in rows), default=0)
        return (best, sum(1 for r in rows if len(r) > 1), sample.count(d))

    return max(_DELIMITERS, key=score)


def _parse_csv(text: str, delimiter: str, batas: BatasBerkas) -> list[list[Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(row) > batas.kolom:
                raise Unreadable(f"Baris {len(rows) + 1} berisi {angka(len(row))} kolom; batas {angka(batas.kolom)} "
                                 f"kolom. {TOO_BIG_SHEET}")
            rows.append(row)
    except csv.Error as exc:
        raise Unreadable(_csv_problem(str(exc), len(rows) + 1, batas)) from None
    check_area(len(rows), max(map(len, rows), default=0), batas, "Berkas")
    if '"' in text:
        _check_quotes(rows, delimiter)
    return rows


def _csv_problem(error: str, row: int, batas: BatasBerkas) -> str:
    if "field larger than field limit" in error:
        return (f"Sel pada baris {row} terlalu panjang (batas {angka(batas.panjang_sel)} karakter). Periksa tanda kutip "
                f"(\") yang tidak ditutup atau isi sel yang tertempel berulang, {RESEND}.")
    return (f"Berkas CSV tidak dapat dibaca mulai baris {row}. Buka di Excel, simpan ulang sebagai CSV atau .xlsx, "
            f"{RESEND}.")


def _check_quotes(rows: list[list[Any]], delimiter: str) -> None:
    """An opening quote that is never closed swallows the lines after it into one cell: say where."""
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if delimiter in v and ("\n" in v or "\r" in v):
                raise Unreadable(f"Tanda kutip (\") pada baris {i}, kolom ke-{j} tidak ditutup, sehingga baris-baris "
                                 f"sesudahnya terbaca sebagai satu sel. Hapus tanda kutip itu atau tambahkan kutip penutupnya, "
                                 f"{RESEND}.")
