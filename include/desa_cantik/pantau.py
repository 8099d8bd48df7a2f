"""What the monitoring pages show (``plugins/desa_cantik_halaman.py``), as pure functions of the warehouse,
the object store, the Daftar Data and the region list.

Every count is grouped by the database (``Warehouse.desa_status_counts`` and friends), so a page reads tens
of rows whatever the tier's size; the region list gives what is expected. A desa's verdict for a dataset it
sends itself is its newest file's; for a dataset one agency or BPS sends for every desa, it is the desa's row:
stored (accepted), or quarantined and never stored (rejected). Every free text from a sender or a finding
passes ``pii.mask_text`` before it reaches a page. Never imports Airflow.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from .config import DaftarData
from .coordination import LEVELS
from .datasets import all_indicators, get_dataset
from .findings import ERROR, WARNING
from .kosakata import (
    BELUM,
    CODE_LENGTH,
    DESA_LENGTH,
    DITERIMA,
    DITERIMA_DENGAN_CATATAN,
    DITOLAK,
    OPD,
    PRODUSEN_LABEL,
    STATUS_LABEL,
    is_desa,
    per_desa,
)
from .kosakata import LEVELS as LEVEL_ORDER
from .pii import mask_text
from .regions import desa_table, get_region, is_within, normalise_code
from .storage import ObjectStore, Warehouse, layout
from .storage.rows import Delivery, IndicatorRow, Submission

LABEL = STATUS_LABEL  # the verdicts and "belum", as a page shows them (the pages' Jinja global)
CHILD_LENGTH = {CODE_LENGTH[a]: CODE_LENGTH[b] for a, b in pairwise(LEVEL_ORDER)}  # an area's sub-areas' code length
LEVEL_OF_LENGTH = {n: level for level, n in CODE_LENGTH.items()}
BULAN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MAX_ALASAN = 6  # reasons shown per desa and dataset; the report has them all
MAX_BARIS = 300  # rows of a long listing (a rule's hits, a level's areas); a filter narrows it
SEVERITY_LABEL = {ERROR: "galat", WARNING: "peringatan", "info": "catatan"}


# --- formatting (Jinja filters as well) --------------------------------------------------------------


def angka(value: float | int | None, desimal: int = 0) -> str:
    """A number as Indonesians write it: ``8.494``, ``12,5``; an empty value as ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{desimal}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def nilai(value: float | None) -> str:
    """An indicator value: whole numbers without decimals, others with up to two."""
    if value is None or math.isnan(value):
        return "–"
    if float(value).is_integer():
        return angka(value)
    return angka(value, 2).rstrip("0").rstrip(",")


def waktu(iso: str | None, zona: str = "Asia/Jakarta") -> str:
    """An ISO-8601 UTC time in the cycle's time zone: ``31 Mar 2026 16.59 WIB``."""
    if not iso:
        return "–"
    try:
        when = datetime.fromisoformat(iso).astimezone(ZoneInfo(zona))
    except ValueError:
        return iso
    return f"{when.day} {BULAN[when.month - 1]} {when.year} {when:%H.%M} {when.tzname()}"


