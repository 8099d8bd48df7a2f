"""The second year's files, made the way operators make them: the pre-filled template of last year's accepted values,
sent back as it is or with jumlah penduduk changed (``berkas_tahun_berikut``). Shared by the fast test
(tests/test_tahun_kedua.py) and the one through Airflow (tests/test_tahun_kedua_airflow.py)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.pengirim import expected_senders
from desa_cantik.template import build_template, nilai_tahun_lalu

from .conftest import SMALL_REGION, TAHUN

BARU = TAHUN + 1
DESA = [f"{SMALL_REGION}.{2000 + i}" for i in range(1, 11)]
BERUBAH = {DESA[2]: 1.15, DESA[6]: 0.85}  # more than 10 % either way: KEP-08
FAKTOR = {**BERUBAH, DESA[0]: 1.03, DESA[1]: 0.96, DESA[4]: 1.05, DESA[8]: 0.97}  # the rest within ±10 % (or unchanged)
SKALA = ("penduduk_laki", "penduduk_perempuan", "jumlah_kk", "kelahiran", "kematian", "penduduk_datang",
         "penduduk_pindah")  # moved together, so every ratio the suite checks stays where it was


def _scaled(data: bytes, faktor: dict[str, float]) -> bytes:
    """A kependudukan template with each listed desa's counts multiplied; jumlah = laki + perempuan still."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["kependudukan"]
    header = [c.value for c in ws[3]]
    for row in ws.iter_rows(min_row=4):
        f = faktor.get(str(row[0].value), 1.0)
        if f == 1.0:
            continue
        for col in SKALA:
            cell = row[header.index(col)]
            cell.value = round(int(cell.value) * f)
        row[header.index("jumlah_penduduk")].value = \
            row[header.index("penduduk_laki")].value + row[header.index("penduduk_perempuan")].value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def berkas_tahun_berikut(rt: Runtime, out: Path, faktor: dict[str, float]) -> Path:
    """Every sender's file for ``rt``'s year in ``out/{dataset}/{pengirim}/``: its pre-filled template of the year
    before's stored values, kependudukan's counts scaled per desa by ``faktor`` (absent: sent back unchanged)."""
    each, any_of = expected_senders(rt)
    for ds, desa in each.items():
        for kode in desa:
            data = build_template(kode, ds, rt.tahun, nilai_tahun_lalu(rt.warehouse, ds, rt.tahun, kode))
            _write(out / ds / kode / f"{kode.replace('.', '')}_{ds}_{rt.tahun}.xlsx",
                   _scaled(data, faktor) if ds == "kependudukan" else data)
    for ds, senders in any_of.items():
        data = build_template(rt.wilayah, ds, rt.tahun, nilai_tahun_lalu(rt.warehouse, ds, rt.tahun, rt.wilayah))
        _write(out / ds / senders[0] / f"{ds}_{rt.wilayah.replace('.', '')}_{rt.tahun}.xlsx", data)
    return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
