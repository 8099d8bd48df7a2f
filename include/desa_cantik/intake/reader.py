"""One file → a ``Submission``: the limits first, then the format (workbook or text), personal data, canonical form."""

from __future__ import annotations

from ..config import BatasBerkas
from ..datasets import Dataset
from ..pii import scan as scan_personal_data
from .canonical import Provenance, Submission, sheets_to_canonical
from .cells import Sheet
from .decoding import decode, read_text, refuse_other_formats
from .messages import RESEND, Unreadable, angka, mb
from .workbook import read_zip
from .xls import CFB, read_xls


def read_submission(
    data: bytes, dataset: Dataset, provenance: Provenance, tahun: int | None = None,
    batas: BatasBerkas | None = None,
) -> Submission:
    """Read and normalise one file. Never raises for bad input: problems become issues.

    ``batas``: the limits on one file (the Daftar Data's ``batas_berkas``); defaults when not given.
    """
    limits = batas or BatasBerkas()
    try:
        sheets = _read_cells(data, dataset, limits)
        headers = set(dataset.header_map())
        for sheet in sheets:
            personal = scan_personal_data(sheet.rows, headers)
            if personal is not None:
                raise Unreadable(personal.message())
        table, raw, more_notes, missing = sheets_to_canonical(sheets, dataset, tahun, limits)
    except Unreadable as exc:
        return Submission.unreadable(dataset, provenance, str(exc))
    names = [s.name for s in sheets] if len(sheets) > 1 else []
    return Submission(dataset, provenance, table, raw, sheets[0].notes + more_notes, missing, lembar=names)


def _read_cells(data: bytes, dataset: Dataset, batas: BatasBerkas) -> list[Sheet]:
    """The sheets holding the table: one for a text file, one or more for a workbook (XLSX, ODS, XLS)."""
    if len(data) > batas.ukuran_bait:
        raise Unreadable(f"Berkas terlalu besar ({mb(len(data))}; batas {angka(batas.ukuran_mb)} MB). Hapus isi "
                         f"yang tidak perlu (gambar, lembar lain) atau bagi data menjadi beberapa berkas, {RESEND}.")
    if not data.strip():
        raise Unreadable("Berkas kosong. Isi data sesuai templat lalu kirim ulang.")
    if data[:4] == b"PK\x03\x04":
        return read_zip(data, dataset, batas)
    if data[:8] == CFB:
        return read_xls(data, dataset, batas)
    refuse_other_formats(data)
    text, notes = decode(data)
    return [read_text(text, notes, dataset, batas)]
