"""Builds the messy-file corpus (committed beside this script) and its expectations, ``expected.json``.

Each file is one real-world case the gate must read: its expected verdict, normalised values of its
first accepted row, and the issues (rule, row, column, words of the message) it must report.
Run ``python tests/corpus/build.py`` after adding a case (files already there are kept: an XLSX is never
byte-identical twice); ``--semua`` rewrites every file. The ODS and XLS cases (and an XLSX saved by Calc) are
written by LibreOffice Calc (``soffice --headless --convert-to``) from a workbook built here, so they are the
bytes Calc writes; building them needs LibreOffice, reading them does not.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the project's tests package

from desa_cantik.findings import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK
from tests.test_reader_field_cases import (
    DESA,
    data_on_another_sheet_workbook,
    desa_per_sheet_workbook,
    excel_like,
    saved,
    subtotal_workbook,
    two_row_header_workbook,
    unicode_text,
)

HERE = Path(__file__).parent
H = ["kode_desa", "tahun", "penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk", "kelahiran",
     "kematian", "penduduk_datang", "penduduk_pindah"]
R = ["35.07.01.2001", "2025", "1510", "1490", "3000", "850", "45", "20", "30", "25"]
GOOD = {"kode_desa": "35.07.01.2001", "jumlah_penduduk": 3000, "jumlah_kk": 850, "penduduk_laki": 1510}


def csv(rows: list[list[str]], sep: str = ",", newline: str = "\n") -> str:
    return newline.join(sep.join(r) for r in rows) + newline


def xlsx(build: Callable[[Any], None]) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def title_sheet(wb: Any) -> None:
    wb.active.title = "Petunjuk"
    wb.active["A1"] = "Baca petunjuk pengisian"
    ws = wb.create_sheet("Data Kependudukan")
    ws["C1"] = "DATA KEPENDUDUKAN DESA TULUNGREJO 2025"
    ws.merge_cells("C1:J1")
    ws["C2"] = "Sumber: buku induk penduduk"
    ws.append([])
    ws.append([None, None, *H])
    ws.append([None, None, 3507012001, 2025, 1510, 1490, 3000, 850, 45, 20, 30, 25])
    ws.append([])
    ws.append([])


def numeric_code_sheet(wb: Any) -> None:
    ws = wb.active
    ws.append(H)
    ws.append([3507012001.0, "2025", 1510, 1490, 3000, 850, 45, 20, 30, 25])


def far_cell(data: bytes) -> bytes:
    """One cell at XFD1048576, the last cell of a sheet: 17 billion cells for a reader that sizes by it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
            dst.writestr(info, body)
    return out.getvalue()


def calc(xlsx_bytes: bytes, ext: str) -> Callable[[], bytes]:
    """The workbook as LibreOffice Calc saves it in ``ext`` (ods, xls, xlsx): built only when the file is written."""
    def save() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "buku.xlsx"
            src.write_bytes(xlsx_bytes)
            out = Path(tmp) / "calc"
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profil", "--convert-to", ext,
                            "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=120)
            return (out / f"buku.{ext}").read_bytes()
    return save


TWO_ROWS = excel_like(saved(two_row_header_workbook()[0]), two_row_header_workbook()[1])
TWO_ROWS_EXPECTED = {
    "status": DITERIMA, "values": {**GOOD, "_baris": 5}, "rows_read": 2,
    "issues": [{"rule": "STR-JUDUL", "row": 3, "contains": ["dua baris"]}, {"rule": "STR-TOTAL", "row": 7},
               {"rule": "STR-CATATAN", "row": 11, "contains": ["tanda tangan"]}]}
ANOTHER_SHEET = excel_like(saved(data_on_another_sheet_workbook()))
ANOTHER_SHEET_EXPECTED = {"status": DITERIMA, "values": GOOD, "rows_read": 2,
                          "issues": [{"rule": "STR-LEMBAR", "contains": ["'Sheet3'"]}]}
PER_SHEET = excel_like(saved(desa_per_sheet_workbook(bad_code_on_third=True)))
PER_SHEET_EXPECTED = {  # the third sheet's desa has a code that does not exist: named with its sheet (row 4 there)
    "status": DITERIMA_DENGAN_CATATAN, "rows_read": 3,
    "issues": [{"rule": "STR-LEMBAR", "contains": ["'Desa Tulungrejo', 'Desa Banjarejo', 'Desa Kedungsalam'"]},
               {"rule": "WIL-01", "row": 2 * 10_000_000 + 4, "column": "kode_desa",
                "contains": ["Lembar 'Desa Kedungsalam', baris 4: kode_desa '35.07.01.2099'"]}]}
