"""Templates: pre-filled, with dropdowns; filled in correctly they pass the gate; the rule catalogue
document is what the suites generate."""

from __future__ import annotations

import io

import openpyxl

from desa_cantik.cycle.policy import tier_for
from desa_cantik.datasets import get_dataset
from desa_cantik.kosakata import TINGKAT, is_desa, within
from desa_cantik.precheck import precheck
from desa_cantik.rules import catalogue_markdown
from desa_cantik.template import build_template, contoh_csv
from tests.conftest import ROOT


def _fill(data: bytes, values: dict[str, object]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    header = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        for col, value in values.items():
            row[header.index(col)].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_prefilled_with_dropdowns() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_template("35.07.01", "fasilitas", 2025)))
    ws = wb.active
    assert [c.value for c in ws[3]][:3] == ["kode_desa", "tahun", "jumlah_sd"]
    codes = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert len(codes) == 10 and codes[0] == "35.07.01.2001"
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"PLN,NON_PLN,TIDAK_ADA"' in formulas and '"4G_5G,3G,2G,TIDAK_ADA"' in formulas
    assert ws.cell(2, 3).value == "satuan: unit"


def test_filled_template_passes_the_gate() -> None:
    kep = _fill(build_template("35.07.01", "kependudukan", 2025), {
        "penduduk_laki": 1500, "penduduk_perempuan": 1520, "jumlah_penduduk": 3020, "jumlah_kk": 900,
        "kelahiran": 40, "kematian": 20, "penduduk_datang": 15, "penduduk_pindah": 12})
    v = precheck(kep, "kep.xlsx", "kependudukan", 2025, "35.07.01")
    assert v.status == "diterima" and v.rows_accepted == 10
    fas = _fill(build_template("35.07.01", "fasilitas", 2025), {
        "jumlah_sd": 3, "jumlah_smp": 1, "jumlah_sma": 0, "jumlah_puskesmas": 0, "jumlah_pustu": 1, "jumlah_posyandu": 4,
        "jumlah_pasar": 1, "sumber_penerangan": "PLN", "jenis_permukaan_jalan": "ASPAL_BETON", "sinyal_internet": "4G_5G"})
    assert precheck(fas, "fas.xlsx", "fasilitas", 2025, "35.07.01").rows_accepted == 10
    kes = _fill(build_template("35.07.01", "kesehatan_anak", 2025), {
        "jumlah_balita": 200, "balita_ditimbang": 180, "balita_stunting": 30, "jumlah_ibu_hamil": 40})
    assert precheck(kes, "kes.xlsx", "kesehatan_anak", 2025, "35.07").rows_accepted == 10


def test_a_plausible_file_is_one_row_of_the_area_s_first_desa() -> None:
    """What the pages' warm-up pre-checks: the dataset's header, one row with a desa of the area and the year."""
    data, kode = contoh_csv("35.07", "kependudukan", 2025)
    header, row = data.decode().splitlines()
    assert header.split(",") == list(get_dataset("kependudukan").columns)
    assert is_desa(kode) and within(kode, "35.07") and row.startswith(f"{kode},2025,")
    assert precheck(data, "hangat.csv", "kependudukan", 2025, kode).submission.readable


def test_only_a_kabupaten_monitors_desa() -> None:
    assert {t: tier_for(t).monitors_desa for t in TINGKAT} == {"kabupaten": True, "provinsi": False, "pusat": False}


def test_rule_catalogue_document_is_generated() -> None:
    """docs/katalog-aturan.md is what the suites and standar/aturan_berkas.yaml generate, never hand-edited."""
    assert (ROOT / "docs" / "katalog-aturan.md").read_text(encoding="utf-8") == catalogue_markdown()
