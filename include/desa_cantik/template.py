"""Pre-filled XLSX templates for operators: codes and names filled in, the standard header, unit hints,
and dropdowns for code lists, so fewer mistakes reach the gate. A correctly filled template passes it."""

from __future__ import annotations

import io

from .datasets import CATEGORY, get_dataset
from .kosakata import cut
from .regions import desa_table, get_region

TITLE_ROWS = 2  # title and unit hints above the header: the gate's intake skips them


def build_template(kode_wilayah: str, dataset: str, tahun: int) -> bytes:
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    spec = get_dataset(dataset)
    region = get_region(kode_wilayah)
    if region is None:
        raise ValueError(f"kode wilayah tidak dikenal: {kode_wilayah}")
    desa = desa_table(kode_wilayah)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = dataset
    columns = [*spec.columns, "nama_desa"]
    ws.cell(1, 1, f"{spec.judul} tahun {tahun} — {region.tingkat} {region.nama} ({region.kode}). "
                  "Isi kolom berwarna; jangan ubah judul kolom.").font = Font(bold=True)
    for j, col in enumerate(columns, start=1):
        unit = spec.column(col).satuan if col in spec.columns else "-"
        ws.cell(2, j, f"satuan: {unit}").font = Font(italic=True, color="666666")
        head = ws.cell(3, j, col)
        head.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(col) + 2)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, row in enumerate(desa.itertuples(), start=4):
        ws.cell(i, 1, row.kode_desa)
        ws.cell(i, 2, tahun)
        for j, col in enumerate(spec.columns, start=1):
            if col in ("kode_desa", "tahun"):
                continue
            if col == "kode_opd":
                ws.cell(i, j, f"{cut(kode_wilayah, 'kabupaten')}-DINKES")
                continue
            ws.cell(i, j).fill = fill
        ws.cell(i, len(columns), row.nama_desa)
    last = 3 + len(desa)
    for j, col in enumerate(spec.columns, start=1):
        c = spec.column(col)
        letter = get_column_letter(j)
        if c.tipe == CATEGORY:
            dv = DataValidation(type="list", formula1='"' + ",".join(c.klasifikasi) + '"', allow_blank=False,
                                showErrorMessage=True, errorTitle="Pilihan tidak sah",
                                error=f"Pilih salah satu: {', '.join(c.klasifikasi)}")
        elif c.tipe == "bilangan":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                                errorTitle="Harus bilangan bulat", error=f"{col}: bilangan bulat ≥ 0 ({c.satuan})")
        else:
            continue
        dv.add(f"{letter}4:{letter}{last}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "C4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def contoh_csv(kode_wilayah: str, dataset: str, tahun: int) -> tuple[bytes, str]:
    """A plausible one-row CSV of a dataset for the area's first desa, and that desa's code.

    The row holds the desa's code and the year, ``1`` in every other column: GX runs its whole suite on it
    (what a server does once in the background, so its first real pre-check is answered warm).
    """
    spec = get_dataset(dataset)
    kode = str(desa_table(kode_wilayah)["kode_desa"].iloc[0])
    values = {"kode_desa": kode, "tahun": str(tahun)}
    row = ",".join(values.get(c, "1") for c in spec.columns)
    return f"{','.join(spec.columns)}\n{row}\n".encode(), kode
