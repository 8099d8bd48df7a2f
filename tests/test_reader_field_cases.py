"""Files as they come from the field (docs/standar-data.md, "Submission files"), each made the way a spreadsheet
program writes it, read by the one reader.

XLSX files are built with openpyxl, then finished the way Excel saves them: text in the shared-strings
part (openpyxl writes inline strings) and every formula with its cached value (openpyxl writes none; Excel
and LibreOffice store the last computed value, which is what counts).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import openpyxl
import pytest

from desa_cantik.datasets import get_dataset
from desa_cantik.feedback import report_html, report_json, report_text
from desa_cantik.findings import DITERIMA
from desa_cantik.intake import LEMBAR_KE, ROW, Provenance, Submission, read_submission
from desa_cantik.precheck import precheck

KEP = get_dataset("kependudukan")
DESA = [  # kode, tahun, laki, perempuan, jumlah, kk, lahir, mati, datang, pindah: all pass the gate
    ("35.07.01.2001", 2025, 1510, 1490, 3000, 850, 45, 20, 30, 25),
    ("35.07.01.2002", 2025, 1200, 1180, 2380, 700, 30, 15, 20, 10),
]


def read(data: bytes, name: str) -> Submission:
    return read_submission(data, KEP, Provenance.of(data, name, datetime(2026, 1, 10, tzinfo=UTC)), 2025)


def assert_two_desa(sub: Submission) -> None:
    assert sub.readable, sub.unreadable_reason
    assert sub.missing_columns == []
    assert sub.table["kode_desa"].tolist() == [d[0] for d in DESA]
    assert sub.table["jumlah_penduduk"].tolist() == [d[4] for d in DESA]
    assert sub.table["penduduk_laki"].tolist() == [d[2] for d in DESA]
    assert sub.table["penduduk_pindah"].tolist() == [d[9] for d in DESA]
    assert not [n for n in sub.notes if n.aturan == "STR-ANGKA"], [n.pesan for n in sub.notes]


def excel_like(xlsx: bytes, cached: dict[str, object] | None = None) -> bytes:
    """An openpyxl file finished as Excel saves it: shared strings, and formulas with cached values."""
    cached = cached or {}
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    strings: list[str] = []

    def shared(m: re.Match[str]) -> str:
        text = m.group(2)
        if text not in strings:
            strings.append(text)
        return f'{m.group(1)} t="s"><v>{strings.index(text)}</v></c>'

    def with_value(m: re.Match[str]) -> str:
        ref = m.group(1)
        value = cached[ref]
        kind = ' t="str"' if isinstance(value, str) else ""
        return f'<c r="{ref}"{m.group(2)}{kind}><f{m.group(3)}</f><v>{escape(str(value))}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info).decode("utf-8")
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(r'(<c r="[A-Z]+\d+"[^>]*?) t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>', shared, body)
                body = re.sub(r'<c r="([A-Z]+\d+)"([^>]*)><f([^<]*)</f><v ?/?>(?:</v>)?</c>', with_value, body)
            elif info.filename == "[Content_Types].xml":
                body = body.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace("</Relationships>", '<Relationship Id="rIdSst" Type="http://schemas.openxmlformats'
                                    '.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    "</Relationships>")
            dst.writestr(info, body)
        sst = "".join(f"<si><t xml:space=\"preserve\">{s}</t></si>" for s in strings)
        dst.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                     f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
                     f'uniqueCount="{len(strings)}">{sst}</sst>')
    assert not re.search(rb"<f>[^<]*</f><v ?/>", out.getvalue()), "a formula was left without its cached value"
    return out.getvalue()


def saved(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def two_row_header_workbook() -> tuple[openpyxl.Workbook, dict[str, object]]:
    """The kecamatan office's layout: title, a header over two rows under merged group cells, No., totals
    row of SUM formulas, notes and a signature block under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kependudukan"
    ws["A1"] = "DATA KEPENDUDUKAN DESA KECAMATAN DONOMULYO TAHUN 2025"
    ws.merge_cells("A1:K1")
    ws.append([])
    ws.append(["No.", "Kode Desa", "Tahun", "Penduduk", None, None, "Jumlah KK", "Kelahiran", "Kematian", "Mutasi", None])
    ws.append([None, None, None, "Laki-laki", "Perempuan", "Jumlah", None, None, None, "Datang", "Pindah"])
    for rng in ("D3:F3", "J3:K3", "A3:A4", "B3:B4", "C3:C4", "G3:G4", "H3:H4", "I3:I4"):
        ws.merge_cells(rng)
    cached: dict[str, object] = {}
    for i, d in enumerate(DESA, start=5):
        ws.append([i - 4, d[0], d[1], d[2], d[3], f"=D{i}+E{i}", *d[5:]])
        cached[f"F{i}"] = d[4]
    ws.append(["JUMLAH", None, None, *[f"=SUM({c}5:{c}6)" for c in "DEFGHIJK"]])
    ws.merge_cells("A7:C7")
    for j, c in enumerate("DEFGHIJK"):
        cached[f"{c}7"] = sum(int(d[2 + j]) for d in DESA)
    ws.append([])
    ws.append(["Catatan: keadaan 31 Desember 2025, sumber register desa."])
    ws.append([])
    ws.append([None, "Mengetahui,", None, None, None, None, None, "Donomulyo, 5 Januari 2026"])
    ws.append([None, "Camat Donomulyo", None, None, None, None, None, "Operator"])
    ws.append([None, "(ttd)", None, None, None, None, None, "(ttd)"])
    ws.append([None, "Drs. SUPARMAN", None, None, None, None, None, "NIP. 19700101 199003 1 005"])
    return wb, cached


