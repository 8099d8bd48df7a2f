"""What one task hands the next (Airflow XCom, so JSON): one TypedDict per payload.

A batch is either village/agency files (``jenis`` ``"berkas"``) or child tiers' package versions
(``"paket"``); the two travel as a tagged union so each stage can tell them apart by type.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

FILES: Literal["berkas"] = "berkas"
PACKAGE: Literal["paket"] = "paket"


class InboxObject(TypedDict):
    """One object found in the inbox: its key, size, and when the store received it (ISO-8601 UTC)."""

    kunci: str
    ukuran: int
    diterima_pada: str


class PackageObject(InboxObject):
    relatif: str  # path inside the package (``data/...``, ``bag-info.txt``, ...)


class FileBatch(TypedDict):
    jenis: Literal["berkas"]
    kelompok: str  # a kecamatan code, or ``opd-bps``
    objek: list[InboxObject]


class PackageRef(TypedDict):
    """One received package version: its sender, version and inbox objects."""

    pengirim: str
    versi: str
    objek: list[PackageObject]


class PackageBatch(TypedDict):
    jenis: Literal["paket"]
    kelompok: str  # ``paket-{pengirim}-{versi}``, or ``paket-{first}_{last}`` (pengirim-versi) for several
    paket: list[PackageRef]


Batch = FileBatch | PackageBatch


class ArchivedFile(TypedDict):
    """A submission archived byte for byte: where it came from, where it is kept, what it is."""

    kunci_masuk: str
    kunci_arsip: str
    sha256: str
    ukuran: int
    diterima_pada: str
    dataset: str
    pengirim: str
    nama_berkas: str


class CollectedFiles(TypedDict):
    jenis: Literal["berkas"]
    kelompok: str
    berkas: list[ArchivedFile]


class ArchivedPackage(TypedDict):
    pengirim: str
    versi: str
    arsip: str  # archive prefix of the package
    isi: list[str]  # the package's relative paths
    diterima_pada: str


class CollectedPackages(TypedDict):
    jenis: Literal["paket"]
    kelompok: str
    paket: list[ArchivedPackage]


Collected = CollectedFiles | CollectedPackages


class Validated(TypedDict):
    """The gate's result for a batch: counts per verdict and where its bundle for storage is."""

    kelompok: str
    bundel: str  # staging prefix, see ``bundle.Bundle``
    status: dict[str, int]  # verdict -> number of files (or packages)
    alasan: NotRequired[dict[str, str]]  # a package batch: each refused package (``package_label``) -> its reason


class Stored(TypedDict):
    kelompok: str
    baris_disimpan: dict[str, int]  # dataset (or ``komponen``) -> rows loaded
    baris_karantina: int


class Penutupan(TypedDict):
    """The yearly run's first task (``periksa_penutupan``): this run closes the year, the first time or as a
    correction run; a run that may not close it fails there instead and hands nothing on."""

    tahun: int
    koreksi: bool  # closes again a year another run closed already (asked for by the run's parameters)
    alasan_koreksi: str  # why, as Diskominfo wrote it when triggering (empty unless a correction)
    run_sebelumnya: str  # the run whose close this correction replaces (empty unless a correction)
    sebelumnya: str  # that run's decision, in one sentence (empty unless a correction)


class Published(TypedDict):
    status: Literal["terbit"]
    paket: str
    versi: str
    berkas: list[str]
    siklus: str
    ditandatangani: bool
    hulu: NotRequired[str]


class Waiting(TypedDict):
    status: Literal["menunggu"]
    belum: list[str]  # children that have not delivered


class CorrectedPublished(Published):
    """A correction run's result (``koreksi_publikasi``): the indicators recomputed per level, then the publication."""

    indikator: dict[str, int]


class CorrectedWaiting(Waiting):
    indikator: dict[str, int]


Corrected = CorrectedPublished | CorrectedWaiting


class DatasetCounts(TypedDict):
    berkas_diterima_server: int
    berkas_lolos: int
    berkas_ditolak: int
    baris_dibaca: int
    baris_disimpan: int
    baris_karantina: int


class DeliveryRow(TypedDict):
    kode_wilayah: str
    nama_wilayah: str
    terkirim: bool
    versi_dipakai: str | None
    diterima_pada: str | None
    jumlah_versi: int
    ditolak: int


class CycleSummary(TypedDict):
    tahun: int
    wilayah: str
    dataset: dict[str, DatasetCounts]
    isu: dict[str, int]
    indikator_per_tingkat: dict[str, int]
    laporan: str
    paket: str
    pengiriman: list[DeliveryRow]
    gudang: str  # the warehouse URL with its password masked
