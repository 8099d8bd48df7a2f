"""Personal data in submissions (UU PDP): found, refused, and never echoed.

The standard asks for counts per desa, never data about a person. A file that carries a column such as
NIK, nama or tanggal lahir, or values that are valid NIK/KK numbers, is refused whole with a message that
says what was found (masked) and what to remove. Whatever text the cycle shows or stores about a file
(reports, findings, quarantine rows, pages) goes through ``mask_text`` so a NIK never appears in clear.
Column names are judged by ``lokal-id``'s PII field detection (``lokal.samaran``); values by their shape:
no count of a desa has 16 digits, a NIK or KK number does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lokal.samaran import field_type, partial_mask

# what a column header may not announce: identifiers and the person's particulars
PERSONAL_FIELDS = {"NIK", "KK", "NAME", "BIRTH_DATE", "ADDRESS", "PHONE", "EMAIL", "NPWP", "PASSPORT", "BPJS",
                   "NISN", "AKTA", "SIM", "RELIGION", "HEALTH", "BANK_ACCOUNT", "MARITAL_STATUS"}
FIELD_LABEL = {"NIK": "NIK", "KK": "nomor KK", "NAME": "nama orang", "BIRTH_DATE": "tanggal/tempat lahir",
               "ADDRESS": "alamat", "PHONE": "nomor telepon", "EMAIL": "surel", "NPWP": "NPWP", "PASSPORT": "paspor",
               "BPJS": "nomor BPJS", "NISN": "NISN", "AKTA": "nomor akta", "SIM": "nomor SIM", "RELIGION": "agama",
               "HEALTH": "data kesehatan perorangan", "BANK_ACCOUNT": "nomor rekening",
               "MARITAL_STATUS": "status perkawinan"}
_SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")
HEADER_ROWS = 30


@dataclass(frozen=True)
class PersonalData:
    kolom: list[str]  # header cells that announce personal data, with what they announce
    nomor: list[str]  # NIK/KK numbers found, masked
    jumlah_nomor: int

    def message(self) -> str:
        parts = []
        if self.kolom:
            parts.append("kolom " + ", ".join(self.kolom))
        if self.jumlah_nomor:
            count = f"{self.jumlah_nomor}" if self.jumlah_nomor < MAX_NUMBERS else f"sedikitnya {MAX_NUMBERS}"
            parts.append(f"{count} nilai 16 digit seperti NIK/nomor KK (mis. {', '.join(self.nomor)})")
        return ("Berkas berisi data pribadi dan tidak diproses: " + "; ".join(parts) + ". Standar Data hanya meminta "
                "angka per desa, bukan data perorangan. Hapus kolom dan baris data perorangan itu, lalu kirim ulang.")


MAX_NUMBERS = 3  # enough to refuse and to show an example; a file full of NIKs is not scanned to the end


def _candidate(cell: object) -> str | None:
    """A cell that could hold a 16-digit number, as text; cheap enough for every cell of a large file."""
    if isinstance(cell, str):
        return cell if len(cell) >= 16 and _SIXTEEN.search(cell) else None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 1e15 <= abs(cell) < 1e16:
        return str(int(cell)) if float(cell).is_integer() else None
    return None


def _header_fields(rows: list[list[object]], standard_headers: set[str]) -> dict[str, str]:
    from .datasets import fold_header

    found: dict[str, str] = {}
    for row in rows[:HEADER_ROWS]:
        for cell in row:
            if isinstance(cell, str) and cell.strip() and fold_header(cell) not in standard_headers:
                kind = field_type(cell.strip())
                if kind in PERSONAL_FIELDS:
                    found.setdefault(cell.strip()[:40], FIELD_LABEL[kind])
    return found


def scan(cells: Iterable[list[object]], standard_headers: set[str]) -> PersonalData | None:
    """Personal data in a file's cells (None: none found). ``standard_headers`` are the folded names and aliases
    of the dataset's own columns, which are never personal (``jumlah_kk`` is a count, ``L+P`` a total)."""
    rows = cells if isinstance(cells, list) else list(cells)
    columns = _header_fields(rows, standard_headers)
    numbers: list[str] = []
    for row in rows:
        for cell in row:
            text = _candidate(cell)
            if text is not None:  # any 16-digit number: no count of a desa has 16 digits, a NIK or KK does
                numbers += _SIXTEEN.findall(text)
        if len(numbers) >= MAX_NUMBERS:
            break
    if not columns and not numbers:
        return None
    return PersonalData([f"'{c}' ({label})" for c, label in columns.items()],
                        [partial_mask("NIK", n) for n in numbers[:2]], len(numbers))


def mask_text(text: str | None) -> str | None:
    """The text with every 16-digit number (a NIK or KK, valid or not) masked as ``3507********0003``."""
    if not text:
        return text
    return _SIXTEEN.sub(lambda m: partial_mask("NIK", m.group(0)), text)