SUBTOTALS = excel_like(saved(subtotal_workbook()[0]), subtotal_workbook()[1])
SUBTOTALS_EXPECTED = {
    "dataset": "kesehatan_anak", "region": "35.07", "status": DITERIMA, "rows_read": 5,
    "values": {"kode_desa": "35.07.01.2001", "jumlah_balita": 210},
    "issues": [{"rule": "STR-TOTAL", "row": 7, "contains": ["subtotal"]},
               {"rule": "STR-TOTAL", "row": 10, "contains": ["subtotal"]},
               {"rule": "STR-TOTAL", "row": 11}]}

CASES: dict[str, tuple[bytes | Callable[[], bytes], dict[str, Any]]] = {
    "01_koma_utf8.csv": (csv([H, R]).encode(), {"status": DITERIMA, "values": GOOD}),
    "02_titikkoma_bom.csv": (csv([H, R], ";", "\r\n").encode("utf-8-sig"), {"status": DITERIMA, "values": GOOD}),
    "03_tab_windows1252.csv": (
        csv([[*H, "Keterangan"], [*R, "Désa tepi hutan – data BPD"]], "\t", "\r\n").encode("cp1252"),
        {"status": DITERIMA, "values": GOOD,
         "issues": [{"rule": "STR-ENKODE"}, {"rule": "STR-KOLOM-LAIN", "column": "Keterangan"}]}),
    "04_ribuan_indonesia.csv": (
        csv([H, ["35.07.01.2001", "2025", "1.510", "1.490", "3.000", "850", "45", "20", "30", "25"]], ";").encode(),
        {"status": DITERIMA, "values": GOOD}),
    "05_ribuan_jutaan.csv": (
        csv([H, ["35.07.01.2001", "2025", "1.000.000", "1.000.000", "2.000.000", "500.000", "20.000", "10.000", "30",
                 "25"]], ";").encode(),
        {"status": DITERIMA, "values": {"jumlah_penduduk": 2000000, "penduduk_laki": 1000000}}),
    "06_desimal_koma.csv": (
        csv([H, [*R[:5], "850,5", *R[6:]]], ";").encode(),
        {"status": DITOLAK, "issues": [{"rule": "KEP-01", "row": 2, "column": "jumlah_kk",
                                           "contains": ["850,5", "bukan bilangan bulat"]}]}),
    "07_ambigu_koma_ribuan.csv": (
        csv([H, [*R[:4], '"3,000"', *R[5:]]]).encode(),
        {"status": DITOLAK, "issues": [{"rule": "KEP-01", "row": 2, "column": "jumlah_penduduk",
                                           "contains": ["3,000", "ambigu"]}]}),
    "08_judul_kolom_alias.csv": (
        csv([["Kode Desa", "TAHUN", "L", "Perempuan", "Jumlah Penduduk", "Jml KK", "Lahir", "Mati", "Datang",
              "Pindah"], R], ";").encode(),
        {"status": DITERIMA, "values": GOOD}),
    "09_judul_kolom_tanda_baca.csv": (
        csv([["KODE WILAYAH", " Tahun ", "Penduduk Laki-laki", "Penduduk  Perempuan", "JUMLAH_PENDUDUK", "Jumlah KK",
              "Kelahiran", "Kematian", "Penduduk-Datang", "Penduduk.Pindah"], R]).encode(),
        {"status": DITERIMA, "values": GOOD}),
    "10_kode_tanpa_titik.csv": (
        csv([H, [" 3507012001 ", *R[1:]]]).encode(), {"status": DITERIMA, "values": GOOD}),
    "11_xlsx_judul_di_atas.xlsx": (
        xlsx(title_sheet),
        {"status": DITERIMA, "values": {**GOOD, "_baris": 5},
         "issues": [{"rule": "STR-JUDUL", "row": 4}, {"rule": "STR-LEMBAR"}]}),
    "12_xlsx_kode_angka.xlsx": (xlsx(numeric_code_sheet), {"status": DITERIMA, "values": GOOD}),
    "13_baris_kolom_kosong.csv": (
        (csv([[*H, "", ""], [*R, "", ""]]) + ",,,,,,,,,,,\n\n,,,\n").encode(),
        {"status": DITERIMA, "values": GOOD, "rows_read": 1}),
    "14_baris_total.csv": (
        csv([H, R, ["35.07.01.2002", "2025", "990", "1010", "2000", "600", "30", "10", "5", "5"],
             ["TOTAL", "", "2500", "2500", "5000", "1450", "75", "30", "35", "30"]]).encode(),
        {"status": DITERIMA, "values": GOOD, "rows_read": 2, "issues": [{"rule": "STR-TOTAL", "row": 4}]}),
    "15_kode_desa_salah.csv": (
        csv([H, ["35.07.01.9999", *R[1:]]]).encode(),
        {"status": DITOLAK, "issues": [{"rule": "WIL-01", "row": 2, "column": "kode_desa",
                                           "contains": ["35.07.01.9999"]}]}),
    "16_kolom_hilang.csv": (
        csv([H[:-1], R[:-1]]).encode(),
        {"status": DITOLAK, "issues": [{"rule": "STR-01", "column": "penduduk_pindah"}]}),
    "17_excel_lama.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
                          {"status": DITOLAK, "unreadable": True, "issues": [{"rule": "STR-00", "contains": [".xls"]}]}),
    "18_kolom_ganda.csv": (
        csv([[*H, "Jml KK"], [*R, "850"]]).encode(),
        {"status": DITOLAK, "unreadable": True, "issues": [{"rule": "STR-00", "contains": ["jumlah_kk", "dua kali"]}]}),
    # the reader hardened against the field and against hostile files
    "19_xlsx_judul_dua_baris.xlsx": (
        excel_like(saved(two_row_header_workbook()[0]), two_row_header_workbook()[1]),
        {"status": DITERIMA, "values": {**GOOD, "_baris": 5}, "rows_read": 2,
         "issues": [{"rule": "STR-JUDUL", "row": 3, "contains": ["dua baris"]}, {"rule": "STR-TOTAL", "row": 7},
                    {"rule": "STR-CATATAN", "row": 11, "contains": ["tanda tangan"]}, {"rule": "STR-KOLOM-LAIN", "column": "No."}]}),
    "20_unicode_text_excel.txt": (
        unicode_text([["Kode Desa", "Tahun", "L", "P", "Jumlah", "Jml KK", "Lahir", "Mati", "Datang", "Pindah"],
                      *[list(d) for d in DESA]]),
        {"status": DITERIMA, "values": GOOD, "rows_read": 2, "issues": [{"rule": "STR-ENKODE", "contains": ["UTF-16"]}]}),
    "21_tanda_tangan_di_bawah.csv": (
        (csv([H, R], ";", "\r\n") + ";;;;\r\nMengetahui,;;;;\r\nKepala Desa Tulungrejo\r\n\r\n(ttd)\r\nSUPARMAN;;;;;;;"
         "NIP. 19700101 199003 1 005\r\n").encode("cp1252"),
        {"status": DITERIMA, "values": GOOD, "issues": [{"rule": "STR-CATATAN", "row": 4, "contains": ["tanda tangan"]}]}),
    "22_baris_cr_saja.csv": (csv([H, R], ",", "\r").encode(), {"status": DITERIMA, "values": GOOD}),
    "23_kutip_tidak_ditutup.csv": (
        csv([H, R, ['"35.07.01.2002', *R[1:]], ["35.07.01.2003", *R[1:]]]).encode(),
        {"status": DITOLAK, "unreadable": True, "issues": [{"rule": "STR-00", "contains": ["kutip", "baris 3"]}]}),
    "24_sel_jauh_xfd1048576.xlsx": (
        far_cell(excel_like(xlsx(numeric_code_sheet))),
        {"status": DITOLAK, "unreadable": True, "issues": [{"rule": "STR-00", "contains": ["1.048.576 baris"]}]}),
    # written by LibreOffice Calc: ODS and Excel 97 XLS read like XLSX (issue 21), subtotals, a desa a sheet
    "25_ods_judul_dua_baris.ods": (calc(TWO_ROWS, "ods"), TWO_ROWS_EXPECTED),
    "26_xls_judul_dua_baris.xls": (calc(TWO_ROWS, "xls"), TWO_ROWS_EXPECTED),
    "27_ods_lembar_lain.ods": (calc(ANOTHER_SHEET, "ods"), ANOTHER_SHEET_EXPECTED),
    "28_xls_lembar_lain.xls": (calc(ANOTHER_SHEET, "xls"), ANOTHER_SHEET_EXPECTED),
    "29_ods_subtotal_kecamatan.ods": (calc(SUBTOTALS, "ods"), SUBTOTALS_EXPECTED),
    "30_xlsx_subtotal_kecamatan.xlsx": (calc(SUBTOTALS, "xlsx"), SUBTOTALS_EXPECTED),
    "31_xlsx_desa_per_lembar.xlsx": (calc(PER_SHEET, "xlsx"), PER_SHEET_EXPECTED),
    "32_ods_desa_per_lembar.ods": (calc(PER_SHEET, "ods"), PER_SHEET_EXPECTED),
    "33_xls_desa_per_lembar.xls": (calc(PER_SHEET, "xls"), PER_SHEET_EXPECTED),
}


def main(everything: bool = False) -> None:
    expected = {}
    for name, (data, exp) in CASES.items():
        if everything or not (HERE / name).exists():
            (HERE / name).write_bytes(data() if callable(data) else data)
        expected[name] = {"dataset": "kependudukan", "rows_read": 1, **exp}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main("--semua" in sys.argv)
