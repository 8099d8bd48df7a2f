"""Workbooks: XLSX (and XLSM) and ODS checked part by part, then the sheets the table is on, read by calamine.

Before calamine (in Rust) sees a zip workbook: the zip directory (parts, sizes, ratio, password flags), then
each part decompressed in bounded chunks and scanned (``sheet_xml``; an ODS's ``content.xml`` also by
``ods_xml``); calamine gets a copy of exactly the parts that were checked. An XLS is checked by ``xls`` and
read here too. Of several sheets, every sheet whose first rows name the most standard columns holds the table
(one desa a sheet is a common layout): all are read, in order; the others are named in a note.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from ..config import BatasBerkas
from ..datasets import Dataset, fold_header
from ..findings import INFO, Issue
from .cells import Sheet, check_area
from .header import HEADER_SCAN_ROWS, find_header
from .messages import MB, ODS_DAMAGED, RESEND, TOO_BIG_SHEET, XLSX_DAMAGED, Unreadable, angka, mb
from .ods_xml import scan_content
from .sheet_xml import huge_numbers_as_text, scan_part

_T = TypeVar("_T")

_MAX_PARTS = 2_000
_CHUNK = 1024 * 1024
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def read_zip(data: bytes, dataset: Dataset, batas: BatasBerkas) -> list[Sheet]:
    with _damaged(ODS_DAMAGED if data[30:38] == b"mimetype" else XLSX_DAMAGED):  # an ODS's first part, by the standard
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    jenis = _package_kind({i.filename for i in infos})
    damaged = XLSX_DAMAGED if jenis == "XLSX" else ODS_DAMAGED
    with _damaged(damaged):
        _check_package(infos, len(data), batas, jenis)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in infos:
                part = _part_bytes(zf, info)
                scan_part(part, batas)
                if jenis == "ODS":
                    _check_ods_part(info.filename, part, batas)
                copy.writestr(info.filename, huge_numbers_as_text(part) if jenis == "XLSX" else part)
                del part
    return read_book(out.getvalue(), dataset, batas, damaged)


@contextmanager
def _damaged(message: str) -> Iterator[None]:
    """zipfile on damaged bytes raises many kinds (BadZipFile, zlib.error, EOFError, ...): all mean "damaged"
    (the XML scans say it for XLSX; an ODS says it for itself)."""
    try:
        yield
    except Unreadable as exc:
        if str(exc) == XLSX_DAMAGED and message != XLSX_DAMAGED:
            raise Unreadable(message) from None
        raise
    except Exception:
        raise Unreadable(message) from None


def _check_package(infos: list[zipfile.ZipInfo], size: int, batas: BatasBerkas, jenis: str) -> None:
    names = [i.filename for i in infos]
    if len(infos) > _MAX_PARTS or len(set(names)) != len(names):
        raise Unreadable(XLSX_DAMAGED)
    if any(i.flag_bits & 0x1 for i in infos):
        raise Unreadable(f"Berkas {jenis} dilindungi kata sandi. Hapus kata sandinya, simpan ulang, {RESEND}.")
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        raise Unreadable(XLSX_DAMAGED)
    total = sum(i.file_size for i in infos)
    if total > batas.terurai_mb * MB:
        raise Unreadable(f"Isi berkas {jenis} jika diurai berukuran {mb(total)}; batas {angka(batas.terurai_mb)} MB. "
                         f"{TOO_BIG_SHEET}")
    if total > MB and total > batas.rasio_kompresi * size:
        raise Unreadable(f"Berkas {jenis} terkompresi secara tidak wajar ({angka(round(total / size))} kali; batas "
                         f"{angka(batas.rasio_kompresi)} kali). Buka di Excel atau LibreOffice, simpan ulang, {RESEND}.")


def _package_kind(names: set[str]) -> str:
    if any(n.endswith("workbook.xml") for n in names):
        return "XLSX"
    if "content.xml" in names and "mimetype" in names:
        return "ODS"
    if any(n.endswith("workbook.bin") for n in names):
        raise Unreadable(f"Berkas Excel Binary (.xlsb) tidak dapat dibaca. Simpan ulang sebagai .xlsx, {RESEND}.")
    raise Unreadable("Berkas ZIP ini bukan lembar kerja Excel (.xlsx) atau OpenDocument (.ods). Kirim berkas .xlsx, "
                     ".ods atau .csv berisi tabel data.")


def _check_ods_part(name: str, part: bytes, batas: BatasBerkas) -> None:
    """The ODS parts calamine reads first: the kind of document, the password, then every sheet's cells."""
    if name == "mimetype" and part.strip() != _ODS_MIME:
        raise Unreadable("Berkas OpenDocument ini bukan lembar kerja (.ods), mis. dokumen teks. Kirim berkas .ods, "
                         ".xlsx atau .csv berisi tabel data.")
    if name == "META-INF/manifest.xml" and b"encryption-data" in part:
        raise Unreadable("Berkas ODS dilindungi kata sandi. Di LibreOffice buka berkas, pilih File > Save As tanpa "
                         f"mencentang Save with password, {RESEND}.")
    if name == "content.xml":
        scan_content(part, batas)


