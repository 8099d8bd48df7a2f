"""Intake reads files as operators make them; what it cannot read with certainty it flags, never guesses."""

import io
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest

from desa_cantik.datasets import get_dataset
from desa_cantik.intake import ROW, Provenance, Submission, read_submission

KEP = get_dataset("kependudukan")
HEADER = "kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,penduduk_datang,penduduk_pindah"
ROW1 = "35.07.01.2001,2025,1510,1490,3000,850,45,20,30,25"


def read(data: bytes, name: str = "f.csv") -> Submission:
    return read_submission(data, KEP, Provenance.of(data, name, datetime(2026, 1, 10, tzinfo=UTC)), 2025)


def test_plain_csv_and_provenance() -> None:
    data = f"{HEADER}\n{ROW1}\n".encode()
    sub = read(data, "masuk/2025/kependudukan/35.07.01.2001/a.csv")
    assert sub.readable and sub.missing_columns == []
    assert sub.table.loc[0, "jumlah_penduduk"] == 3000
    assert sub.table.loc[0, ROW] == 2
    assert sub.provenance.ukuran == len(data) and len(sub.provenance.sha256) == 64
    assert sub.provenance.nama_berkas == "a.csv"


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("cp1252", ";")],
)
def test_separators_and_encodings(encoding: str, sep: str) -> None:
    text = HEADER.replace(",", sep) + "\n" + ROW1.replace(",", sep) + "\n"
    sub = read(text.encode(encoding))
    assert sub.readable
    assert sub.table.loc[0, "kode_desa"] == "35.07.01.2001"
    assert sub.table.loc[0, "jumlah_kk"] == 850


def test_indonesian_thousands_and_ambiguous_numbers() -> None:
    text = (HEADER.replace(",", ";") + "\n"
            + "3507012001;2025;1.510;1.490;3.000;850;45;20;12,5;1,234\n")
    sub = read(text.encode())
    t = sub.table.iloc[0]
    assert t["penduduk_laki"] == 1510 and t["jumlah_penduduk"] == 3000
    assert pd.isna(t["penduduk_datang"]) and pd.isna(t["penduduk_pindah"])
    reasons = {n.kolom: n.pesan for n in sub.notes if n.aturan == "STR-ANGKA"}
    assert "bukan bilangan bulat" in reasons["penduduk_datang"]
    assert "ambigu" in reasons["penduduk_pindah"]


def test_aliases_case_and_punctuation_in_headers() -> None:
    text = ("Kode Desa;TAHUN;L;Perempuan;Jumlah Penduduk;Jml KK;Lahir;Mati;Datang;Pindah\n"
            "35.07.01.2001;2025;1510;1490;3000;850;45;20;30;25\n")
    sub = read(text.encode("utf-8-sig"))
    assert sub.missing_columns == []
    assert sub.table.loc[0, "penduduk_laki"] == 1510


def test_missing_column_and_unknown_column() -> None:
    text = "KODE WILAYAH,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,catatan\n3507012001,2025,1,1,2,1,x\n"
    sub = read(text.encode())
    assert set(sub.missing_columns) == {"kelahiran", "kematian", "penduduk_datang", "penduduk_pindah"}
    assert any(n.aturan == "STR-KOLOM-LAIN" and n.nilai == "catatan" for n in sub.notes)


def test_totals_row_and_blank_trailing_rows_dropped() -> None:
    text = f"{HEADER}\n{ROW1}\n35.07.01.2002,2025,1,1,2,1,0,0,0,0\nJumlah,,1511,1491,3002,851,45,20,30,25\n,,,,\n\n"
    sub = read(text.encode())
    assert len(sub.table) == 2
    assert any(n.aturan == "STR-TOTAL" and n.baris == 4 for n in sub.notes)


def test_xlsx_with_title_rows_left_blank_column_merged_title_and_several_sheets() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Petunjuk"
    ws = wb.create_sheet("kependudukan")
    ws["B1"] = "Data Kependudukan Desa Tulungrejo"
    ws.merge_cells("B1:H1")
    ws.append([])
    ws.append([None, *HEADER.split(",")])
    ws.append([None, 3507012001, 2025, 1510, 1490, 3000, 850, 45, 20, 30, 25])
    ws.append([])
    buf = io.BytesIO()
    wb.save(buf)
    sub = read(buf.getvalue(), "f.xlsx")
    assert sub.readable and len(sub.table) == 1
    assert sub.table.loc[0, "kode_desa"] == "35.07.01.2001"
    assert sub.table.loc[0, ROW] == 4
    assert {n.aturan for n in sub.notes} >= {"STR-JUDUL", "STR-LEMBAR"}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "kosong"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\x00\x01\x02garbage", "biner"),
        (b"PK\x03\x04broken zip", "XLSX rusak"),
        (b"a,b,c\n1,2,3\n", "judul kolom"),
    ],
)
def test_unreadable_files_rejected_with_reason(data: bytes, fragment: str) -> None:
    sub = read(data)
    assert not sub.readable
    assert fragment in (sub.unreadable_reason or "")


def test_duplicate_header_is_not_guessed() -> None:
    sub = read(b"kode_desa,Kode Desa,tahun\n1,2,3\n")
    assert not sub.readable and "dua kali" in (sub.unreadable_reason or "")
