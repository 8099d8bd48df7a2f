"""What one task hands the next (Airflow XCom, so JSON): one TypedDict per payload.

A batch is either village/agency files (``jenis`` ``"berkas"``) or child tiers' package versions
(``"paket"``); the two travel as a tagged union so each stage can tell them apart by type.

Every payload a later task reads carries its shape's version (``versi_serah``): a task retried after a new release
was deployed in the middle of its run reads what its producer wrote when this release still reads that version,
and otherwise fails at once, saying to run the run again from its first task (``periksa_serah``). A release that
changes a payload's shape raises its version in ``Versi`` below and keeps in ``baca`` the older versions it can
still read; ``tests/test_handoff.py`` pins every shape to its version, so a shape cannot change unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple, NotRequired, TypedDict

FILES: Literal["berkas"] = "berkas"
PACKAGE: Literal["paket"] = "paket"
VERSI_SERAH = "versi_serah"


class Versi(NamedTuple):
    """A payload's shape version: the one this release writes, and those it reads (0: written before payloads
    carried their version, by the release before; its shapes were version 1's)."""

    tulis: int
    baca: frozenset[int]


RENCANA = Versi(1, frozenset({0, 1}))  # Batch: rencana_batch -> arsipkan
ARSIP = Versi(1, frozenset({0, 1}))  # Collected: arsipkan -> gerbang_mutu
VALIDASI = Versi(1, frozenset({0, 1}))  # Validated: gerbang_mutu -> tinjau_penolakan, simpan_ke_gudang
PENUTUPAN = Versi(1, frozenset({0, 1}))  # Penutupan: periksa_penutupan -> persetujuan_bappeda
KEPUTUSAN = Versi(1, frozenset({0, 1}))  # persetujuan.Keputusan: persetujuan_bappeda -> susun_paket, catat_penolakan


class SerahTidakTerbaca(ValueError):
    """A payload written in a shape this release does not read; the Indonesian message says what to do."""


def periksa_serah(payload: Mapping[str, object], versi: Versi, nama: str, tugas_pertama: str = "") -> None:
    """Whether this release reads a payload another task wrote (maybe under the release before a deploy)."""
    found = payload.get(VERSI_SERAH, 0)
    if isinstance(found, int) and found in versi.baca:
        return
    first = f" ({tugas_pertama})" if tugas_pertama else ""
    raise SerahTidakTerbaca(
        f"Data serah-terima {nama} dari tugas sebelumnya berbentuk versi {found}, sedangkan rilis yang kini terpasang "
        f"membaca versi {', '.join(map(str, sorted(versi.baca)))}: rilis baru dipasang di tengah run ini dan bentuk "
        "data antar-tugasnya berubah. Tugas ini tidak dicoba ulang karena hasilnya akan sama. Jalankan ulang run ini "
        f"dari tugas pertamanya{first}: di UI Airflow buka run ini, pilih tugas pertama itu, lalu Clear dengan "
        "Downstream dicentang (atau Clear seluruh run), agar setiap tugas menulis datanya lagi dengan rilis ini. "
        "Berkas yang sudah diperiksa dan disimpan dilewati.")


class InboxObject(TypedDict):
    """One object found in the inbox: its key, size, and when the store received it (ISO-8601 UTC)."""

    kunci: str
    ukuran: int
    diterima_pada: str


class PackageObject(InboxObject):
    relatif: str  # path inside the package (``data/...``, ``bag-info.txt``, ...)


class FileBatch(TypedDict):
    versi_serah: int  # RENCANA
    jenis: Literal["berkas"]
    kelompok: str  # a kecamatan code, or ``opd-bps``
    objek: list[InboxObject]


class PackageRef(TypedDict):
    """One received package version: its sender, version and inbox objects."""

    pengirim: str
    versi: str
    objek: list[PackageObject]


class PackageBatch(TypedDict):
    versi_serah: int  # RENCANA
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
    versi_serah: int  # ARSIP
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
    versi_serah: int  # ARSIP
    jenis: Literal["paket"]
    kelompok: str
    paket: list[ArchivedPackage]


Collected = CollectedFiles | CollectedPackages


class Validated(TypedDict):
    """The gate's result for a batch: counts per verdict and where its bundle for storage is."""

    versi_serah: int  # VALIDASI
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

    versi_serah: int  # PENUTUPAN
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