def test_header_over_two_rows_under_merged_group_cells_with_formulas_notes_and_signature() -> None:
    wb, cached = two_row_header_workbook()
    sub = read(excel_like(saved(wb), cached), "kependudukan.xlsx")
    assert_two_desa(sub)
    assert sub.table[ROW].tolist() == [5, 6]
    rules = {n.aturan for n in sub.notes}
    assert {"STR-JUDUL", "STR-TOTAL", "STR-KOLOM-LAIN"} <= rules
    assert any("dua baris" in n.pesan for n in sub.notes)
    below = next(n for n in sub.notes if n.aturan == "STR-CATATAN" and "tanda tangan" in n.pesan)
    assert below.baris == 11 and "11–14" in below.pesan


def test_two_row_header_passes_the_whole_precheck() -> None:
    wb, cached = two_row_header_workbook()
    v = precheck(excel_like(saved(wb), cached), "kependudukan.xlsx", "kependudukan", 2025, "35.07.01")
    assert v.status == DITERIMA, [i.pesan for i in v.issues]
    assert v.rows_accepted == 2


def test_two_row_header_saved_as_csv_by_excel() -> None:
    """Excel writes a merged group cell's text in its first cell and leaves the cells it covers empty."""
    lines = [
        "DATA KEPENDUDUKAN DESA;;;;;;;;;;",
        ";;;;;;;;;;",
        "No.;Kode Desa;Tahun;Penduduk;;;Jumlah KK;Kelahiran;Kematian;Mutasi;",
        ";;;Laki-laki;Perempuan;Jumlah;;;;Datang;Pindah",
        *[f"{i};{d[0]};{d[1]};{'.'.join([str(d[2])[:-3], str(d[2])[-3:]])};{d[3]};{d[4]};{';'.join(map(str, d[5:]))}"
          for i, d in enumerate(DESA, start=1)],
        f"JUMLAH;;;{';'.join(str(sum(int(d[k]) for d in DESA)) for k in range(2, 10))}",
    ]
    sub = read(("\r\n".join(lines) + "\r\n").encode("cp1252"), "kependudukan.csv")
    assert_two_desa(sub)
    assert sub.table[ROW].tolist() == [5, 6]


