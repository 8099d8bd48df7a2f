"""Pre-filled templates for operators: codes and names filled in, the standard header, unit hints, and dropdowns
for code lists, so fewer mistakes reach the gate. A correctly filled template passes it.

From the second year on, a template also holds each desa's values of the year before as the warehouse stored them
(what passed the gate), so operators edit rather than retype. They stay marked as last year's until changed: in
XLSX each such cell is blue while it equals last year's value (a conditional format against a hidden sheet of those
values), and the title row says so; a CSV starts with a title line saying so, which the gate skips like any title
row. The year column holds the new year, so a template sent back unchanged passes the gate as this year's file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from .datasets import CATEGORY, Dataset, get_dataset
from .kosakata import cut
from .regions import desa_table, get_region, normalise_code

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

    from .storage import Warehouse

TITLE_ROWS = 2  # title and unit hints above the header: the gate's intake skips them
KUNCI = ("kode_desa", "tahun")  # filled for the new year, never from last year's row
BIRU = "BDD7EE"  # a value of last year, not changed yet
KUNING = "FFF2CC"  # a cell to fill in

Sebelumnya = dict[str, dict[str, object]]  # kode_desa -> column -> last year's stored value


def nilai_tahun_lalu(wh: Warehouse, dataset: str, tahun: int, kode_wilayah: str) -> pd.DataFrame:
    """The year before's accepted (stored) rows of a dataset inside an area: what this year's template starts from."""
    return wh.rows_inside(dataset, tahun - 1, kode_wilayah)


def _as_cell(value: object) -> object:
    """A stored value as a cell holds it: whole numbers as ``int``, gaps as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sebelumnya(spec: Dataset, frame: pd.DataFrame | None) -> Sebelumnya:
    if frame is None or frame.empty:
        return {}
    cols = [c for c in spec.columns if c not in KUNCI and c in frame.columns]
    return {str(row["kode_desa"]): {c: v for c in cols if (v := _as_cell(row[c])) is not None}
            for row in frame.to_dict("records")}


def judul(spec: Dataset, kode_wilayah: str, tahun: int, ada_lalu: bool) -> str:
    """The template's title row: what it is for, and how last year's values are marked."""
    region = get_region(kode_wilayah)
    if region is None:
        raise ValueError(f"kode wilayah tidak dikenal: {kode_wilayah}")
    text = f"{spec.judul} tahun {tahun} — {region.tingkat} {region.nama} ({region.kode})."
    if ada_lalu:
        return (f"{text} Sel biru berisi nilai {tahun - 1} yang sudah diterima gudang: periksa setiap nilai dan ubah yang "
                f"berubah (warnanya hilang setelah diubah). Kolom tahun sudah {tahun}. Jangan ubah judul kolom.")
    return f"{text} Isi kolom berwarna; jangan ubah judul kolom."


