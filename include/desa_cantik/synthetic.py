"""Synthetic submissions that look like the real thing, for every real desa of a region.

Writes, under ``out``:
- ``kependudukan/{kode_desa}/...`` and ``fasilitas/{kode_desa}/...``: one file per desa, in the formats
  operators use (comma CSV, semicolon CSV in Windows-1252 with Indonesian thousands, XLSX with a title row);
- ``kesehatan_anak/{kode_opd}/...``: one Dinas Kesehatan file for all desa;
- ``proyeksi_penduduk/BPS/...``: BPS's projection reference;
- ``_kebenaran/``: the answer key. ``galat.csv`` lists every injected error (dataset, desa, kind, rule,
  severity) and ``{dataset}.csv`` holds exactly the rows the gate should accept, as submitted.

The folder layout ``{dataset}/{sender}/{file}`` is the inbox layout (see ``cycle.upload_folder``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import get_dataset
from .regions import desa_table

ANSWER_DIR = "_kebenaran"

# kind -> (dataset, rule, severity); every rule of the standard that a single file can break
ERROR_KINDS: dict[str, tuple[str, str, str]] = {
    "berkas_rusak": ("kependudukan", "STR-00", "error"),
    "kolom_hilang": ("kependudukan", "STR-01", "error"),
    "negatif": ("kependudukan", "KEP-01", "error"),
    "bukan_bulat": ("kependudukan", "KEP-01", "error"),
    "jumlah_tidak_sama": ("kependudukan", "KEP-02", "error"),
    "kk_nol": ("kependudukan", "KEP-03", "error"),
    "kk_lebih_dari_penduduk": ("kependudukan", "KEP-03", "error"),
    "baris_ganda": ("kependudukan", "KEP-04", "error"),
    "kode_tidak_dikenal": ("kependudukan", "WIL-01", "error"),
    "kode_luar_wilayah": ("kependudukan", "WIL-02", "error"),
    "tahun_salah": ("kependudukan", "WIL-03", "error"),
    "rata_kk_tinggi": ("kependudukan", "KEP-05", "warning"),
    "rasio_jk_ganjil": ("kependudukan", "KEP-06", "warning"),
    "kelahiran_tinggi": ("kependudukan", "KEP-07", "warning"),
    "jauh_dari_proyeksi": ("kependudukan", "KEP-09", "warning"),
    "kategori_salah": ("fasilitas", "FAS-01", "error"),
    "fasilitas_negatif": ("fasilitas", "FAS-01", "error"),
    "fasilitas_ganda": ("fasilitas", "FAS-02", "error"),
    "posyandu_nol": ("fasilitas", "FAS-03", "warning"),
    "opd_salah": ("kesehatan_anak", "KES-01", "error"),
    "ditimbang_lebih": ("kesehatan_anak", "KES-02", "error"),
    "stunting_lebih": ("kesehatan_anak", "KES-02", "error"),
    "stunting_tinggi": ("kesehatan_anak", "KES-04", "warning"),
    "balita_banyak": ("kesehatan_anak", "KES-05", "warning"),
}


CROSS_DATASET_KINDS = ("posyandu_nol", "balita_banyak")


@dataclass(frozen=True)
class GeneratedCycle:
    out: Path
    tahun: int
    kode_wilayah: str
    desa: int
    files: int
    errors: int


def kode_opd_dinkes(kode_kabupaten: str) -> str:
    return f"{kode_kabupaten}-DINKES"


def _clean_values(desa: pd.DataFrame, tahun: int, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    n = len(desa)
    pop = rng.integers(1800, 12000, n)
    laki = np.round(pop * rng.uniform(0.485, 0.515, n)).astype(int)
    kk = np.round(pop / rng.uniform(3.0, 4.0, n)).astype(int)
    base = desa[["kode_desa"]].assign(tahun=tahun).reset_index(drop=True)
    kep = base.assign(
        penduduk_laki=laki, penduduk_perempuan=pop - laki, jumlah_penduduk=pop, jumlah_kk=kk,
        kelahiran=np.round(pop * rng.uniform(0.010, 0.020, n)).astype(int),
        kematian=np.round(pop * rng.uniform(0.004, 0.009, n)).astype(int),
        penduduk_datang=np.round(pop * rng.uniform(0.004, 0.02, n)).astype(int),
        penduduk_pindah=np.round(pop * rng.uniform(0.004, 0.02, n)).astype(int),
    )
    fas = base.assign(
        jumlah_sd=rng.integers(1, 7, n), jumlah_smp=rng.integers(0, 3, n), jumlah_sma=rng.integers(0, 2, n),
        jumlah_puskesmas=(rng.random(n) < 0.1).astype(int), jumlah_pustu=rng.integers(0, 2, n),
        jumlah_posyandu=np.maximum(1, np.round(pop / 1000 * rng.uniform(0.8, 1.4, n))).astype(int),
        jumlah_pasar=rng.integers(0, 3, n),
        sumber_penerangan=rng.choice(["PLN", "NON_PLN", "TIDAK_ADA"], n, p=[0.93, 0.06, 0.01]),
        jenis_permukaan_jalan=rng.choice(["ASPAL_BETON", "DIPERKERAS", "TANAH", "LAINNYA"], n, p=[0.7, 0.2, 0.08, 0.02]),
        sinyal_internet=rng.choice(["4G_5G", "3G", "2G", "TIDAK_ADA"], n, p=[0.78, 0.15, 0.05, 0.02]),
    )
    balita = np.round(pop * rng.uniform(0.06, 0.09, n)).astype(int)
    ditimbang = np.round(balita * rng.uniform(0.7, 0.95, n)).astype(int)
    kab = desa["kode_kabupaten"].iloc[0]
    kes = base.assign(
        kode_opd=kode_opd_dinkes(kab), jumlah_balita=balita, balita_ditimbang=ditimbang,
        balita_stunting=np.round(ditimbang * rng.uniform(0.08, 0.3, n)).astype(int),
        jumlah_ibu_hamil=np.round(pop * rng.uniform(0.01, 0.02, n)).astype(int),
    )
    kes = kes[["kode_desa", "tahun", "kode_opd", "jumlah_balita", "balita_ditimbang", "balita_stunting",
               "jumlah_ibu_hamil"]]
    pro = base.assign(proyeksi_penduduk=np.round(pop * rng.uniform(0.96, 1.04, n)).astype(int))
    return {"kependudukan": kep, "fasilitas": fas, "kesehatan_anak": kes, "proyeksi_penduduk": pro}


def _assign_errors(n_desa: int, rate: float, rng: np.random.Generator) -> dict[str, list[int]]:
    """Which desa (positions) get which kind: round-robin over kinds so every kind appears."""
    if rate <= 0:
        return {}
    per_dataset: dict[str, list[str]] = {}
    for kind, (ds, _, _) in ERROR_KINDS.items():
        per_dataset.setdefault(ds, []).append(kind)
    out: dict[str, list[int]] = {k: [] for k in ERROR_KINDS}
    for kinds in per_dataset.values():
        count = max(len(kinds), round(rate * n_desa)) if n_desa >= 2 * len(kinds) else min(len(kinds), n_desa // 2)
        chosen = rng.choice(n_desa, size=min(count, n_desa), replace=False)
        for j, pos in enumerate(chosen):
            out[kinds[j % len(kinds)]].append(int(pos))
    # a cross-dataset warning can only be seen where the desa's kependudukan row was accepted
    kep_rejected = {p for k, ps in out.items() if ERROR_KINDS[k][0] == "kependudukan" and ERROR_KINDS[k][2] == "error"
                    for p in ps}
    for kind in CROSS_DATASET_KINDS:
        used = {p for k, ps in out.items() if ERROR_KINDS[k][0] == ERROR_KINDS[kind][0] for p in ps}
        free = [p for p in range(n_desa) if p not in kep_rejected and p not in used]
        out[kind] = [p if p not in kep_rejected else free.pop(0) for p in out[kind] if p not in kep_rejected or free]
    return out


def generate(kode_wilayah: str, tahun: int, out: Path, seed: int = 1, error_rate: float = 0.05) -> GeneratedCycle:
    rng = np.random.default_rng(seed)
    desa = desa_table(kode_wilayah)
    n = len(desa)
    truth = _clean_values(desa, tahun, rng)
    submitted = {k: v.copy() for k, v in truth.items()}
    errors = _assign_errors(n, error_rate, rng)
    log: list[dict[str, object]] = []
    rejected: dict[str, set[int]] = {k: set() for k in truth}
    special: dict[int, str] = {}  # desa position -> file-level kind for kependudukan

    def mark(kind: str, pos: int) -> None:
        ds, rule, severity = ERROR_KINDS[kind]
        log.append({"dataset": ds, "kode_desa": desa["kode_desa"].iloc[pos], "jenis": kind, "aturan": rule,
                    "keparahan": severity})
        if severity == "error":
            rejected[ds].add(pos)

    kep, fas, kes, pro = (submitted[k] for k in ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk"))
    for kind, positions in errors.items():
        for pos in positions:
            mark(kind, pos)
            if kind in ("berkas_rusak", "kolom_hilang", "bukan_bulat", "baris_ganda", "kode_tidak_dikenal",
                        "kode_luar_wilayah", "fasilitas_ganda", "kategori_salah"):
                special[pos] = special.get(pos, "") + "|" + kind
            elif kind == "negatif":
                kep.at[pos, "kematian"] = -3
            elif kind == "jumlah_tidak_sama":
                kep.at[pos, "jumlah_penduduk"] += 17
            elif kind == "kk_nol":
                kep.at[pos, "jumlah_kk"] = 0
            elif kind == "kk_lebih_dari_penduduk":
                kep.at[pos, "jumlah_kk"] = kep.at[pos, "jumlah_penduduk"] + 5
            elif kind == "tahun_salah":
                kep.at[pos, "tahun"] = tahun - 1
            elif kind == "rata_kk_tinggi":
                kep.at[pos, "jumlah_kk"] = max(1, kep.at[pos, "jumlah_penduduk"] // 10)
            elif kind == "rasio_jk_ganjil":
                total = kep.at[pos, "jumlah_penduduk"]
                kep.at[pos, "penduduk_laki"] = round(total * 0.6)
                kep.at[pos, "penduduk_perempuan"] = total - round(total * 0.6)
            elif kind == "kelahiran_tinggi":
                kep.at[pos, "kelahiran"] = round(kep.at[pos, "jumlah_penduduk"] * 0.08)
            elif kind == "jauh_dari_proyeksi":
                pro.at[pos, "proyeksi_penduduk"] = round(kep.at[pos, "jumlah_penduduk"] * 1.4)
            elif kind == "fasilitas_negatif":
                fas.at[pos, "jumlah_sd"] = -1
            elif kind == "posyandu_nol":
                fas.at[pos, "jumlah_posyandu"] = 0
            elif kind == "opd_salah":
                kes.at[pos, "kode_opd"] = kes.at[pos, "kode_opd"].replace("DINKES", "DINKS")  # a typo: unknown agency
            elif kind == "ditimbang_lebih":
                kes.at[pos, "balita_ditimbang"] = kes.at[pos, "jumlah_balita"] + 3
            elif kind == "stunting_lebih":
                kes.at[pos, "balita_stunting"] = kes.at[pos, "balita_ditimbang"] + 2
            elif kind == "stunting_tinggi":
                kes.at[pos, "balita_stunting"] = round(kes.at[pos, "balita_ditimbang"] * 0.6)
            elif kind == "balita_banyak":
                kes.at[pos, "jumlah_balita"] = round(kep.at[pos, "jumlah_penduduk"] * 0.2)
                kes.at[pos, "balita_ditimbang"] = round(kes.at[pos, "jumlah_balita"] * 0.8)
                kes.at[pos, "balita_stunting"] = round(kes.at[pos, "balita_ditimbang"] * 0.2)

    files = 0
    for pos in range(n):
        kode = desa["kode_desa"].iloc[pos]
        for ds in ("kependudukan", "fasilitas"):
            frame = submitted[ds].iloc[[pos]].copy()
            kinds = special.get(pos, "")
            style = ("xlsx", "semicolon", "comma", "comma", "comma")[pos % 5]
            data: bytes
            if ds == "kependudukan" and "berkas_rusak" in kinds:
                data, style = bytes(rng.integers(0, 256, 600, dtype=np.uint8)) + b"\x00", "bin"
            else:
                if ds == "kependudukan" and "kolom_hilang" in kinds:
                    frame = frame.drop(columns=["penduduk_pindah"])
                if ds == "kependudukan" and "bukan_bulat" in kinds:
                    frame["penduduk_datang"] = frame["penduduk_datang"].astype(str) + ",5"
                    style = "comma"
                if ds == "kependudukan" and "kode_tidak_dikenal" in kinds:
                    frame["kode_desa"] = kode[:9] + "2999"
                if ds == "kependudukan" and "kode_luar_wilayah" in kinds:
                    other = desa[desa["kode_kecamatan"] != kode[:8]]["kode_desa"]
                    frame["kode_desa"] = other.iloc[0] if len(other) else desa["kode_desa"].iloc[(pos + 1) % n]
                if (ds == "kependudukan" and "baris_ganda" in kinds) or (ds == "fasilitas" and "fasilitas_ganda" in kinds):
                    frame = pd.concat([frame, frame])
                if ds == "fasilitas" and "kategori_salah" in kinds:
                    frame["sumber_penerangan"] = "LISTRIK DESA"
                data = render(frame, style, title=f"Data {ds} {desa['nama_desa'].iloc[pos]} tahun {tahun}")
            ext = {"xlsx": "xlsx", "bin": "xlsx"}.get(style, "csv")
            path = out / ds / kode / f"{kode.replace('.', '')}_{ds}_{tahun}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files += 1
    kab = desa["kode_kabupaten"].iloc[0]
    for ds, sender, style in (("kesehatan_anak", kode_opd_dinkes(kab), "xlsx"), ("proyeksi_penduduk", "BPS", "comma")):
        path = out / ds / sender / f"{ds}_{kode_wilayah.replace('.', '')}_{tahun}.{'xlsx' if style == 'xlsx' else 'csv'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(submitted[ds], style, title=f"{get_dataset(ds).judul} {tahun}", totals=ds == "kesehatan_anak"))
        files += 1

    answer = out / ANSWER_DIR
    answer.mkdir(parents=True, exist_ok=True)
    for ds, frame in submitted.items():
        keep = [p for p in range(n) if p not in rejected[ds]]
        frame.iloc[keep].to_csv(answer / f"{ds}.csv", index=False)
    pd.DataFrame(log, columns=["dataset", "kode_desa", "jenis", "aturan", "keparahan"]).to_csv(answer / "galat.csv", index=False)
    return GeneratedCycle(out, tahun, kode_wilayah, n, files, len(log))


def _indonesian_thousands(v: object) -> object:
    if isinstance(v, (int, np.integer)) and abs(int(v)) >= 1000:
        return f"{int(v):,}".replace(",", ".")
    return v


def render(frame: pd.DataFrame, style: str, title: str = "", totals: bool = False) -> bytes:
    """A frame as an operator would save it: ``comma``, ``semicolon`` (cp1252, 1.234) or ``xlsx``."""
    if style == "comma":
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if style == "semicolon":
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.replace("_", " ").title() for c in frame.columns])
        for row in frame.itertuples(index=False):
            writer.writerow([_indonesian_thousands(v) for v in row])
        return buf.getvalue().encode("cp1252")
    if style == "xlsx":
        return _xlsx(frame, title, totals)
    raise ValueError(style)


def _xlsx(frame: pd.DataFrame, title: str, totals: bool) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Petunjuk"
    ws["A1"] = "Isi lembar data; jangan ubah judul kolom."
    data = wb.create_sheet("Data")
    data["B1"] = title
    data.merge_cells(start_row=1, start_column=2, end_row=1, end_column=1 + len(frame.columns))
    data.append([])
    data.append([None, *frame.columns])
    for row in frame.itertuples(index=False):
        data.append([None, *[v.item() if hasattr(v, "item") else v for v in row]])
    if totals:
        numeric = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c]) and c != "tahun"]
        data.append([None, "JUMLAH", None, None, *[int(frame[c].sum()) for c in numeric]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