def test_header_with_units_row_under_it() -> None:
    text = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
            "penduduk_datang,penduduk_pindah\n(kode),(tahun),(jiwa),(jiwa),(jiwa),(KK),(jiwa),(jiwa),(jiwa),(jiwa)\n"
            + "".join(",".join(map(str, d)) + "\n" for d in DESA))
    sub = read(text.encode(), "k.csv")
    assert_two_desa(sub)
    assert sub.table[ROW].tolist() == [3, 4]


def unicode_text(rows: Sequence[Sequence[object]]) -> bytes:
    """Excel's File > Save As > "Unicode Text (*.txt)": UTF-16LE with BOM, tabs, CRLF, displayed values."""
    return ("\ufeff" + "".join("\t".join("" if v is None else str(v) for v in r) + "\r\n" for r in rows)).encode("utf-16-le")


def test_excel_unicode_text_export() -> None:
    header: list[object] = ["Kode Desa", "Tahun", "Laki-laki", "Perempuan", "Jumlah Penduduk", "Jumlah KK",
                            "Kelahiran", "Kematian", "Datang", "Pindah"]
    rows: list[list[object]] = [["Data Kependudukan Desa — Kecamatan Donomulyo"], [], header,
                                *[[d[0], d[1], f"{d[2]:,}".replace(",", "."), *d[3:]] for d in DESA]]
    data = unicode_text(rows)
    assert data[:2] == b"\xff\xfe"
    sub = read(data, "kependudukan.txt")
    assert_two_desa(sub)
    assert any(n.aturan == "STR-ENKODE" and "UTF-16" in n.pesan for n in sub.notes)
    v = precheck(data, "kependudukan.txt", "kependudukan", 2025, "35.07.01")
    assert v.status == DITERIMA, [i.pesan for i in v.issues]


def test_unicode_text_without_bom_is_read_too() -> None:
    rows: list[list[object]] = [["kode_desa", "tahun", "penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk",
             "kelahiran", "kematian", "penduduk_datang", "penduduk_pindah"], *[list(d) for d in DESA]]
    sub = read(unicode_text(rows)[2:], "k.txt")
    assert_two_desa(sub)


def test_formula_cells_count_by_their_stored_values() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kode_desa", "tahun", "penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk",
               "kelahiran", "kematian", "penduduk_datang", "penduduk_pindah"])
    cached: dict[str, object] = {}
    for i, d in enumerate(DESA, start=2):
        # the code assembled by a formula (a text result), the total by a formula, a ratio with rounding noise
        ws.append([f'="35.07.01."&TEXT({2000 + i - 1},"0000")', d[1], d[2], d[3], f"=C{i}+D{i}", f"=ROUND(E{i}/3.5294,0)",
                   *d[6:]])
        cached |= {f"A{i}": d[0], f"E{i}": d[4], f"F{i}": d[5] + 1e-10}
    sub = read(excel_like(saved(wb), cached), "rumus.xlsx")
    assert_two_desa(sub)
    assert sub.table["jumlah_kk"].tolist() == [d[5] for d in DESA]


def test_formula_without_stored_value_is_an_empty_cell_not_a_guess() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kode_desa", "tahun", "penduduk_laki", "penduduk_perempuan", "jumlah_penduduk"])
    ws.append(["35.07.01.2001", 2025, 1510, 1490, "=C2+D2"])  # saved by a library, never opened in Excel
    sub = read(saved(wb), "k.xlsx")
    assert sub.readable and sub.table["jumlah_penduduk"].isna().all()


def test_numbers_typed_as_text() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kode Desa", "Tahun", "L", "P", "Jumlah", "Jml KK", "Lahir", "Mati", "Datang", "Pindah"])
    for d in DESA:  # every cell text, as when the column was formatted as Text before typing
        ws.append([d[0].replace(".", ""), str(d[1]), f"{d[2]:,}".replace(",", "."), f" {d[3]} ", str(d[4]),
                   f"0{d[5]}", *map(str, d[6:])])
    sub = read(excel_like(saved(wb)), "teks.xlsx")
    assert_two_desa(sub)
    assert sub.table["jumlah_kk"].tolist() == [d[5] for d in DESA]


