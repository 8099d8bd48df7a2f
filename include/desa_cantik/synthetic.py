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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import get_dataset
from .kosakata import cut
from .regions import desa_table

ANSWER_DIR = "_kebenaran"

DESA_DATASETS = ("kependudukan", "fasilitas")  # one file per desa; the others are one file per region
DESA_STYLES = ("xlsx", "semicolon", "comma", "comma", "comma")  # by desa position, modulo 5


@dataclass(frozen=True)
class _Spot:
    """One desa's rows in the submitted frames; value-level errors edit them in place."""

    kep: pd.DataFrame
    fas: pd.DataFrame
    kes: pd.DataFrame
    pro: pd.DataFrame
    pos: int
    tahun: int


@dataclass
class _Draft:
    """One desa file on its way to disk; file-level errors edit it before it is rendered."""

    frame: pd.DataFrame
    style: str
    pos: int
    desa: pd.DataFrame
    rng: np.random.Generator
    data: bytes | None = None  # set when the file is not a table at all

    @property
    def kode(self) -> str:
        return str(self.desa["kode_desa"].iloc[self.pos])


# value-level errors: the wrong number sits in the submitted frame (and so in the answer key)

def _negatif(s: _Spot) -> None:
    s.kep.at[s.pos, "kematian"] = -3


def _jumlah_tidak_sama(s: _Spot) -> None:
    s.kep.at[s.pos, "jumlah_penduduk"] += 17


def _kk_nol(s: _Spot) -> None:
    s.kep.at[s.pos, "jumlah_kk"] = 0


def _kk_lebih_dari_penduduk(s: _Spot) -> None:
    s.kep.at[s.pos, "jumlah_kk"] = s.kep.at[s.pos, "jumlah_penduduk"] + 5


def _tahun_salah(s: _Spot) -> None:
    s.kep.at[s.pos, "tahun"] = s.tahun - 1


