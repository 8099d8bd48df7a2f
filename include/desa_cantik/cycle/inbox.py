"""Stage 1, walidata (Diskominfo): find new files in the inbox, batch them, archive them byte for byte.

Work is batched per kecamatan (desa files) plus one batch for agency and BPS files, never one task per
desa. A file already checked (same inbox key and arrival time) is not planned again. The hourly gate's first
task asks ``hourly_decision`` whether its run has anything to do at all; the reader (``intake``) is imported
only by the task that archives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..pengirim import AGENCY_BATCH, batch_of, sender_problem
from ..storage import MinioStore, ObjectStore, RestoredTimes, get_many, layout, put_many
from .handoff import ARSIP, FILES, PACKAGE, RENCANA, ArchivedFile, Batch, Collected, CollectedFiles, FileBatch, InboxObject

if TYPE_CHECKING:
    from .runtime import Runtime

MAX_FILES_PER_BATCH = 250  # Malang (782 files): 4 batches instead of 34; a province's 17,000: about 70
MAX_BYTES_PER_BATCH = 64 * 1024 * 1024


def upload_folder(store: ObjectStore, folder: str | Path, tahun: int) -> int:
    """Put a folder laid out ``{dataset}/{pengirim}/{berkas}`` (as ``generate`` writes it) in the inbox."""
    root = Path(folder)
    items = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not rel.as_posix().startswith("_") and len(rel.parts) == 3:
            items.append((layout.inbox_key(tahun, *rel.parts), p.read_bytes()))
    return put_many(store, items)


def window_open(rt: Runtime, when: datetime) -> bool:
    """Whether the hourly gate works now: inside the Daftar Data's window, or always for packages from below."""
    return rt.tier.gates_any_time or rt.daftar.window_open(when)


EMPTY_INBOX = "kotak masuk kosong"


def hourly_decision(rt: Runtime, when: datetime) -> tuple[bool, str]:
    """Whether an hourly run goes on past its first task, and why, in one sentence for pillar staff.

    It goes on when the window is open (always above kabupaten) and the inbox holds new objects, or, with none,
    when a child's package accepted after this tier published still waits for its correction. Otherwise the run
    ends in its first task: nothing else starts, and nothing heavier than this plan is imported.
    """
    when = when.astimezone(ZoneInfo(rt.daftar.zona_waktu))  # staff read their own time (WIB, WITA, WIT)
    if not window_open(rt, when):
        return False, f"{when.isoformat()}: jendela pengumpulan tertutup; tidak ada yang diperiksa, run selesai di sini"
    batches = plan_batches(rt)
    if batches:
        files = sum(len(o) for o in map(objects_in, batches))
        return True, (f"{when.isoformat()}: {files} berkas baru dalam {len(batches)} batch: "
                      + ", ".join(b["kelompok"] for b in batches))
    if rt.tier.corrects_late_packages:
        from .publication import needs_correction

        if needs_correction(rt):
            return True, (f"{when.isoformat()}: {EMPTY_INBOX}, tetapi paket wilayah bawahan diterima setelah publikasi: "
                          "koreksi_publikasi berjalan")
    return False, (f"{when.isoformat()}: {EMPTY_INBOX}: tidak ada berkas baru sejak run terakhir; "
                   "run selesai di sini, tugas lain dilewati")


def upload_url(rt: Runtime, dataset: str, pengirim: str, nama_berkas: str, expires: timedelta = timedelta(hours=1),
               now: datetime | None = None) -> str:
    """A presigned upload for one file of one sender: the only key its holder can write.

    The key is made here (the sender's own folder, a safe name stamped with the time), so a holder cannot
    choose another desa's folder; a sender who may not send this dataset gets no URL at all.
    """
    problem = sender_problem(rt, dataset, pengirim)
    if problem:
        raise PermissionError(problem)
    if not isinstance(rt.store, MinioStore):
        raise NotImplementedError("unggahan langsung butuh penyimpanan S3/MinIO")
    key = layout.inbox_key(rt.tahun, dataset, pengirim,
                           f"{layout.stamp(now or datetime.now(UTC))}-{layout.safe_name(nama_berkas)}")
    return rt.store.presigned_upload(key, expires)


def objects_in(batch: Batch) -> list[InboxObject]:
    """A batch's inbox objects: its files, or every file of its packages."""
    if batch["jenis"] == PACKAGE:
        return [o for ref in batch["paket"] for o in ref["objek"]]
    return batch["objek"]