def build_template(kode_wilayah: str, dataset: str, tahun: int, sebelumnya: pd.DataFrame | None = None) -> bytes:
    """The XLSX an operator downloads; ``sebelumnya``: last year's stored rows of the area (``nilai_tahun_lalu``)."""
    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    spec = get_dataset(dataset)
    lalu = _sebelumnya(spec, sebelumnya)
    desa = desa_table(kode_wilayah)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = dataset
    columns = [*spec.columns, "nama_desa"]
    ws.cell(1, 1, judul(spec, kode_wilayah, tahun, bool(lalu))).font = Font(bold=True)
    for j, col in enumerate(columns, start=1):
        unit = spec.column(col).satuan if col in spec.columns else "-"
        ws.cell(2, j, f"satuan: {unit}").font = Font(italic=True, color="666666")
        head = ws.cell(3, j, col)
        head.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(col) + 2)
    hidden = wb.create_sheet(f"nilai_{tahun - 1}") if lalu else None
    fill = PatternFill("solid", fgColor=KUNING)
    for i, row in enumerate(desa.itertuples(), start=4):
        ws.cell(i, 1, row.kode_desa)
        ws.cell(i, 2, tahun)
        before = lalu.get(str(row.kode_desa), {})
        for j, col in enumerate(spec.columns, start=1):
            if col in KUNCI:
                continue
            value = before.get(col, f"{cut(kode_wilayah, 'kabupaten')}-DINKES" if col == "kode_opd" else None)
            ws.cell(i, j, value).fill = fill
            if hidden is not None and col in before:
                hidden.cell(i, j, before[col])
        ws.cell(i, len(columns), row.nama_desa)
    last = 3 + len(desa)
    for j, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(j)
        if hidden is not None and col not in KUNCI:  # blue while the cell still holds last year's value
            same = f"AND({letter}4<>\"\",{letter}4='{hidden.title}'!{letter}4)"
            ws.conditional_formatting.add(f"{letter}4:{letter}{last}", FormulaRule(
                formula=[same], fill=PatternFill("solid", fgColor=BIRU, bgColor=BIRU), stopIfTrue=True))
        _validation(ws, spec, col, f"{letter}4:{letter}{last}")
    if hidden is not None:
        hidden.cell(1, 1, f"Nilai {tahun - 1} yang diterima gudang: pembanding warna biru di lembar {dataset}. Jangan diubah.")
        hidden.sheet_state = "hidden"
    ws.freeze_panes = "C4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _validation(ws: Worksheet, spec: Dataset, col: str, area: str) -> None:
    """A dropdown for a code list, a whole number ≥ 0 for a count."""
    from openpyxl.worksheet.datavalidation import DataValidation

    c = spec.column(col)
    if c.tipe == CATEGORY:
        dv = DataValidation(type="list", formula1='"' + ",".join(c.klasifikasi) + '"', allow_blank=False,
                            showErrorMessage=True, errorTitle="Pilihan tidak sah",
                            error=f"Pilih salah satu: {', '.join(c.klasifikasi)}")
    elif c.tipe == "bilangan":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                            errorTitle="Harus bilangan bulat", error=f"{col}: bilangan bulat ≥ 0 ({c.satuan})")
    else:
        return
    dv.add(area)
    ws.add_data_validation(dv)


def templat_csv(kode_wilayah: str, dataset: str, tahun: int, sebelumnya: pd.DataFrame | None = None) -> bytes:
    """The CSV form of the template: with last year's values, first a title line saying whose they are (the gate
    skips rows above the header); then the header and a row per desa."""
    spec = get_dataset(dataset)
    lalu = _sebelumnya(spec, sebelumnya)
    out = io.StringIO()
    if lalu:
        out.write(f"# Nilai {tahun - 1} yang sudah diterima gudang — disiapkan untuk tahun {tahun}. Periksa setiap nilai "
                  "dan ubah yang berubah lalu kirim. Baris ini boleh dibiarkan.\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*spec.columns, "nama_desa"])
    for row in desa_table(kode_wilayah).itertuples():
        before = lalu.get(str(row.kode_desa), {})
        values = {"kode_desa": row.kode_desa, "tahun": tahun, **before}
        w.writerow([*("" if (v := values.get(c)) is None else v for c in spec.columns), row.nama_desa])
    return out.getvalue().encode("utf-8")


def tulis_templat(region: str, dataset: str, tahun: int | None, out: Path, kosong: bool,
                  env: dict[str, str] | None = None) -> tuple[int, str]:
    """``python -m desa_cantik template``: XLSX, or CSV when ``out`` ends in ``.csv``; last year's stored values from
    the tier's warehouse unless ``kosong`` (or there is none yet). The exit code and what to print."""
    from .config import DaftarData, Settings
    from .datasets import all_datasets
    from .storage import Warehouse

    kode = normalise_code(region)
    if dataset not in all_datasets() or kode is None or get_region(kode) is None:
        return 2, f"galat: dataset atau wilayah tidak dikenal: {dataset} / {region}"
    settings = Settings.from_env(env)
    tahun = tahun or DaftarData.load(settings.daftar_data).tahun
    lalu, note = None, ""
    embedded_absent = settings.gudang_url.startswith("sqlite:///") and \
        not Path(settings.gudang_url.removeprefix("sqlite:///")).exists()
    if not kosong and not embedded_absent:
        try:
            wh = Warehouse(settings.gudang_url)
            wh.ensure()
            lalu = nilai_tahun_lalu(wh, dataset, tahun, kode)
        except Exception as exc:  # the template stands without them
            note = f" (nilai {tahun - 1} tidak dibaca: gudang tidak terjangkau, {type(exc).__name__})"
    make = templat_csv if out.suffix.lower() == ".csv" else build_template
    out.write_bytes(make(kode, dataset, tahun, lalu))
    n = 0 if lalu is None else len(lalu)
    filled = f"; terisi nilai {tahun - 1} yang diterima untuk {n} desa" if n else ""
    return 0, f"templat {dataset} untuk {kode} tahun {tahun}: {out}{filled}{note}"


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
