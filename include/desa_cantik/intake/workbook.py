"""XLSX (and XLSM): the zip checked part by part, then the sheet the table is on, read by calamine.

Before calamine (in Rust) sees the workbook: the zip directory (parts, sizes, ratio, password flags), then
each part decompressed in bounded chunks and scanned (``sheet_xml``); calamine gets a copy of exactly the
parts that were checked. Of several sheets, the one whose first rows name the most standard columns is read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from python_calamine import CalamineWorkbook, SheetTypeEnum

from ..config import BatasBerkas
from ..datasets import Dataset, fold_header
from ..findings import INFO, Issue
from .cells import Sheet
from .header import HEADER_SCAN_ROWS, find_header
from .messages import MB, RESEND, TOO_BIG_SHEET, XLSX_DAMAGED, Unreadable, angka, mb
from .sheet_xml import huge_numbers_as_text, scan_part

_T = TypeVar("_T")

_MAX_PARTS = 2_000
_CHUNK = 1024 * 1024


def read_zip(data: bytes, dataset: Dataset, batas: BatasBerkas) -> Sheet:
    with _damaged_zip():
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    _check_package(infos, len(data), batas)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in infos:
            with _damaged_zip():
                part = _part_bytes(zf, info)
            scan_part(part, batas)
            with _damaged_zip():
                copy.writestr(info.filename, huge_numbers_as_text(part))
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
        raise Unreadable(XLSX_DAMAGED) from None


def _check_package(infos: list[zipfile.ZipInfo], size: int, batas: BatasBerkas) -> None:
    names = [i.filename for i in infos]
    _refuse_other_packages(set(names))
    if len(infos) > _MAX_PARTS or len(set(names)) != len(names):
        raise Unreadable(XLSX_DAMAGED)
    if any(i.flag_bits & 0x1 for i in infos):
        raise Unreadable("Berkas XLSX dilindungi kata sandi. Hapus kata sandinya di Excel, simpan ulang, "
                         f"{RESEND}.")
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        raise Unreadable(XLSX_DAMAGED)
    total = sum(i.file_size for i in infos)
    if total > batas.terurai_mb * MB:
        raise Unreadable(f"Isi berkas XLSX jika diurai berukuran {mb(total)}; batas {angka(batas.terurai_mb)} MB. "
                         f"{TOO_BIG_SHEET}")
    if total > MB and total > batas.rasio_kompresi * size:
        raise Unreadable(f"Berkas XLSX terkompresi secara tidak wajar ({angka(round(total / size))} kali; batas "
                         f"{angka(batas.rasio_kompresi)} kali). Buka di Excel, simpan ulang sebagai .xlsx, {RESEND}.")


def _refuse_other_packages(names: set[str]) -> None:
    if any(n.endswith("workbook.xml") for n in names):
        return
    if "content.xml" in names and "mimetype" in names:
        raise Unreadable("Berkas OpenDocument (.ods) belum dapat dibaca. Di LibreOffice pilih File > Save As, jenis "
                         f"Excel 2007-365 (.xlsx), {RESEND}.")
    if any(n.endswith("workbook.bin") for n in names):
        raise Unreadable(f"Berkas Excel Binary (.xlsb) tidak dapat dibaca. Simpan ulang sebagai .xlsx, {RESEND}.")
    raise Unreadable("Berkas ZIP ini bukan lembar kerja Excel (.xlsx). Kirim berkas .xlsx atau .csv berisi tabel data.")


def _part_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, decompressed in bounded steps (zipfile stops at the declared size and checks the CRC)."""
    chunks = []
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _calamine(call: Callable[[], _T]) -> _T:
    """A call into calamine: its errors, and a Rust panic (a BaseException), mean a damaged file."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        raise Unreadable(XLSX_DAMAGED) from None


def _sheet_head(wb: CalamineWorkbook, name: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS + 1)


def _read_workbook(book: bytes, dataset: Dataset, batas: BatasBerkas) -> Sheet:
    wb = _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(book)))
    names = [m.name for m in _calamine(lambda: wb.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
    if len(names) > batas.lembar:
        raise Unreadable(f"Berkas berisi {angka(len(names))} lembar; batas {angka(batas.lembar)} lembar. Hapus lembar "
                         f"yang tidak perlu, {RESEND}.")
    if not names:
        raise Unreadable(f"Berkas XLSX tidak berisi lembar kerja. Isi data pada lembar kerja, {RESEND}.")
    headers = dataset.header_map()
    candidates = []
    for name in names:
        head = _calamine(partial(_sheet_head, wb, name))
        found = find_header(head, headers, [])
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
    return Sheet(rows, notes, merges)
