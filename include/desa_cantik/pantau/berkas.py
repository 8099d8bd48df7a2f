"""One checked file as the pages list it (a desa's files, an agency's, the file page), with the rules it hit and
the reasons a sender reads; and the file page itself with its Data Docs. Every file name and message passes
``pii.mask_text``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..findings import ERROR, WARNING
from ..kosakata import is_desa, status_label
from ..pii import mask_text
from ..regions import normalise_code, region_name
from ..storage import ObjectStore, Warehouse, layout
from ..storage.rows import FileRecord, FileRule


@dataclass(frozen=True)
class Alasan:
    """A reason a sender reads: the rule, its severity and the (masked) message."""

    aturan: str
    keparahan: str
    pesan: str


@dataclass(frozen=True)
class BerkasDiperiksa:
    """One checked file as the pages list it: the registry's row (its name masked) with what the gate found,
    and where it stands among its sender's files of the same dataset."""

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
    aturan: list[FileRule] = field(default_factory=list)  # the rules it hit, summed per rule
    alasan: list[Alasan] = field(default_factory=list)
    digantikan_oleh: str | None = None  # sha256 of the newer file of the same sender and dataset
    ke: int = 1  # the how-manieth file of this sender for this dataset
    dipakai: bool = False  # the desa's stored row came from this file

    @property
    def label(self) -> str:
        return status_label(self.status)


def berkas_diperiksa(row: FileRecord) -> BerkasDiperiksa:
    return BerkasDiperiksa(row.sha256, row.dataset, row.pengirim, mask_text(row.nama_berkas) or "",
                           row.diterima_pada, row.status, int(row.baris_dibaca), int(row.baris_diterima),
                           int(row.baris_ditolak), row.run_id or "")


def alasan_karantina(alasan: str) -> list[Alasan]:
    """A quarantined row's reasons (``RULE: message | RULE: message``) as findings."""
    out = []
    for part in alasan.split(" | "):
        rule, _, message = part.partition(": ")
        out.append(Alasan(rule, ERROR, mask_text(message or part) or ""))
    return out


def alasan_berkas(wh: Warehouse, shas: list[str]) -> dict[str, list[Alasan]]:
    """Each file's errors and warnings (errors first), by sha256."""
    found: dict[str, list[Alasan]] = defaultdict(list)
    for row in wh.issues_of_files(shas, (ERROR, WARNING)):
        found[row.sha256_berkas].append(Alasan(row.aturan, row.keparahan, mask_text(row.pesan) or ""))
    return {sha: sorted(rows, key=lambda a: a.keparahan != ERROR) for sha, rows in found.items()}


def nama_berkas(files: dict[str, FileRecord], sha: str) -> str:
    """A file's (masked) name, or the start of its sha256 when the registry does not have it."""
    f = files.get(sha)
    return (mask_text(f.nama_berkas) if f else None) or sha[:12]


def pengirim_berkas(files: dict[str, FileRecord], sha: str) -> str:
    f = files.get(sha)
    return f.pengirim if f else ""


# --- the file page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RincianBerkas:
    tahun: int
    berkas: BerkasDiperiksa
    kunci_arsip: str
    desa: list[tuple[str, str]]  # desa whose rows it holds or was judged for (code, name), for links


def rincian_berkas(wh: Warehouse, tahun: int, sha256: str) -> RincianBerkas | None:
    files = wh.files_by_sha([sha256])
    row = files.get(sha256)
    if row is None or int(row.tahun) != tahun:
        return None
    rules = wh.rules_of_files([sha256])
    reasons = alasan_berkas(wh, [sha256]).get(sha256, [])
    k = replace(berkas_diperiksa(row), aturan=rules, alasan=reasons[:50])
    sender = normalise_code(row.pengirim)
    desa = [(sender, region_name(sender))] if sender and is_desa(sender) else []
    return RincianBerkas(tahun, k, mask_text(row.kunci_arsip) or "", desa)


def data_docs_key(store: ObjectStore, tahun: int, run_id: str, pengirim: str, dataset: str) -> str | None:
    """The Data Docs page of the batch that judged a file: the batch is named after its kecamatan (or the
    first and last of several), agency and BPS files have their own."""
    from ..pengirim import batch_of

    kelompok = batch_of(pengirim)
    prefix = layout.data_docs_prefix(tahun, run_id)
    for obj in store.list(prefix):
        group = obj.key[len(prefix):].partition("/")[0]
        first, _, last = group.partition("_")
        if obj.key == layout.data_docs_key(tahun, run_id, group, dataset) and (
                group == kelompok or (last and first <= kelompok <= last)):
            return obj.key
    return None
