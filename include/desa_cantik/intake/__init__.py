"""Submission files as operators really make them -> one typed table in canonical form + provenance.

What this reads: CSV with comma, semicolon, tab or bar; UTF-8 (with or without BOM), Windows-1252, or
Excel's "Unicode Text" (UTF-16, tab-separated); XLSX (and XLSM), ODS (LibreOffice) and XLS (Excel 97-2003)
with title rows above the header, blank columns at the left, merged cells, several sheets (the table may be
on any of them, or on several: a desa a sheet is read whole, a row past the first sheet numbered
``k * LEMBAR_KE + row`` so that findings name its sheet), a header over two rows under a merged group
cell, formula cells (their stored values), numbers typed as text, a leading ``No.`` column, a row of column
numbers, notes and a signature block below the table, a totals row, subtotal rows between the desa (when
their sums prove them); headers that differ in case/spacing/punctuation or are documented aliases;
Indonesian thousands (``1.234.567``); empty trailing rows and columns.
What it cannot read with certainty it does not guess: the value is left empty and an issue names the
row, the column and the value. A file it cannot read at all comes back ``readable=False`` with a reason.

Hostile files: every file gets an answer in bounded time and memory. The limits of ``BatasBerkas`` (from
the Daftar Data) are checked before the expensive work: the file size, then for CSV the line count before
parsing, for XLSX and ODS the zip directory (parts, sizes, ratio), then each part decompressed in bounded
chunks and scanned for the cells it places (a 1.5 KB file can place a cell at XFD1048576; an ODS row can
stand for a million), and for XLS the container's chains and the workbook's records, all before the
workbook reader (calamine, in Rust) sees it; it gets a copy of exactly the parts that were checked.

The modules, in the order a file passes through them:

- ``reader``: ``read_submission``, the limits first, then the format.
- ``decoding``: a text file: other formats refused, bytes to text, the CSV delimiter, the rows.
- ``workbook``: an XLSX or ODS: the zip checked part by part (``sheet_xml``, ``ods_xml`` scan the parts);
  an XLS checked by ``xls``; then the sheets holding the table.
- ``header``: the header row (or two rows) and its columns, by name or alias.
- ``body``: the rows under the header that are not desa (column numbers, notes below, totals and subtotals).
- ``canonical``: the typed table in canonical form (sheets joined), ``Submission`` and ``Provenance``.
- ``counts``: whole numbers, typed as numbers or as text (Indonesian thousands).
- ``cells`` and ``messages``: what they all share (the sheet, blank and number tests; the refusal texts).
"""

from .canonical import LEMBAR_KE, ROW, Provenance, Submission
from .counts import parse_counts
from .header import HEADER_SCAN_ROWS
from .messages import Unreadable
from .reader import read_submission

__all__ = ["HEADER_SCAN_ROWS", "LEMBAR_KE", "ROW", "Provenance", "Submission", "Unreadable", "parse_counts", "read_submission"]