def _rata_kk_tinggi(s: _Spot) -> None:
    s.kep.at[s.pos, "jumlah_kk"] = max(1, s.kep.at[s.pos, "jumlah_penduduk"] // 10)


def _rasio_jk_ganjil(s: _Spot) -> None:
    total = s.kep.at[s.pos, "jumlah_penduduk"]
    s.kep.at[s.pos, "penduduk_laki"] = round(total * 0.6)
    s.kep.at[s.pos, "penduduk_perempuan"] = total - round(total * 0.6)


def _kelahiran_tinggi(s: _Spot) -> None:
    s.kep.at[s.pos, "kelahiran"] = round(s.kep.at[s.pos, "jumlah_penduduk"] * 0.08)


def _jauh_dari_proyeksi(s: _Spot) -> None:
    s.pro.at[s.pos, "proyeksi_penduduk"] = round(s.kep.at[s.pos, "jumlah_penduduk"] * 1.4)


def _fasilitas_negatif(s: _Spot) -> None:
    s.fas.at[s.pos, "jumlah_sd"] = -1


def _posyandu_nol(s: _Spot) -> None:
    s.fas.at[s.pos, "jumlah_posyandu"] = 0


def _opd_salah(s: _Spot) -> None:
    s.kes.at[s.pos, "kode_opd"] = s.kes.at[s.pos, "kode_opd"].replace("DINKES", "DINKS")  # a typo: unknown agency


def _ditimbang_lebih(s: _Spot) -> None:
    s.kes.at[s.pos, "balita_ditimbang"] = s.kes.at[s.pos, "jumlah_balita"] + 3


def _stunting_lebih(s: _Spot) -> None:
    s.kes.at[s.pos, "balita_stunting"] = s.kes.at[s.pos, "balita_ditimbang"] + 2


def _stunting_tinggi(s: _Spot) -> None:
    s.kes.at[s.pos, "balita_stunting"] = round(s.kes.at[s.pos, "balita_ditimbang"] * 0.6)


def _balita_banyak(s: _Spot) -> None:
    s.kes.at[s.pos, "jumlah_balita"] = round(s.kep.at[s.pos, "jumlah_penduduk"] * 0.2)
    s.kes.at[s.pos, "balita_ditimbang"] = round(s.kes.at[s.pos, "jumlah_balita"] * 0.8)
    s.kes.at[s.pos, "balita_stunting"] = round(s.kes.at[s.pos, "balita_ditimbang"] * 0.2)


# file-level errors: the numbers are right but the file the operator sends is broken

def _berkas_rusak(f: _Draft) -> None:
    f.data, f.style = bytes(f.rng.integers(0, 256, 600, dtype=np.uint8)) + b"\x00", "bin"


def _kolom_hilang(f: _Draft) -> None:
    f.frame = f.frame.drop(columns=["penduduk_pindah"])


def _bukan_bulat(f: _Draft) -> None:
    f.frame["penduduk_datang"] = f.frame["penduduk_datang"].astype(str) + ",5"
    f.style = "comma"  # a decimal comma only survives in a comma CSV as text


def _baris_ganda(f: _Draft) -> None:
    f.frame = pd.concat([f.frame, f.frame])


def _kode_tidak_dikenal(f: _Draft) -> None:
    f.frame["kode_desa"] = f.kode[:9] + "2999"


def _kode_luar_wilayah(f: _Draft) -> None:
    other = f.desa[f.desa["kode_kecamatan"] != cut(f.kode, "kecamatan")]["kode_desa"]
    f.frame["kode_desa"] = other.iloc[0] if len(other) else f.desa["kode_desa"].iloc[(f.pos + 1) % len(f.desa)]


def _kategori_salah(f: _Draft) -> None:
    f.frame["sumber_penerangan"] = "LISTRIK DESA"


@dataclass(frozen=True)
class ErrorKind:
    """One row of the error table: what the gate should say, and how to provoke it.

    Exactly one of ``inject`` (edits the submitted values, so the answer key carries the bad value) and
    ``spoil`` (edits only the file written for that desa) is set.
    """

    dataset: str
    rule: str
    severity: str
    inject: Callable[[_Spot], None] | None = None
    spoil: Callable[[_Draft], None] | None = None


def _value(dataset: str, rule: str, severity: str, inject: Callable[[_Spot], None]) -> ErrorKind:
    return ErrorKind(dataset, rule, severity, inject=inject)


def _file(dataset: str, rule: str, severity: str, spoil: Callable[[_Draft], None]) -> ErrorKind:
    return ErrorKind(dataset, rule, severity, spoil=spoil)


# every rule of the standard that a single file can break. The order matters: it is the order errors are
# assigned to desa and injected, so reordering it changes what a given seed produces.
ERROR_TABLE: dict[str, ErrorKind] = {
    "berkas_rusak": _file("kependudukan", "STR-00", "error", _berkas_rusak),
    "kolom_hilang": _file("kependudukan", "STR-01", "error", _kolom_hilang),
    "negatif": _value("kependudukan", "KEP-01", "error", _negatif),
    "bukan_bulat": _file("kependudukan", "KEP-01", "error", _bukan_bulat),
    "jumlah_tidak_sama": _value("kependudukan", "KEP-02", "error", _jumlah_tidak_sama),
    "kk_nol": _value("kependudukan", "KEP-03", "error", _kk_nol),
    "kk_lebih_dari_penduduk": _value("kependudukan", "KEP-03", "error", _kk_lebih_dari_penduduk),
    "baris_ganda": _file("kependudukan", "KEP-04", "error", _baris_ganda),
    "kode_tidak_dikenal": _file("kependudukan", "WIL-01", "error", _kode_tidak_dikenal),
    "kode_luar_wilayah": _file("kependudukan", "WIL-02", "error", _kode_luar_wilayah),
    "tahun_salah": _value("kependudukan", "WIL-03", "error", _tahun_salah),
    "rata_kk_tinggi": _value("kependudukan", "KEP-05", "warning", _rata_kk_tinggi),
    "rasio_jk_ganjil": _value("kependudukan", "KEP-06", "warning", _rasio_jk_ganjil),
    "kelahiran_tinggi": _value("kependudukan", "KEP-07", "warning", _kelahiran_tinggi),
    "jauh_dari_proyeksi": _value("kependudukan", "KEP-09", "warning", _jauh_dari_proyeksi),
    "kategori_salah": _file("fasilitas", "FAS-01", "error", _kategori_salah),
    "fasilitas_negatif": _value("fasilitas", "FAS-01", "error", _fasilitas_negatif),
    "fasilitas_ganda": _file("fasilitas", "FAS-02", "error", _baris_ganda),
    "posyandu_nol": _value("fasilitas", "FAS-03", "warning", _posyandu_nol),
    "opd_salah": _value("kesehatan_anak", "KES-01", "error", _opd_salah),
    "ditimbang_lebih": _value("kesehatan_anak", "KES-02", "error", _ditimbang_lebih),
    "stunting_lebih": _value("kesehatan_anak", "KES-02", "error", _stunting_lebih),
    "stunting_tinggi": _value("kesehatan_anak", "KES-04", "warning", _stunting_tinggi),
    "balita_banyak": _value("kesehatan_anak", "KES-05", "warning", _balita_banyak),
}

# kind -> (dataset, rule, severity): the table without its injectors, for the tests and the gate's checks
ERROR_KINDS: dict[str, tuple[str, str, str]] = {k: (e.dataset, e.rule, e.severity) for k, e in ERROR_TABLE.items()}


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
    """Write one cycle's submissions and its answer key; the same seed always gives the same bytes.

    Everything random comes from one generator, drawn in a fixed order (clean values, error assignment,
    then corrupt files as they are written), so keep that order when changing this.
    """
    rng = np.random.default_rng(seed)
    desa = desa_table(kode_wilayah)
    truth = _clean_values(desa, tahun, rng)
    submitted = {k: v.copy() for k, v in truth.items()}
    injected = _inject(_assign_errors(len(desa), error_rate, rng), submitted, desa, tahun)
    files = _write_desa_files(out, desa, submitted, injected.spoiled, tahun, rng)
    files += _write_region_files(out, desa, submitted, kode_wilayah, tahun)
    _write_answer_key(out / ANSWER_DIR, submitted, injected)
    return GeneratedCycle(out, tahun, kode_wilayah, len(desa), files, len(injected.log))


@dataclass
class _Injected:
    """What ``_inject`` did: the log for ``galat.csv``, the rows the gate must reject, the files to spoil."""

    log: list[dict[str, object]] = field(default_factory=list)
    rejected: dict[str, set[int]] = field(default_factory=dict)  # dataset -> desa positions
    spoiled: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (dataset, position) -> kinds


def _inject(errors: dict[str, list[int]], submitted: dict[str, pd.DataFrame], desa: pd.DataFrame,
            tahun: int) -> _Injected:
    """Apply value-level errors to ``submitted`` now and note file-level ones for when files are written."""
    done = _Injected(rejected={k: set() for k in submitted})
    for kind, positions in errors.items():
        row = ERROR_TABLE[kind]
        for pos in positions:
            done.log.append({"dataset": row.dataset, "kode_desa": desa["kode_desa"].iloc[pos], "jenis": kind,
                             "aturan": row.rule, "keparahan": row.severity})
            if row.severity == "error":
                done.rejected[row.dataset].add(pos)
            if row.spoil is not None:
                done.spoiled.setdefault((row.dataset, pos), []).append(kind)
            if row.inject is not None:
                row.inject(_Spot(submitted["kependudukan"], submitted["fasilitas"], submitted["kesehatan_anak"],
                                 submitted["proyeksi_penduduk"], pos, tahun))
    return done


def _desa_file(draft: _Draft, kinds: list[str], title: str) -> bytes:
    """The bytes of one desa file after its file-level errors; a corrupt file stops further edits."""
    for kind in kinds:
        if draft.data is not None:  # a corrupt file has no table left to edit
            break
        spoil = ERROR_TABLE[kind].spoil
        if spoil is not None:
            spoil(draft)
    return draft.data if draft.data is not None else render(draft.frame, draft.style, title=title)


def _write_desa_files(out: Path, desa: pd.DataFrame, submitted: dict[str, pd.DataFrame],
                      spoiled: dict[tuple[str, int], list[str]], tahun: int, rng: np.random.Generator) -> int:
    """One file per desa and dataset, cycling through the formats operators use."""
    files = 0
    for pos in range(len(desa)):
        kode = desa["kode_desa"].iloc[pos]
        for ds in DESA_DATASETS:
            draft = _Draft(submitted[ds].iloc[[pos]].copy(), DESA_STYLES[pos % 5], pos, desa, rng)
            data = _desa_file(draft, spoiled.get((ds, pos), []), f"Data {ds} {desa['nama_desa'].iloc[pos]} tahun {tahun}")
            ext = {"xlsx": "xlsx", "bin": "xlsx"}.get(draft.style, "csv")
            path = out / ds / kode / f"{kode.replace('.', '')}_{ds}_{tahun}.{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            files += 1
    return files


def _write_region_files(out: Path, desa: pd.DataFrame, submitted: dict[str, pd.DataFrame], kode_wilayah: str,
                        tahun: int) -> int:
    """The Dinas Kesehatan file for all desa and BPS's projection reference."""
    kab = desa["kode_kabupaten"].iloc[0]
    files = 0
    for ds, sender, style in (("kesehatan_anak", kode_opd_dinkes(kab), "xlsx"), ("proyeksi_penduduk", "BPS", "comma")):
        path = out / ds / sender / f"{ds}_{kode_wilayah.replace('.', '')}_{tahun}.{'xlsx' if style == 'xlsx' else 'csv'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(submitted[ds], style, title=f"{get_dataset(ds).judul} {tahun}", totals=ds == "kesehatan_anak"))
        files += 1
    return files


def _write_answer_key(answer: Path, submitted: dict[str, pd.DataFrame], injected: _Injected) -> None:
    """The rows the gate should accept, as submitted, and the list of every injected error."""
    answer.mkdir(parents=True, exist_ok=True)
    for ds, frame in submitted.items():
        keep = [p for p in range(len(frame)) if p not in injected.rejected[ds]]
        frame.iloc[keep].to_csv(answer / f"{ds}.csv", index=False)
    pd.DataFrame(injected.log, columns=["dataset", "kode_desa", "jenis", "aturan", "keparahan"]).to_csv(
        answer / "galat.csv", index=False)


def _indonesian_thousands(v: object) -> object:
    if isinstance(v, (int, np.integer)) and abs(int(v)) >= 1000:
        return f"{int(v):,}".replace(",", ".")
    return v


def render(frame: pd.DataFrame, style: str, title: str = "", totals: bool = False) -> bytes:
    """A frame as an operator would save it: ``comma``, ``semicolon`` (cp1252, 1.234) or ``xlsx``."""
    if style == "comma":
        text: str = frame.to_csv(index=False, lineterminator="\n")
        return text.encode("utf-8")
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
