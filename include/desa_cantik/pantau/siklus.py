"""Pantau siklus, per area: for each sub-area (kecamatan of a kabupaten, kabupaten of a province) and dataset,
the desa expected, accepted, with notes, rejected and not yet sent; the deadline; and on the tier's own page the
files that cover many desa. What the desa pages share (the deadline, the datasets, a dataset's counts) is here.

Every count is grouped by the database (``Warehouse.desa_status_counts``), so a page reads tens of rows whatever
the tier's size; the region list gives what is expected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..config import DaftarData
from ..datasets import get_dataset
from ..kosakata import CODE_LENGTH, DITERIMA_DENGAN_CATATAN, DITOLAK, OPD, PRODUSEN_LABEL, child_level, level_of, per_desa
from ..regions import desa_table, region_name
from ..storage import Warehouse
from .berkas import BerkasDiperiksa, berkas_diperiksa
from .format import waktu

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


# --- the area page -----------------------------------------------------------------------------------


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
class RingkasanWilayah:
    tahun: int
    kode: str
    nama: str
    tingkat_anak: str
    datasets: list[DatasetPantau]
    baris: list[BarisWilayah]
    jumlah: BarisWilayah
    tenggat: Tenggat
    berkas_wilayah: list[BerkasDiperiksa]  # agency and BPS files (one for many desa), on the tier's own page


def _expected(kode: str, length: int) -> dict[str, int]:
    codes = desa_table(kode)["kode_desa"].str[:length]
    return {str(k): int(v) for k, v in codes.value_counts().items()}


def ringkasan_wilayah(wh: Warehouse, daftar: DaftarData, wilayah_tingkat: str, kode: str,
                      now: datetime) -> RingkasanWilayah:
    """Per sub-area (kecamatan of a kabupaten, kabupaten of a province) and dataset: desa expected, submitted,
    accepted, with notes, rejected, not yet submitted."""
    level = level_of(kode)
    below = child_level(level) if level else None
    if below is None:
        raise ValueError(f"{kode!r} has no sub-areas to count")
    length = CODE_LENGTH[below]
    expected = _expected(kode, length)
    datasets = datasets_of(daftar)
    counts = {k: {d.nama: Hitungan(n) for d in datasets} for k, n in expected.items()}
    total = {d.nama: Hitungan(sum(expected.values())) for d in datasets}
    for d in datasets:
        for row in wh.desa_status_counts(daftar.tahun, d.nama, d.per_desa, kode, length):
            if row.kode_wilayah in counts:  # a code outside the region list was refused at the gate
                counts[row.kode_wilayah][d.nama].add(row.status, int(row.jumlah))
                total[d.nama].add(row.status, int(row.jumlah))
    rows = [BarisWilayah(k, region_name(k), expected[k], counts[k]) for k in sorted(counts)]
    others = ([berkas_diperiksa(r) for r in wh.submissions_not_from_desa(daftar.tahun)]
              if kode == wilayah_tingkat else [])
    return RingkasanWilayah(daftar.tahun, kode, region_name(kode), below, datasets, rows,
                            BarisWilayah(kode, region_name(kode), sum(expected.values()), total),
                            tenggat(daftar, now), others)
