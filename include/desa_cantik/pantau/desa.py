"""Pantau siklus, per desa: the desa of a kecamatan with each dataset's verdict (and for rejected ones the rules
and messages), and one desa's files, stored rows and quarantined rows.

A desa's verdict for a dataset it sends itself is its newest file's; for a dataset one agency or BPS sends for
every desa, it is the desa's row: stored (accepted), or quarantined and never stored (rejected)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from ..config import DaftarData
from ..kosakata import BELUM, DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK
from ..pii import mask_text
from ..regions import desa_table, region_name
from ..storage import Warehouse
from ..storage.rows import FileRule
from .berkas import (
    Alasan,
    BerkasDiperiksa,
    alasan_berkas,
    alasan_karantina,
    berkas_diperiksa,
    nama_berkas,
    pengirim_berkas,
)
from .format import LABEL, MAX_ALASAN
from .katalog import uraian_aturan
from .siklus import DatasetPantau, Hitungan, Tenggat, datasets_of, tenggat

# --- the desa of a kecamatan -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusDataset:
    """A desa's standing for one dataset: its verdict (or ``belum``), the file it rests on, and why."""

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
    status: dict[str, StatusDataset]  # per dataset

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
    def ditolak(self) -> list[tuple[BarisDesa, DatasetPantau, StatusDataset]]:
        """Every (desa, dataset) rejected, with why: what BPS follows up first."""
        return [(d, ds, d.status[ds.nama]) for d in self.desa for ds in self.datasets
                if d.status[ds.nama].status == DITOLAK]


def _row_reasons(wh: Warehouse, tahun: int, dataset: str, desa: list[str]) -> dict[str, list[Alasan]]:
    found: dict[str, list[Alasan]] = defaultdict(list)
    for row in wh.quarantine_of_desa(tahun, desa, dataset):
        found[row.kode_desa] += alasan_karantina(row.alasan)
    return found


def _statuses(wh: Warehouse, tahun: int, d: DatasetPantau, kode: str) -> dict[str, StatusDataset]:
    rows = wh.desa_status(tahun, d.nama, d.per_desa, kode)
    files = wh.files_by_sha([r.sha256_berkas for r in rows if r.sha256_berkas])
    flagged = [r for r in rows if r.status != DITERIMA]
    if d.per_desa:
        reasons = alasan_berkas(wh, [r.sha256_berkas for r in flagged])
        why = {r.kode_desa: reasons.get(r.sha256_berkas, []) for r in flagged}
    else:
        why = _row_reasons(wh, tahun, d.nama, [r.kode_desa for r in flagged if r.status == DITOLAK])
        noted = [r for r in flagged if r.status == DITERIMA_DENGAN_CATATAN]
        for n in wh.rules_of_files([r.sha256_berkas for r in noted], [r.kode_desa for r in noted]):
            why[n.kode_desa or ""].append(Alasan(n.aturan, n.keparahan, uraian_aturan(n.aturan)))
    out = {}
    for r in rows:
        f = files.get(r.sha256_berkas)
        out[r.kode_desa] = StatusDataset(r.status, r.sha256_berkas, mask_text(f.nama_berkas) if f else None,
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
        status = {ds: per_dataset[ds].get(k, StatusDataset(BELUM)) for ds in per_dataset}
        for ds, s in status.items():
            if s.status != BELUM:
                counts[ds].add(s.status, 1)
        rows.append(BarisDesa(k, nama, status))
    return DaftarDesa(daftar.tahun, kode, region_name(kode), datasets, rows, counts, tenggat(daftar, now))


# --- one desa ----------------------------------------------------------------------------------------


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
    """A desa's row quarantined from a file that covers many desa, with its reasons."""

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
    kiriman: dict[str, list[BerkasDiperiksa]]  # per dataset, newest first: each older one replaced by the one above
    tersimpan: list[Tersimpan]
    karantina: list[BarisKarantina]


def rincian_desa(wh: Warehouse, daftar: DaftarData, kode: str) -> RincianDesa:
    """Every file a desa sent (verdict, rows, rules hit, what replaced what), its stored rows and their files,
    and its rows quarantined from files that cover many desa."""
    tahun = daftar.tahun
    sent = [berkas_diperiksa(r) for r in wh.submissions_of_sender(tahun, kode)]
    shas = [k.sha256 for k in sent]
    rules: dict[str, list[FileRule]] = defaultdict(list)
    for r in wh.rules_of_files(shas, [kode]):
        rules[r.sha256_berkas].append(r)
    reasons = alasan_berkas(wh, shas)
    stored = wh.stored_rows_of_desa(tahun, kode, list(daftar.datasets))
    used = {r.sha256_berkas for r in stored}
    count = {ds: sum(k.dataset == ds for k in sent) for ds in {k.dataset for k in sent}}
    per_dataset: dict[str, list[BerkasDiperiksa]] = defaultdict(list)
    for k in sent:  # newest first: the file above in the list came after this one
        chain = per_dataset[k.dataset]
        chain.append(replace(k, aturan=rules[k.sha256], alasan=reasons.get(k.sha256, [])[:MAX_ALASAN],
                             digantikan_oleh=chain[-1].sha256 if chain else None,
                             ke=count[k.dataset] - len(chain), dipakai=k.sha256 in used))
    quarantined = wh.quarantine_of_desa(tahun, [kode])
    files = wh.files_by_sha([r.sha256_berkas for r in stored] + [r.sha256_berkas for r in quarantined])
    kept = [Tersimpan(r.dataset, r.sha256_berkas, nama_berkas(files, r.sha256_berkas),
                      pengirim_berkas(files, r.sha256_berkas), r.diterima_pada, int(r.baris_berkas))
            for r in stored]
    rejected = [BarisKarantina(r.dataset, r.sha256_berkas, nama_berkas(files, r.sha256_berkas), int(r.baris),
                               alasan_karantina(r.alasan)) for r in quarantined
                if pengirim_berkas(files, r.sha256_berkas) != kode]  # its own files are listed above
    return RincianDesa(tahun, kode, region_name(kode), datasets_of(daftar), dict(per_dataset), kept, rejected)