def test_leading_no_column_and_a_row_of_column_numbers() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No.", "Kode Desa", "Tahun", "Penduduk Laki-laki", "Penduduk Perempuan", "Jumlah Penduduk",
               "Jumlah KK", "Kelahiran", "Kematian", "Datang", "Pindah"])
    ws.append([f"({i})" for i in range(1, 12)])
    for i, d in enumerate(DESA, start=1):
        ws.append([i, *d])
    sub = read(excel_like(saved(wb)), "no.xlsx")
    assert_two_desa(sub)
    assert sub.table[ROW].tolist() == [3, 4]
    assert any(n.aturan == "STR-KOLOM-LAIN" and n.nilai == "No." for n in sub.notes)
    assert any(n.aturan == "STR-NOMOR" and n.baris == 2 and "nomor kolom" in n.pesan for n in sub.notes)


def data_on_another_sheet_workbook() -> openpyxl.Workbook:
    """A guide, a chart's numbers, then the table on the third sheet."""
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "Petunjuk"
    for line in ("Petunjuk pengisian", "kode_desa: kode Kemendagri desa", "jumlah_penduduk: penduduk 31 Desember"):
        guide.append([line])
    summary = wb.create_sheet("Grafik")
    summary.append(["Jumlah Penduduk", sum(d[4] for d in DESA)])
    data = wb.create_sheet("Sheet3")
    data.append(HEADER)
    for d in DESA:
        data.append(list(d))
    return wb


HEADER = ["kode_desa", "tahun", "penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk", "kelahiran",
          "kematian", "penduduk_datang", "penduduk_pindah"]
THIRD = ("35.07.01.2003", 2025, 980, 1010, 1990, 560, 25, 12, 14, 9)
NAMES = ("Tulungrejo", "Banjarejo", "Kedungsalam")


def desa_per_sheet_workbook(bad_code_on_third: bool = False) -> openpyxl.Workbook:
    """A kecamatan's workbook with each desa on its own sheet: the same title, header and one row on every sheet."""
    wb = openpyxl.Workbook()
    for k, (name, d) in enumerate(zip(NAMES, [*DESA, THIRD], strict=True)):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = f"Desa {name}"
        ws.append([f"DATA KEPENDUDUKAN DESA {name.upper()} TAHUN 2025"])
        ws.append([])
        ws.append(["Kode Desa", "Tahun", "L", "P", "Jumlah", "Jml KK", "Lahir", "Mati", "Datang", "Pindah"])
        ws.append([("35.07.01.2099" if bad_code_on_third and k == 2 else d[0]), *d[1:]])
    return wb


KES = [  # kecamatan, desa, kode, balita, ditimbang, stunting, ibu hamil
    ("Donomulyo", "Tulungrejo", "35.07.01.2001", 210, 190, 21, 30),
    ("Donomulyo", "Banjarejo", "35.07.01.2002", 180, 170, 15, 26),
    ("Donomulyo", "Kedungsalam", "35.07.01.2003", 150, 141, 12, 19),
    ("Pagak", "Sumbermanjing Kulon", "35.07.02.2001", 240, 222, 25, 33),
    ("Pagak", "Pandanrejo", "35.07.02.2002", 130, 120, 9, 17),
]


