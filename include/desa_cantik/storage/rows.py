"""The rows the pages' named queries return (``pages``): frozen, named by the columns they hold.

A page reads ``row.status``, never ``row["status"]``: a renamed column fails the type check, not a page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileRecord:
    """A checked file in the gate's registry (``berkas_masuk``)."""

    kunci_masuk: str
    sha256: str
    dataset: str
    tahun: int
    pengirim: str
    kunci_arsip: str
    nama_berkas: str
    ukuran: int
    diterima_pada: str  # ISO-8601 UTC
    status: str
    baris_dibaca: int
    baris_diterima: int
    baris_ditolak: int
    kunci_laporan: str | None
    run_id: str | None


@dataclass(frozen=True)
class DesaStatus:
    """A desa's verdict for a dataset, and the file it rests on."""

    kode_desa: str
    status: str
    sha256_berkas: str


@dataclass(frozen=True)
class StatusCount:
    """Desa per verdict in one sub-area."""

    kode_wilayah: str
    status: str
    jumlah: int


@dataclass(frozen=True)
class FileIssue:
    """One finding of a file (``isu_validasi``)."""

    sha256_berkas: str
    aturan: str
    keparahan: str
    tingkat: int | None
    baris: int | None
    kolom: str | None
    pesan: str


@dataclass(frozen=True)
class QuarantinedRow:
    """A rejected row (``karantina_baris``) with its reasons (``RULE: message | RULE: message``)."""

    dataset: str
    kode_desa: str  # read by desa: never the NULL of a row without a code
    sha256_berkas: str
    baris: int
    alasan: str


@dataclass(frozen=True)
class FileRule:
    """A rule a file hit for one desa (or none), errors and warnings summed."""

    sha256_berkas: str
    kode_desa: str | None
    aturan: str
    keparahan: str
    jumlah: int


@dataclass(frozen=True)
class StoredRow:
    """A desa's stored row of one dataset: the file it came from (its provenance)."""

    dataset: str
    sha256_berkas: str
    baris_berkas: int
    diterima_pada: str


@dataclass(frozen=True)
class RuleCount:
    """A rule's findings in an area: how many, on how many desa, files and runs, at which ESS levels."""

    dataset: str
    aturan: str
    keparahan: str
    tingkat_min: int | None
    tingkat_max: int | None
    jumlah: int
    desa: int
    berkas: int
    run: int


@dataclass(frozen=True)
class RuleRunCount:
    """A rule's findings in one run."""

    dataset: str
    aturan: str
    keparahan: str
    run_id: str
    jumlah: int


@dataclass(frozen=True)
class RuleHit:
    """One (file, desa) a rule hit."""

    kode_desa: str | None
    dataset: str
    keparahan: str
    jumlah: int
    run_id: str
    sha256_berkas: str


@dataclass(frozen=True)
class IndicatorRow:
    """An area's indicator (``indikator``)."""

    tahun: int
    tingkat: str
    kode_wilayah: str
    indikator: str
    nama_wilayah: str
    nilai: float | None
    satuan: str
    desa_kontribusi: int
    desa_total: int


@dataclass(frozen=True)
class Delivery:
    """A child tier's package version as received (``pengiriman_paket``)."""

    tahun: int
    kode_pengirim: str
    versi: str
    diterima_pada: str
    status: str
    alasan: str | None
    kunci_arsip: str
    baris_komponen: int
    run_id: str | None