def plan_batches(rt: Runtime) -> list[Batch]:
    """New inbox objects since the last run, in batches (kecamatan files, or one child package each)."""
    return rt.tier.plan(rt)


def plan_file_batches(rt: Runtime) -> Iterator[FileBatch]:
    pending: dict[str, list[InboxObject]] = {}
    seen: dict[str, set[tuple[str, str]]] = {}
    restored = RestoredTimes.read(rt.store, rt.tahun)  # a restored inbox keeps the times its files arrived
    for obj in rt.store.list(layout.inbox_prefix(rt.tahun)):
        parsed = layout.parse_inbox_key(obj.key)
        dataset = parsed.dataset if parsed else layout.UNKNOWN
        if dataset not in seen:
            seen[dataset] = rt.warehouse.seen(dataset, rt.tahun)
        received = layout.iso(restored.received(obj))
        if (obj.key, received) in seen[dataset]:
            continue
        group = batch_of(parsed.pengirim) if parsed else AGENCY_BATCH
        pending.setdefault(group, []).append({"kunci": obj.key, "ukuran": obj.size, "diterima_pada": received})
    agency = pending.pop(AGENCY_BATCH, [])
    for kelompok, objs in pack_kecamatan(pending):
        yield {"versi_serah": RENCANA.tulis, "jenis": FILES, "kelompok": kelompok, "objek": objs}
    if agency:
        yield {"versi_serah": RENCANA.tulis, "jenis": FILES, "kelompok": AGENCY_BATCH, "objek": agency}


def pack_kecamatan(per_kecamatan: dict[str, list[InboxObject]], max_files: int = MAX_FILES_PER_BATCH,
                   max_bytes: int = MAX_BYTES_PER_BATCH) -> Iterator[tuple[str, list[InboxObject]]]:
    """Whole kecamatan packed into batches of bounded files and bytes, in code order.

    A GX run costs the same for 10 rows or 10,000, so fewer, larger batches win; a kecamatan is never split
    (its files are reported together), and the bound keeps several batches for parallel workers and one bad
    batch from holding up the whole region. A batch is named after its first and last kecamatan.
    """
    batch: list[str] = []
    files: list[InboxObject] = []
    size = 0
    for kec, objs in sorted(per_kecamatan.items()):
        more = sum(o["ukuran"] for o in objs)
        if batch and (len(files) + len(objs) > max_files or size + more > max_bytes):
            yield _batch_name(batch), files
            batch, files, size = [], [], 0
        batch.append(kec)
        files.extend(objs)
        size += more
    if batch:
        yield _batch_name(batch), files


def _batch_name(kecamatan: list[str]) -> str:
    return kecamatan[0] if len(kecamatan) == 1 else f"{kecamatan[0]}_{kecamatan[-1]}"


def collect_batch(rt: Runtime, batch: Batch) -> Collected:
    """Archive every new object of the batch, byte for byte, before anything parses it (the tier's policy: files,
    or a child's packages)."""
    return rt.tier.collect(rt, batch)


def collect_files(rt: Runtime, batch: FileBatch) -> CollectedFiles:
    from ..intake import Provenance  # the reader (calamine, PII scan): only where a file is archived

    objs = batch["objek"]
    datas = get_many(rt.store, [o["kunci"] for o in objs])
    archived: list[ArchivedFile] = []
    writes = []
    for o, data in zip(objs, datas, strict=True):
        received = datetime.fromisoformat(o["diterima_pada"])
        prov = Provenance.of(data, o["kunci"], received)
        parsed = layout.parse_inbox_key(o["kunci"]) or layout.InboxKey(layout.UNKNOWN, layout.UNKNOWN, prov.nama_berkas)
        key = layout.archive_key(rt.tahun, parsed.dataset, parsed.pengirim, received, prov.sha256, parsed.berkas)
        writes.append((key, data))
        archived.append({"kunci_masuk": o["kunci"], "kunci_arsip": key, "sha256": prov.sha256, "ukuran": prov.ukuran,
                         "diterima_pada": layout.iso(received), "dataset": parsed.dataset, "pengirim": parsed.pengirim,
                         "nama_berkas": parsed.berkas})
    put_many(rt.store, writes)
    return {"versi_serah": ARSIP.tulis, "jenis": FILES, "kelompok": batch["kelompok"], "berkas": archived}