def subtotal_workbook() -> tuple[openpyxl.Workbook, dict[str, object]]:
    """A Dinas Kesehatan report: desa grouped by kecamatan, a "Jumlah Kec. ..." row (SUM formulas) after each
    group, a total for the kabupaten at the bottom, a source note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kesehatan Anak"
    ws.append(["DATA KESEHATAN ANAK PER DESA TAHUN 2025 - DINAS KESEHATAN KABUPATEN MALANG"])
    ws.append([])
    ws.append(["No", "Kecamatan", "Nama Desa", "Kode Desa", "Kode OPD", "Tahun", "Jumlah Balita", "Balita Ditimbang",
               "Balita Stunting", "Ibu Hamil"])
    cached: dict[str, object] = {}
    r, first, subtotals = 4, 4, []
    for i, (kec, desa, kode, *counts) in enumerate(KES):
        ws.append([i + 1, kec, desa, kode, "35.07-DINKES", 2025, *counts])
        r += 1
        if i + 1 == len(KES) or KES[i + 1][0] != kec:
            ws.append([None, f"Jumlah Kec. {kec}", None, None, None, None, *[f"=SUM({c}{first}:{c}{r - 1})" for c in "GHIJ"]])
            for j, c in enumerate("GHIJ"):
                cached[f"{c}{r}"] = sum(int(k[3 + j]) for k in KES if k[0] == kec)
            subtotals.append(r)
            r += 1
            first = r
    ws.append([None, "TOTAL KABUPATEN", None, None, None, None, *["=" + "+".join(f"{c}{s}" for s in subtotals) for c in "GHIJ"]])
    for j, c in enumerate("GHIJ"):
        cached[f"{c}{r}"] = sum(int(k[3 + j]) for k in KES)
    ws.append([])
    ws.append(["Sumber: laporan bulanan puskesmas, keadaan Desember 2025."])
    return wb, cached


def test_data_on_a_sheet_other_than_the_first() -> None:
    sub = read(excel_like(saved(data_on_another_sheet_workbook())), "lembar.xlsx")
    assert_two_desa(sub)
    note = next(n for n in sub.notes if n.aturan == "STR-LEMBAR")
    assert note.nilai == "Sheet3"
    assert sub.lembar == []  # one sheet read: rows numbered as before


def test_each_desa_on_its_own_sheet_all_read_and_named_by_sheet_and_row() -> None:
    """Issue 21: a kecamatan workbook with a desa a sheet was read from one sheet; the others were dropped."""
    sub = read(excel_like(saved(desa_per_sheet_workbook())), "kecamatan.xlsx")
    assert sub.readable, sub.unreadable_reason
    assert sub.table["kode_desa"].tolist() == [DESA[0][0], DESA[1][0], THIRD[0]]
    assert sub.table["jumlah_penduduk"].tolist() == [DESA[0][4], DESA[1][4], THIRD[4]]
    assert sub.table[ROW].tolist() == [4, LEMBAR_KE + 4, 2 * LEMBAR_KE + 4]
    assert sub.lembar == [f"Desa {n}" for n in NAMES]
    assert [sub.tempat(n) for n in sub.table[ROW]] == ["baris 4", "lembar 'Desa Banjarejo', baris 4",
                                                       "lembar 'Desa Kedungsalam', baris 4"]
    note = next(n for n in sub.notes if n.aturan == "STR-LEMBAR")
    assert all(f"'Desa {n}'" in note.pesan for n in NAMES), note.pesan
    assert [n.baris for n in sub.notes if n.aturan == "STR-JUDUL"] == [3]  # the same title rows on each: said once


def test_a_note_from_another_sheet_names_it() -> None:
    wb = desa_per_sheet_workbook()
    wb["Desa Banjarejo"]["F4"] = "tujuh ratus"
    sub = read(excel_like(saved(wb)), "kecamatan.xlsx")
    note = next(n for n in sub.notes if n.aturan == "STR-ANGKA")
    assert note.baris == LEMBAR_KE + 4
    assert note.pesan.startswith("Lembar 'Desa Banjarejo': Baris 4, kolom jumlah_kk"), note.pesan


def test_a_finding_on_another_sheet_names_the_sheet_in_every_report() -> None:
    v = precheck(excel_like(saved(desa_per_sheet_workbook(bad_code_on_third=True))), "kecamatan.xlsx", "kependudukan",
                 2025, "35.07.01")
    assert v.status != DITERIMA and v.rows_accepted == 2
    bad = next(i for i in v.issues if i.aturan == "WIL-01")
    assert bad.baris == 2 * LEMBAR_KE + 4
    assert bad.pesan.startswith("Lembar 'Desa Kedungsalam', baris 4: kode_desa '35.07.01.2099'"), bad.pesan
    assert "(lembar 'Desa Kedungsalam', baris 4, kolom kode_desa)" in report_text(v)
    assert "<td>lembar &#x27;Desa Kedungsalam&#x27;, baris 4</td>" in report_html(v)
    issue = next(i for i in report_json(v)["issues"] if i["rule"] == "WIL-01")
    assert (issue["row"], issue["sheet"]) == (4, "Desa Kedungsalam")


def test_a_sheet_with_fewer_standard_columns_is_named_not_dropped_silently() -> None:
    wb = desa_per_sheet_workbook()
    wb["Desa Kedungsalam"]["J3"] = "Keterangan"  # "Pindah" no longer a standard column there
    sub = read(excel_like(saved(wb)), "kecamatan.xlsx")
    assert sub.table["kode_desa"].tolist() == [DESA[0][0], DESA[1][0]]
    note = next(n for n in sub.notes if n.aturan == "STR-LEMBAR")
    assert "'Desa Kedungsalam' berisi judul kolom lain" in note.pesan, note.pesan


def test_subtotal_rows_between_the_desa_are_totals_not_errors() -> None:
    """Issue 21: "Jumlah Kec. ..." after each kecamatan's desa came back as rows with no code and a duplicate."""
    wb, cached = subtotal_workbook()
    v = precheck(excel_like(saved(wb), cached), "dinkes.xlsx", "kesehatan_anak", 2025, "35.07")
    assert v.status == DITERIMA, [(i.baris, i.aturan, i.pesan) for i in v.issues]
    assert v.rows_read == len(KES)
    totals = sorted(i.baris or 0 for i in v.issues if i.aturan == "STR-TOTAL")
    assert totals == [7, 10, 11]


