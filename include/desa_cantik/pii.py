"""Personal data in submissions (UU PDP): found, refused, and never echoed.

The standard asks for counts per desa, never data about a person. A file that carries a column such as
NIK, nama or tanggal lahir, or values that are valid NIK/KK numbers, is refused whole with a message that
says what was found (masked) and what to remove. Whatever text the cycle shows or stores about a file
(reports, findings, quarantine rows, pages) goes through ``mask_text`` so a NIK never appears in clear.
Detection is ``lokal-id``'s (``lokal.samaran``): field names by meaning, NIK/KK numbers by their structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lokal.samaran import detect_pii, field_type, partial_mask

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
            parts.append(f"{self.jumlah_nomor} nilai berupa NIK/nomor KK (mis. {', '.join(self.nomor)})")
        return ("Berkas berisi data pribadi dan tidak diproses: " + "; ".join(parts) + ". Standar Data hanya meminta "
                "angka per desa, bukan data perorangan. Hapus kolom dan baris data perorangan itu, lalu kirim ulang.")


def _text(cell: object) -> str | None:
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell) if isinstance(cell, (str, int, float)) else None


def _numbers(text: str) -> list[str]:
    if not _SIXTEEN.search(text):
        return []
    return [m.value for m in detect_pii(text, types=["NIK", "KK"], min_confidence="high")]


def scan(cells: Iterable[list[object]], standard_headers: set[str]) -> PersonalData | None:
    """Personal data in a file's cells (None: none found). ``standard_headers`` are the folded names and aliases
    of the dataset's own columns, which are never personal (``jumlah_kk`` is a count, ``L+P`` a total)."""
    from .datasets import fold_header

    columns: dict[str, str] = {}
    numbers: list[str] = []
    for i, row in enumerate(cells):
        for cell in row:
            text = _text(cell)
            if text is None:
                continue
            if i < HEADER_ROWS and isinstance(cell, str) and fold_header(cell) not in standard_headers:
                kind = field_type(cell.strip())
                if kind in PERSONAL_FIELDS:
                    columns.setdefault(cell.strip()[:40], FIELD_LABEL[kind])
            numbers += _numbers(text)
    if not columns and not numbers:
        return None
    return PersonalData([f"'{c}' ({label})" for c, label in columns.items()],
                        [partial_mask("NIK", n) for n in numbers[:2]], len(numbers))


def mask_text(text: str | None) -> str | None:
    """The text with every 16-digit number (a NIK or KK, valid or not) masked as ``3507********0003``."""
    if not text:
        return text
    return _SIXTEEN.sub(lambda m: partial_mask("NIK", m.group(0)), text)
