"""Builds the messy-file corpus (committed beside this script) and its expectations, ``expected.json``.

Each file is one real-world case the gate must read: its expected verdict, normalised values of its
first accepted row, and the issues (rule, row, column, words of the message) it must report.
Run ``python tests/corpus/build.py`` after changing a case.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

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


CASES: dict[str, tuple[bytes, dict[str, Any]]] = {
    "01_koma_utf8.csv": (csv([H, R]).encode(), {"status": "accepted", "values": GOOD}),
    "02_titikkoma_bom.csv": (csv([H, R], ";", "\r\n").encode("utf-8-sig"), {"status": "accepted", "values": GOOD}),
    "03_tab_windows1252.csv": (
        csv([[*H, "Keterangan"], [*R, "Désa tepi hutan – data BPD"]], "\t", "\r\n").encode("cp1252"),
        {"status": "accepted", "values": GOOD,
         "issues": [{"rule": "STR-ENKODE"}, {"rule": "STR-KOLOM-LAIN", "column": "Keterangan"}]}),
    "04_ribuan_indonesia.csv": (
        csv([H, ["35.07.01.2001", "2025", "1.510", "1.490", "3.000", "850", "45", "20", "30", "25"]], ";").encode(),
        {"status": "accepted", "values": GOOD}),
    "05_ribuan_jutaan.csv": (
        csv([H, ["35.07.01.2001", "2025", "1.000.000", "1.000.000", "2.000.000", "500.000", "20.000", "10.000", "30",
                 "25"]], ";").encode(),
        {"status": "accepted", "values": {"jumlah_penduduk": 2000000, "penduduk_laki": 1000000}}),
    "06_desimal_koma.csv": (
        csv([H, [*R[:5], "850,5", *R[6:]]], ";").encode(),
        {"status": "rejected", "issues": [{"rule": "KEP-01", "row": 2, "column": "jumlah_kk",
                                           "contains": ["850,5", "bukan bilangan bulat"]}]}),
    "07_ambigu_koma_ribuan.csv": (
        csv([H, [*R[:4], '"3,000"', *R[5:]]]).encode(),
        {"status": "rejected", "issues": [{"rule": "KEP-01", "row": 2, "column": "jumlah_penduduk",
                                           "contains": ["3,000", "ambigu"]}]}),
    "08_judul_kolom_alias.csv": (
        csv([["Kode Desa", "TAHUN", "L", "Perempuan", "Jumlah Penduduk", "Jml KK", "Lahir", "Mati", "Datang",
              "Pindah"], R], ";").encode(),
        {"status": "accepted", "values": GOOD}),
    "09_judul_kolom_tanda_baca.csv": (
        csv([["KODE WILAYAH", " Tahun ", "Penduduk Laki-laki", "Penduduk  Perempuan", "JUMLAH_PENDUDUK", "Jumlah KK",
              "Kelahiran", "Kematian", "Penduduk-Datang", "Penduduk.Pindah"], R]).encode(),
        {"status": "accepted", "values": GOOD}),
    "10_kode_tanpa_titik.csv": (
        csv([H, [" 3507012001 ", *R[1:]]]).encode(), {"status": "accepted", "values": GOOD}),
    "11_xlsx_judul_di_atas.xlsx": (
        xlsx(title_sheet),
        {"status": "accepted", "values": {**GOOD, "_baris": 5},
         "issues": [{"rule": "STR-JUDUL", "row": 4}, {"rule": "STR-LEMBAR"}]}),
    "12_xlsx_kode_angka.xlsx": (xlsx(numeric_code_sheet), {"status": "accepted", "values": GOOD}),
    "13_baris_kolom_kosong.csv": (
        (csv([[*H, "", ""], [*R, "", ""]]) + ",,,,,,,,,,,\n\n,,,\n").encode(),
        {"status": "accepted", "values": GOOD, "rows_read": 1}),
    "14_baris_total.csv": (
        csv([H, R, ["35.07.01.2002", "2025", "990", "1010", "2000", "600", "30", "10", "5", "5"],
             ["TOTAL", "", "2500", "2500", "5000", "1450", "75", "30", "35", "30"]]).encode(),
        {"status": "accepted", "values": GOOD, "rows_read": 2, "issues": [{"rule": "STR-TOTAL", "row": 4}]}),
    "15_kode_desa_salah.csv": (
        csv([H, ["35.07.01.9999", *R[1:]]]).encode(),
        {"status": "rejected", "issues": [{"rule": "WIL-01", "row": 2, "column": "kode_desa",
                                           "contains": ["35.07.01.9999"]}]}),
    "16_kolom_hilang.csv": (
        csv([H[:-1], R[:-1]]).encode(),
        {"status": "rejected", "issues": [{"rule": "STR-01", "column": "penduduk_pindah"}]}),
    "17_excel_lama.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
                          {"status": "rejected", "unreadable": True, "issues": [{"rule": "STR-00", "contains": [".xls"]}]}),
    "18_kolom_ganda.csv": (
        csv([[*H, "Jml KK"], [*R, "850"]]).encode(),
        {"status": "rejected", "unreadable": True, "issues": [{"rule": "STR-00", "contains": ["jumlah_kk", "dua kali"]}]}),
}


def main() -> None:
    expected = {}
    for name, (data, exp) in CASES.items():
        (HERE / name).write_bytes(data)
        expected[name] = {"dataset": "kependudukan", "rows_read": 1, **exp}
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