def versi_waktu(versi: str, zona: str = "Asia/Jakarta") -> str:
    """A package version (``20260331T165900Z``) as a local time."""
    try:
        return waktu(datetime.strptime(versi, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC")).isoformat(), zona)
    except ValueError:
        return versi


def nama_wilayah(kode: str) -> str:
    if not kode:
        return "Indonesia"
    region = get_region(kode)
    return region.nama if region else kode


def level_of(kode: str) -> str:
    return LEVEL_OF_LENGTH.get(len(kode), "wilayah")


def jejak(tier: str, kode: str) -> list[tuple[str, str]]:
    """Breadcrumbs from the tier's own area down to ``kode``: (code, name) pairs."""
    out = []
    cut = len(tier)
    while True:
        part = kode[:cut]
        out.append((part, nama_wilayah(part)))
        if cut >= len(kode):
            return out
        cut = CHILD_LENGTH.get(cut, len(kode))


def area_inside(tier: str, kode: str) -> str | None:
    """A code typed in a URL as a canonical area of this tier (None: not a region, or outside it)."""
    norm = "" if kode in ("", "ID") else normalise_code(kode)
    if norm is None or (norm and get_region(norm) is None) or not is_within(norm, tier) or len(norm) < len(tier):
        return None
    return norm


# --- deadline and datasets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenggat:
    batas_akhir: str  # as people read it, in the cycle's zone
    sisa_hari: int  # negative once passed

    @property
    def teks(self) -> str:
        if self.sisa_hari > 0:
            return f"{self.sisa_hari} hari lagi"
        return "hari ini" if self.sisa_hari == 0 else f"lewat {-self.sisa_hari} hari"


def tenggat(daftar: DaftarData, now: datetime) -> Tenggat:
    zone = ZoneInfo(daftar.zona_waktu)
    end = daftar.batas_akhir.astimezone(zone)
    return Tenggat(waktu(end.isoformat(), daftar.zona_waktu), (end.date() - now.astimezone(zone).date()).days)


@dataclass(frozen=True)
class DatasetPantau:
    nama: str
    judul: str
    pengirim: str  # who sends it, as people say it
    per_desa: bool  # each desa sends its own file


def datasets_of(daftar: DaftarData) -> list[DatasetPantau]:
    out = []
    for nama in daftar.datasets:
        spec = get_dataset(nama)
        who = daftar.produsen[nama] if spec.produsen == OPD else PRODUSEN_LABEL.get(spec.produsen, spec.produsen)
        out.append(DatasetPantau(nama, spec.judul, who, per_desa(spec.produsen)))
    return out


# --- pantau: per area --------------------------------------------------------------------------------


@dataclass
class Hitungan:
    """Desa of an area for one dataset: expected (region list), accepted (with notes among them), rejected."""

    diharapkan: int
    diterima: int = 0
    catatan: int = 0
    ditolak: int = 0

    @property
    def dikirim(self) -> int:
        return self.diterima + self.ditolak

    @property
    def belum(self) -> int:
        return max(self.diharapkan - self.dikirim, 0)

    @property
    def persen(self) -> int:
        return round(100 * self.diterima / self.diharapkan) if self.diharapkan else 0

    def add(self, status: str, n: int) -> None:
        if status == DITOLAK:
            self.ditolak += n
        else:
            self.diterima += n
            self.catatan += n if status == DITERIMA_DENGAN_CATATAN else 0


@dataclass(frozen=True)
class BarisWilayah:
    kode: str
    nama: str
    desa: int
    hitungan: dict[str, Hitungan]

    @property
    def ditolak(self) -> int:
        return sum(h.ditolak for h in self.hitungan.values())


@dataclass(frozen=True)
class Kiriman:
    """One checked file as the pages list it."""

    sha256: str
    dataset: str
    pengirim: str
    nama_berkas: str
    diterima_pada: str  # ISO UTC
    status: str
    baris_dibaca: int
    baris_diterima: int
    baris_ditolak: int
    run_id: str
    aturan: list[AturanKena] = field(default_factory=list)
    alasan: list[Alasan] = field(default_factory=list)
    digantikan_oleh: str | None = None  # sha256 of the newer file of the same sender and dataset
    ke: int = 1  # the how-manieth file of this sender for this dataset
    dipakai: bool = False  # the desa's stored row came from this file

    @property
    def label(self) -> str:
        return LABEL.get(self.status, self.status)


@dataclass(frozen=True)
class AturanKena:
    aturan: str
    keparahan: str
    jumlah: int


@dataclass(frozen=True)
class Alasan:
    aturan: str
    keparahan: str
    pesan: str


@dataclass(frozen=True)
class RingkasanWilayah:
    tahun: int
    kode: str
    nama: str
    tingkat_anak: str
    datasets: list[DatasetPantau]
    baris: list[BarisWilayah]
    jumlah: BarisWilayah
    tenggat: Tenggat
    berkas_wilayah: list[Kiriman]  # agency and BPS files (one for many desa), on the tier's own page


def _kiriman(row: Submission) -> Kiriman:
    return Kiriman(row.sha256, row.dataset, row.pengirim, mask_text(row.nama_berkas) or "",
                   row.diterima_pada, row.status, int(row.baris_dibaca), int(row.baris_diterima),
                   int(row.baris_ditolak), row.run_id or "")


def _expected(kode: str, length: int) -> dict[str, int]:
    codes = desa_table(kode)["kode_desa"].str[:length]
    return {str(k): int(v) for k, v in codes.value_counts().items()}


def ringkasan_wilayah(wh: Warehouse, daftar: DaftarData, tier: str, kode: str, now: datetime) -> RingkasanWilayah:
    """Per sub-area (kecamatan of a kabupaten, kabupaten of a province) and dataset: desa expected, submitted,
    accepted, with notes, rejected, not yet submitted."""
    length = CHILD_LENGTH[len(kode)]
    expected = _expected(kode, length)
    datasets = datasets_of(daftar)
    counts = {k: {d.nama: Hitungan(n) for d in datasets} for k, n in expected.items()}
    total = {d.nama: Hitungan(sum(expected.values())) for d in datasets}
    for d in datasets:
        for row in wh.desa_status_counts(daftar.tahun, d.nama, d.per_desa, kode, length):
            if row.kode_wilayah in counts:  # a code outside the region list was refused at the gate
                counts[row.kode_wilayah][d.nama].add(row.status, int(row.jumlah))
                total[d.nama].add(row.status, int(row.jumlah))
    rows = [BarisWilayah(k, nama_wilayah(k), expected[k], counts[k]) for k in sorted(counts)]
    others = [_kiriman(r) for r in wh.submissions_not_from_desa(daftar.tahun)] if kode == tier else []
    return RingkasanWilayah(daftar.tahun, kode, nama_wilayah(kode), LEVEL_OF_LENGTH[length], datasets, rows,
                            BarisWilayah(kode, nama_wilayah(kode), sum(expected.values()), total),
                            tenggat(daftar, now), others)


# --- pantau: the desa of a kecamatan -----------------------------------------------------------------


@dataclass(frozen=True)
class StatusDesa:
    status: str  # diterima | diterima_dengan_catatan | ditolak | belum
    sha256: str | None = None
    nama_berkas: str | None = None
    alasan: tuple[Alasan, ...] = ()

    @property
    def label(self) -> str:
        return LABEL[self.status]


@dataclass(frozen=True)
class BarisDesa:
    kode: str
    nama: str
    status: dict[str, StatusDesa]

    @property
    def ditolak(self) -> list[str]:
        return [ds for ds, s in self.status.items() if s.status == DITOLAK]


@dataclass(frozen=True)
class DaftarDesa:
    tahun: int
    kode: str
    nama: str
    datasets: list[DatasetPantau]
    desa: list[BarisDesa]
    hitungan: dict[str, Hitungan]
    tenggat: Tenggat

    @property
    def ditolak(self) -> list[tuple[BarisDesa, DatasetPantau, StatusDesa]]:
        """Every (desa, dataset) rejected, with why: what BPS follows up first."""
        return [(d, ds, d.status[ds.nama]) for d in self.desa for ds in self.datasets
                if d.status[ds.nama].status == DITOLAK]


def _split_reasons(alasan: str) -> list[Alasan]:
    """A quarantined row's reasons (``RULE: message | RULE: message``) as findings."""
    out = []
    for part in alasan.split(" | "):
        rule, _, message = part.partition(": ")
        out.append(Alasan(rule, ERROR, mask_text(message or part) or ""))
    return out


def _file_reasons(wh: Warehouse, shas: list[str]) -> dict[str, list[Alasan]]:
    found: dict[str, list[Alasan]] = defaultdict(list)
    for row in wh.issues_of_files(shas, (ERROR, WARNING)):
        found[row.sha256_berkas].append(Alasan(row.aturan, row.keparahan, mask_text(row.pesan) or ""))
    return {sha: sorted(rows, key=lambda a: a.keparahan != ERROR) for sha, rows in found.items()}


def _row_reasons(wh: Warehouse, tahun: int, dataset: str, desa: list[str]) -> dict[str, list[Alasan]]:
    found: dict[str, list[Alasan]] = defaultdict(list)
    for row in wh.quarantine_of_desa(tahun, desa, dataset):
        found[row.kode_desa] += _split_reasons(row.alasan)
    return found


def _statuses(wh: Warehouse, tahun: int, d: DatasetPantau, kode: str) -> dict[str, StatusDesa]:
    rows = wh.desa_status(tahun, d.nama, d.per_desa, kode)
    shas = [r.sha256_berkas for r in rows if r.sha256_berkas]
    files = wh.files_by_sha(shas)
    flagged = [r for r in rows if r.status != DITERIMA]
    if d.per_desa:
        reasons = _file_reasons(wh, [r.sha256_berkas for r in flagged])
        why = {r.kode_desa: reasons.get(r.sha256_berkas, []) for r in flagged}
    else:
        why = _row_reasons(wh, tahun, d.nama, [r.kode_desa for r in flagged if r.status == DITOLAK])
        noted = [r for r in flagged if r.status == DITERIMA_DENGAN_CATATAN]
        for n in wh.rules_of_files([r.sha256_berkas for r in noted], [r.kode_desa for r in noted]):
            why[n.kode_desa or ""].append(Alasan(n.aturan, n.keparahan, uraian_aturan(n.aturan)))
    out = {}
    for r in rows:
        f = files.get(r.sha256_berkas)
        out[r.kode_desa] = StatusDesa(r.status, r.sha256_berkas, mask_text(f.nama_berkas) if f else None,
                                         tuple(why.get(r.kode_desa, [])[:MAX_ALASAN]))
    return out


def daftar_desa(wh: Warehouse, daftar: DaftarData, kode: str, now: datetime) -> DaftarDesa:
    """The desa of a kecamatan, each dataset's verdict, and for rejected ones the rules and messages."""
    master = desa_table(kode)
    datasets = datasets_of(daftar)
    per_dataset = {d.nama: _statuses(wh, daftar.tahun, d, kode) for d in datasets}
    counts = {d.nama: Hitungan(len(master)) for d in datasets}
    rows = []
    for k, nama in zip(master["kode_desa"], master["nama_desa"], strict=True):
        status = {ds: per_dataset[ds].get(k, StatusDesa(BELUM)) for ds in per_dataset}
        for ds, s in status.items():
            if s.status != BELUM:
                counts[ds].add(s.status, 1)
        rows.append(BarisDesa(k, nama, status))
    return DaftarDesa(daftar.tahun, kode, nama_wilayah(kode), datasets, rows, counts, tenggat(daftar, now))


# --- pantau: one desa --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tersimpan:
    """A desa's stored row of one dataset and the file it came from (its provenance)."""

    dataset: str
    sha256: str
    nama_berkas: str
    pengirim: str
    diterima_pada: str
    baris_berkas: int


@dataclass(frozen=True)
class BarisKarantina:
    dataset: str
    sha256: str
    nama_berkas: str
    baris: int
    alasan: list[Alasan]


@dataclass(frozen=True)
class RincianDesa:
    tahun: int
    kode: str
    nama: str
    datasets: list[DatasetPantau]
    kiriman: dict[str, list[Kiriman]]  # per dataset, newest first: each older one replaced by the one above
    tersimpan: list[Tersimpan]
    karantina: list[BarisKarantina]


def _with_findings(k: Kiriman, rules: list[AturanKena], reasons: list[Alasan], newer: str | None, ke: int = 1,
                   dipakai: bool = False) -> Kiriman:
    return Kiriman(k.sha256, k.dataset, k.pengirim, k.nama_berkas, k.diterima_pada, k.status, k.baris_dibaca,
                   k.baris_diterima, k.baris_ditolak, k.run_id, rules, reasons, newer, ke, dipakai)


def rincian_desa(wh: Warehouse, daftar: DaftarData, kode: str) -> RincianDesa:
    """Every file a desa sent (verdict, rows, rules hit, what replaced what), its stored rows and their files,
    and its rows quarantined from files that cover many desa."""
    tahun = daftar.tahun
    sent = [_kiriman(r) for r in wh.submissions_of_sender(tahun, kode)]
    shas = [k.sha256 for k in sent]
    rules: dict[str, list[AturanKena]] = defaultdict(list)
    for r in wh.rules_of_files(shas, [kode]):
        rules[r.sha256_berkas].append(AturanKena(r.aturan, r.keparahan, int(r.jumlah)))
    reasons = _file_reasons(wh, shas)
    stored = wh.stored_rows_of_desa(tahun, kode, list(daftar.datasets))
    used = {r.sha256_berkas for r in stored}
    count = {ds: sum(k.dataset == ds for k in sent) for ds in {k.dataset for k in sent}}
    per_dataset: dict[str, list[Kiriman]] = defaultdict(list)
    for k in sent:  # newest first: the file above in the list came after this one
        chain = per_dataset[k.dataset]
        chain.append(_with_findings(k, rules[k.sha256], reasons.get(k.sha256, [])[:MAX_ALASAN],
                                    chain[-1].sha256 if chain else None, count[k.dataset] - len(chain),
                                    k.sha256 in used))
    quarantined = wh.quarantine_of_desa(tahun, [kode])
    files = wh.files_by_sha([r.sha256_berkas for r in stored] + [r.sha256_berkas for r in quarantined])
    kept = [Tersimpan(r.dataset, r.sha256_berkas, _name(files, r.sha256_berkas),
                      _sender(files, r.sha256_berkas), r.diterima_pada, int(r.baris_berkas))
            for r in stored]
    rejected = [BarisKarantina(r.dataset, r.sha256_berkas, _name(files, r.sha256_berkas), int(r.baris),
                               _split_reasons(r.alasan)) for r in quarantined
                if _sender(files, r.sha256_berkas) != kode]  # its own files are listed above
    return RincianDesa(tahun, kode, nama_wilayah(kode), datasets_of(daftar), dict(per_dataset), kept, rejected)


def _name(files: dict[str, Submission], sha: str) -> str:
    f = files.get(sha)
    return (mask_text(f.nama_berkas) if f else None) or sha[:12]


def _sender(files: dict[str, Submission], sha: str) -> str:
    f = files.get(sha)
    return f.pengirim if f else ""


# --- one file ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RincianBerkas:
    tahun: int
    berkas: Kiriman
    kunci_arsip: str
    desa: list[tuple[str, str]]  # desa whose rows it holds or was judged for (code, name), for links


def rincian_berkas(wh: Warehouse, tahun: int, sha256: str) -> RincianBerkas | None:
    files = wh.files_by_sha([sha256])
    row = files.get(sha256)
    if row is None or int(row.tahun) != tahun:
        return None
    rules = [AturanKena(r.aturan, r.keparahan, int(r.jumlah)) for r in wh.rules_of_files([sha256])]
    reasons = _file_reasons(wh, [sha256]).get(sha256, [])
    k = _with_findings(_kiriman(row), rules, reasons[:50], None)
    sender = normalise_code(row.pengirim)
    desa = [(sender, nama_wilayah(sender))] if sender and is_desa(sender) else []
    return RincianBerkas(tahun, k, mask_text(row.kunci_arsip) or "", desa)


# --- Data Docs of a file's gate run -----------------------------------------------------------------


def data_docs_key(store: ObjectStore, tahun: int, run_id: str, pengirim: str, dataset: str) -> str | None:
    """The Data Docs page of the batch that judged a file: the batch is named after its kecamatan (or the
    first and last of several), agency and BPS files have their own."""
    from .pengirim import batch_of

    kelompok = batch_of(pengirim)
    prefix = layout.data_docs_prefix(tahun, run_id)
    for obj in store.list(prefix):
        group = obj.key[len(prefix):].partition("/")[0]
        first, _, last = group.partition("_")
        if obj.key == layout.data_docs_key(tahun, run_id, group, dataset) and (
                group == kelompok or (last and first <= kelompok <= last)):
            return obj.key
    return None


# --- temuan ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InfoAturan:
    aturan: str
    tingkat: int | None
    keparahan: str
    uraian: str  # what the rule checks, from the catalogue
    kolom: tuple[str, ...] = ()


_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@lru_cache(maxsize=1)
def katalog_aturan() -> dict[str, InfoAturan]:
    """Every rule the gate can report, from the rule catalogue (suites, file-level rules, package rules)."""
    from .rules import file_rules, package_rules, rule_catalogue

    columns: dict[str, list[str]] = defaultdict(list)
    out: dict[str, InfoAturan] = {}
    for r in file_rules():
        out[r["aturan"]] = InfoAturan(r["aturan"], r["tingkat"], r["keparahan"], r["diperiksa"])
    for r in [*rule_catalogue(), *package_rules()]:
        if r.get("kolom") and r["kolom"] not in columns[r["aturan"]]:
            columns[r["aturan"]].append(str(r["kolom"]))
        if r["aturan"] not in out:
            text = _PLACEHOLDER.sub("…", r["pesan"]).replace("Baris …: ", "")
            out[r["aturan"]] = InfoAturan(r["aturan"], r["tingkat"], r["keparahan"], text)
    return {k: InfoAturan(v.aturan, v.tingkat, v.keparahan, v.uraian, tuple(columns.get(k, ()))) for k, v in out.items()}


def uraian_aturan(aturan: str) -> str:
    info = katalog_aturan().get(aturan)
    return info.uraian if info else "aturan tidak ada di katalog"


@dataclass(frozen=True)
class BarisAturan:
    aturan: str
    dataset: str
    keparahan: str
    tingkat: str  # the ESS level(s) its findings were at: ``1``, ``0–1``
    uraian: str
    jumlah: int
    desa: int
    berkas: int
    run: int
    per_run: list[int]  # aligned with ``Temuan.runs``

    @property
    def label_keparahan(self) -> str:
        return SEVERITY_LABEL.get(self.keparahan, self.keparahan)


@dataclass(frozen=True)
class Temuan:
    tahun: int
    kode: str
    nama: str
    pilihan: list[tuple[str, str]]  # the areas it can be narrowed to (code, name)
    runs: list[str]  # newest last; at most ``MAX_RUNS``
    aturan: list[BarisAturan]


MAX_RUNS = 6


def _levels(low: int | None, high: int | None) -> str:
    if low is None:
        return "–"
    return str(low) if low == high or high is None else f"{low}–{high}"


def run_label(run_id: str, zona: str = "Asia/Jakarta") -> str:
    """A run id as a short column head: its kind and local time (``manual · 1 Mar 2026 15.00 WIB``)."""
    kind, sep, when = run_id.partition("__")
    if not sep:
        return run_id[:24]
    return f"{kind} · {waktu(when, zona)}" if waktu(when, zona) != when else run_id[:24]


def run_order(run_id: str) -> str:
    """Airflow run ids sort by the time after ``__`` (``manual__2026-03-01T…``, ``scheduled__…``)."""
    return run_id.partition("__")[2] or run_id


@lru_cache(maxsize=8)
def sub_areas(tier: str) -> list[tuple[str, str]]:
    """The areas one and two levels below the tier (never desa) a page can be narrowed to: kecamatan of a
    kabupaten; kabupaten and kecamatan of a province; provinces and kabupaten at the centre."""
    master = desa_table(tier)
    codes: set[str] = set()
    length = CHILD_LENGTH[len(tier)]
    for _ in range(2):
        if length < DESA_LENGTH:
            codes |= set(master["kode_desa"].str[:length])
            length = CHILD_LENGTH[length]
    return [(k, f"{k} {nama_wilayah(k)}") for k in sorted(codes)]


def temuan(wh: Warehouse, tahun: int, tier: str, kode: str) -> Temuan:
    """Findings per rule in an area: how many, on how many desa and files, over which runs. The tier's own area
    counts every finding, those about no desa (a file outside the inbox layout, an agency file) included."""
    where = "" if kode == tier else kode
    per_run: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    for r in wh.rule_counts_per_run(tahun, where):
        per_run[(r.dataset, r.aturan, r.keparahan)][r.run_id] = int(r.jumlah)
    runs = sorted({run for counts in per_run.values() for run in counts}, key=run_order)[-MAX_RUNS:]
    rows = []
    for c in wh.rule_counts(tahun, where):
        counts = per_run[(c.dataset, c.aturan, c.keparahan)]
        rows.append(BarisAturan(c.aturan, c.dataset, c.keparahan, _levels(c.tingkat_min, c.tingkat_max),
                                uraian_aturan(c.aturan), int(c.jumlah), int(c.desa), int(c.berkas),
                                int(c.run), [counts.get(run, 0) for run in runs]))
    rows.sort(key=lambda b: (b.keparahan != ERROR, -b.jumlah, b.aturan))
    return Temuan(tahun, kode, nama_wilayah(kode), sub_areas(tier), runs, rows)


@dataclass(frozen=True)
class Kena:
    kode_desa: str
    nama_desa: str
    dataset: str
    keparahan: str
    jumlah: int
    run_id: str
    sha256: str
    nama_berkas: str
    pengirim: str


@dataclass(frozen=True)
class TemuanAturan:
    tahun: int
    kode: str
    nama: str
    info: InfoAturan
    total: int
    kena: list[Kena]
    contoh: list[str]


def temuan_aturan(wh: Warehouse, tahun: int, tier: str, aturan: str, kode: str) -> TemuanAturan:
    """Where one rule hit: each (file, desa) with its run, linking to the report and Data Docs."""
    total, rows = wh.rule_hits(tahun, aturan, "" if kode == tier else kode, MAX_BARIS)
    files = wh.files_by_sha([r.sha256_berkas for r in rows])
    names = _desa_names(r.kode_desa for r in rows)
    kena = [Kena(r.kode_desa or "", names.get(r.kode_desa or "", ""), r.dataset, r.keparahan,
                 int(r.jumlah), r.run_id, r.sha256_berkas, _name(files, r.sha256_berkas),
                 _sender(files, r.sha256_berkas)) for r in rows]
    info = katalog_aturan().get(aturan, InfoAturan(aturan, None, "", "aturan tidak ada di katalog"))
    examples = [m for m in (mask_text(t) for t in wh.rule_messages(tahun, aturan)) if m]
    return TemuanAturan(tahun, kode, nama_wilayah(kode), info, total, kena, examples)


def _desa_names(codes: Iterable[str | None]) -> dict[str, str]:
    return {c: nama_wilayah(c) for c in set(codes) if c}


# --- indikator ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarisIndikator:
    kode_wilayah: str
    nama_wilayah: str
    indikator: str
    nama_indikator: str
    nilai: float | None
    satuan: str
    kontribusi: int
    total: int

    @property
    def persen(self) -> int:
        return round(100 * self.kontribusi / self.total) if self.total else 0


@dataclass(frozen=True)
class HalamanIndikator:
    tahun: int
    kode: str  # the tier's area
    nama: str
    tingkat_ada: list[tuple[str, int]]  # levels held, with their number of areas, top down
    ringkasan: list[BarisIndikator]  # every indicator for the tier's own area
    tingkat: str
    indikator: str
    nama_indikator: str
    induk: str  # the area the level's table is narrowed to
    total: int
    baris: list[BarisIndikator]
    pilihan_indikator: list[tuple[str, str]]


@lru_cache(maxsize=8)
def areas_per_level(tier: str) -> dict[str, int]:
    """How many areas each level has inside the tier, from the region list (what coverage counts against)."""
    master = desa_table(tier)["kode_desa"]
    return {level: int(master.str[:n].nunique()) for level, n in LEVELS.items() if n >= len(tier)}


def _indicator_row(r: IndicatorRow, names: dict[str, str]) -> BarisIndikator:
    nilai = r.nilai
    return BarisIndikator(r.kode_wilayah, r.nama_wilayah, r.indikator, names.get(r.indikator, r.indikator),
                          None if nilai is None or (isinstance(nilai, float) and math.isnan(nilai)) else float(nilai),
                          r.satuan, int(r.desa_kontribusi), int(r.desa_total))


def halaman_indikator(wh: Warehouse, tahun: int, tier: str, tingkat: str | None, indikator: str | None,
                      induk: str) -> HalamanIndikator:
    """The tier's own indicators with coverage, and one level's table (one indicator, inside ``induk``)."""
    names = {k: i.nama for k, i in all_indicators().items()}
    held = set(wh.indicator_levels(tahun, LEVEL_ORDER))
    areas = areas_per_level(tier)
    levels: list[tuple[str, int]] = [(lv, areas.get(lv, 0)) for lv in LEVEL_ORDER if lv in held]
    own = level_of(tier)
    _, top = wh.indicator_rows(tahun, own, tier, None, len(names) + 1)
    below = [lv for lv, _ in levels if LEVEL_ORDER.index(lv) > LEVEL_ORDER.index(own)]
    level = tingkat if tingkat in held and tingkat else (below[0] if below else own)
    indikator = indikator if indikator in names else next(iter(names))
    total, rows = wh.indicator_rows(tahun, level, induk, indikator, MAX_BARIS)
    return HalamanIndikator(tahun, tier, nama_wilayah(tier), levels, [_indicator_row(r, names) for r in top],
                            level, indikator, names[indikator], induk, total, [_indicator_row(r, names) for r in rows],
                            sorted(names.items(), key=lambda kv: kv[1]))


# --- paket -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BerkasPaket:
    nama: str
    baris: int


@dataclass(frozen=True)
class VersiTerbit:
    versi: str
    objek: int
    ukuran: int
    bertanda_tangan: bool
    terbaru: bool
    berkas: list[BerkasPaket]


@dataclass(frozen=True)
class VersiAnak:
    versi: str
    diterima_pada: str
    status: str
    alasan: str | None
    baris_komponen: int
    dipakai: bool

    @property
    def label(self) -> str:
        return LABEL.get(self.status, self.status)


@dataclass(frozen=True)
class Anak:
    kode: str
    nama: str
    versi: list[VersiAnak]  # newest first
    desa_komponen: int
    desa_total: int

    @property
    def terkirim(self) -> bool:
        return any(v.status == DITERIMA for v in self.versi)

    @property
    def ditolak(self) -> int:
        return sum(v.status == DITOLAK for v in self.versi)


@dataclass(frozen=True)
class KeputusanBappeda:
    """Bappeda's answer before publishing (``persetujuan/{tahun}/{kode}/``): approved, refused, or no answer."""

    keputusan: str  # disetujui | ditolak
    oleh: str
    pada: str
    alasan: str
    batas_waktu_habis: bool
    run_id: str


@dataclass(frozen=True)
class HalamanPaket:
    tahun: int
    tingkat: str
    kode_paket: str
    terbit: list[VersiTerbit]  # newest first
    dipublikasi_pada: str | None
    anak: list[Anak]  # above kabupaten: every child region, delivered or not
    keputusan: list[KeputusanBappeda] = field(default_factory=list)  # newest first

    @property
    def belum(self) -> list[Anak]:
        return [a for a in self.anak if not a.terkirim]


def published_versions(store: ObjectStore, tahun: int, kode_paket: str) -> tuple[list[VersiTerbit], str | None]:
    """This tier's packages under ``publikasi/``: objects, size, signature, and the files with their rows."""
    from .bags import SIGNATURE
    from .publishing import MANIFEST

    prefix = layout.publication_prefix(tahun, kode_paket)
    pointer = layout.publication_pointer(tahun, kode_paket)
    newest = json.loads(store.get(pointer)) if store.exists(pointer) else {}
    objects: dict[str, list[str]] = defaultdict(list)
    size: dict[str, int] = defaultdict(int)
    listed: set[str] = set()
    for obj in store.list(prefix):
        listed.add(obj.key)
        versi, _, rest = obj.key[len(prefix):].partition("/")
        if rest:
            objects[versi].append(rest)
            size[versi] += obj.size
    out = []
    for versi in sorted(objects, reverse=True):
        manifest_key = layout.publication_manifest(tahun, kode_paket, versi, MANIFEST)
        files = json.loads(store.get(manifest_key))["berkas"] if manifest_key in listed else []
        out.append(VersiTerbit(versi, len(objects[versi]), size[versi], SIGNATURE in objects[versi],
                               versi == newest.get("versi"), [BerkasPaket(f["nama"], int(f["baris"])) for f in files]))
    return out, newest.get("dipublikasi_pada")


def children_deliveries(wh: Warehouse, tahun: int, tier: str, child_length: int) -> list[Anak]:
    """Above kabupaten: every child region, its package versions (refusals with reasons), the version in use,
    and how many of its desa have components."""
    master = desa_table(tier)["kode_desa"].str[:child_length].value_counts()
    have = wh.component_desa_counts(tahun, child_length)
    versions: dict[str, list[Delivery]] = defaultdict(list)
    for r in wh.delivery_rows(tahun):
        versions[r.kode_pengirim].append(r)
    out = []
    for kode in sorted(master.index):
        rows = versions.get(kode, [])
        used = max((r.versi for r in rows if r.status == DITERIMA), default=None)
        out.append(Anak(kode, nama_wilayah(kode), [
            VersiAnak(r.versi, r.diterima_pada, r.status, mask_text(r.alasan), int(r.baris_komponen),
                      r.versi == used) for r in rows], have.get(kode, 0), int(master[kode])))
    return out


def bappeda_decisions(store: ObjectStore, tahun: int, kode_paket: str) -> list[KeputusanBappeda]:
    """Every publication decision Bappeda made (or that timed out) for this tier's cycle, newest first."""
    from .cycle.persetujuan import APPROVALS

    out = []
    for obj in sorted(store.list(f"{APPROVALS}/{tahun}/{kode_paket}/"), key=lambda o: o.key, reverse=True):
        if obj.key.endswith(".json"):
            k = json.loads(store.get(obj.key))
            out.append(KeputusanBappeda(str(k.get("keputusan", "")), mask_text(str(k.get("oleh") or "")) or "",
                                        str(k.get("pada", "")), mask_text(str(k.get("alasan") or "")) or "",
                                        bool(k.get("batas_waktu_habis")), str(k.get("run_id", ""))))
    return out


def halaman_paket(wh: Warehouse, store: ObjectStore, tahun: int, tingkat: str, tier: str, kode_paket: str,
                  child_length: int | None) -> HalamanPaket:
    terbit, published = published_versions(store, tahun, kode_paket)
    anak = children_deliveries(wh, tahun, tier, child_length) if child_length else []
    return HalamanPaket(tahun, tingkat, kode_paket, terbit, published, anak, bappeda_decisions(store, tahun, kode_paket))