def test_a_row_without_a_code_is_a_subtotal_only_with_the_sums_to_show_it() -> None:
    """A label alone, or sums alone, do not make a row a subtotal: the row stays and is reported."""
    wb, cached = subtotal_workbook()
    ws = wb.active
    ws["D5"] = None  # Banjarejo's code left out: a desa row missing its code, no label
    ws["B7"] = "Jumlah Kec. Donomulyo"
    cached["G7"] = 999  # the subtotal's sum typed wrong: the label alone is no proof
    v = precheck(excel_like(saved(wb), cached), "dinkes.xlsx", "kesehatan_anak", 2025, "35.07")
    assert v.status != DITERIMA
    totals = sorted(i.baris or 0 for i in v.issues if i.aturan == "STR-TOTAL")
    assert totals == [10, 11]
    errors = {i.baris for i in v.issues if i.keparahan == "error"}
    assert {5, 7} <= errors


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_signature_block_below_a_csv_table(encoding: str) -> None:
    text = ("Kode Desa;Tahun;L;P;Jumlah;Jml KK;Lahir;Mati;Datang;Pindah\r\n"
            + "".join(";".join(map(str, d)) + "\r\n" for d in DESA)
            + ";;;;;;;;;\r\nMengetahui,;;;;;;;;;\r\nKepala Desa Tulungrejo;;;;;;;;;\r\n(ttd);;;;;;;;;\r\n"
            + "SUPARMAN;;;;;;;NIP. 19700101 199003 1 005;;\r\n")
    sub = read(text.encode(encoding), "k.csv")
    assert_two_desa(sub)
    assert any(n.aturan == "STR-CATATAN" and n.baris == 5 and "tanda tangan" in n.pesan for n in sub.notes)


def test_rows_after_the_table_that_are_data_are_still_reported() -> None:
    """Only rows that hold no desa data are taken as notes: a row with numbers but no code is an error row."""
    text = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
            "penduduk_datang,penduduk_pindah\n" + ",".join(map(str, DESA[0])) + "\n,2025,1,1,2,1,0,0,0,0\nCatatan: -\n")
    sub = read(text.encode(), "k.csv")
    assert len(sub.table) == 2 and sub.table["kode_desa"].isna().tolist() == [False, True]