def _part_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, decompressed in bounded steps (zipfile stops at the declared size and checks the CRC)."""
    chunks = []
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _calamine(call: Callable[[], _T], damaged: str) -> _T:
    """A call into calamine: its errors, and a Rust panic (a BaseException), mean a damaged file."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        raise Unreadable(damaged) from None


def _sheet_head(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS + 1)


def read_book(book: bytes, dataset: Dataset, batas: BatasBerkas, damaged: str) -> list[Sheet]:
    """The sheets holding the table, after the bytes were checked (``read_zip``, ``xls.read_xls``)."""
    wb = _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(book)), damaged)
    names = [m.name for m in _calamine(lambda: wb.sheets_metadata, damaged) if m.typ == SheetTypeEnum.WorkSheet]
    if len(names) > batas.lembar:
        raise Unreadable(f"Berkas berisi {angka(len(names))} lembar; batas {angka(batas.lembar)} lembar. Hapus lembar "
                         f"yang tidak perlu, {RESEND}.")
    if not names:
        raise Unreadable(f"Berkas tidak berisi lembar kerja. Isi data pada lembar kerja, {RESEND}.")
    scores = {name: _score(_calamine(partial(_sheet_head, wb, name), damaged), dataset) for name in names}
    chosen = _table_sheets(scores, dataset)
    opened = [_calamine(partial(wb.get_sheet_by_name, name), damaged) for name in chosen]
    _check_total_area(opened, batas)
    sheets = [_sheet(s, name, damaged) for s, name in zip(opened, chosen, strict=True)]
    _calamine(wb.close, damaged)
    if len(names) > 1:
        sheets[0].notes.append(_sheets_note(names, chosen, scores))
    return sheets


def _score(head: list[list[Any]], dataset: Dataset) -> int:
    found = find_header(head, dataset.header_map(), [])
    return found.score if found else 0


def _table_sheets(scores: dict[str, int], dataset: Dataset) -> list[str]:
    """Every sheet naming the most standard columns, in order; a sheet named after the dataset first of all."""
    named = [n for n, s in scores.items() if s >= 2 and (fold_header(n) == dataset.nama or dataset.nama in fold_header(n))]
    best = scores[named[0]] if named else max(scores.values())
    tables = [n for n, s in scores.items() if s == best]
    if best < 2:
        return tables[:1]  # no header anywhere: the first sheet, whose reading says so
    return tables


def _check_total_area(opened: list[CalamineSheet], batas: BatasBerkas) -> None:
    """The sheets read together stay within the limits of one sheet (rows and cells, from A1)."""
    ends = [s.end for s in opened if s.end is not None]
    rows = sum(e[0] + 1 for e in ends)
    cells = sum((e[0] + 1) * (e[1] + 1) for e in ends)
    if len(opened) > 1 and (rows > batas.baris or cells > batas.sel):
        raise Unreadable(f"Lembar yang berisi tabel bersama-sama memakai {angka(rows)} baris dan {angka(cells)} sel; batas "
                         f"{angka(batas.baris)} baris dan {angka(batas.sel)} sel per berkas. {TOO_BIG_SHEET}")
    for e in ends:
        check_area(e[0] + 1, e[1] + 1, batas)


def _sheet(sheet: CalamineSheet, name: str, damaged: str) -> Sheet:
    rows = _calamine(lambda: sheet.to_python(skip_empty_area=False), damaged)
    merges = _calamine(lambda: sheet.merged_cell_ranges, damaged) or []
    return Sheet(rows, [], merges, name)


def _sheets_note(names: list[str], chosen: list[str], scores: dict[str, int]) -> Issue:
    read = ", ".join(f"'{n}'" for n in chosen)
    text = f"Berkas punya {len(names)} lembar; yang dibaca lembar {read}."
    if len(chosen) > 1:
        text += (f" Lembar-lembar itu berisi tabel yang sama dan dibaca bersama; temuan di lembar selain '{chosen[0]}' "
                 "menyebut nama lembarnya.")
    other = [n for n in names if n not in chosen and scores[n] >= 2]
    if other:
        text += (" Lembar " + ", ".join(f"'{n}'" for n in other) + " berisi judul kolom lain (kolom standar lebih "
                 "sedikit) dan tidak dibaca; pindahkan datanya ke tabel yang sama bila itu data desa.")
    return Issue(None, None, "STR-LEMBAR", INFO, text, nilai=", ".join(chosen), tingkat=0)
