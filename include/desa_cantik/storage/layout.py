"""The object-key layout of a tier's store, in one place (one bucket or folder per tier).

- ``masuk/{tahun}/{dataset}/{pengirim}/{berkas}``   inbox; pengirim = kode desa, kode OPD or ``BPS``
- ``masuk/{tahun}/paket/{kode}/{versi}/...``   a child tier's package (provinsi, pusat)
- ``arsip/{tahun}/{dataset}/{pengirim}/{waktu}-{sha}-{berkas}``   raw files, archived before parsing,
  with ``.laporan.json|.html|.txt`` beside each (the operator's feedback)
- ``arsip/{tahun}/paket/{kode}/{versi}/...``   every received package version
- ``karantina/{tahun}/{dataset}/{pengirim}/{arsip}.csv``   rejected rows with their reasons
- ``staging/{tahun}/{run}/{kelompok}/``   what the gate hands storage (see ``cycle.bundle``)
- ``data_docs/{tahun}/{run}/{kelompok}/{dataset}.html``   GX Data Docs of each gate run, with the batch's
  ``ringkasan.json`` (counts for the index) beside them and ``data_docs/{tahun}/{run}/index.html`` over all
- ``publikasi/{tahun}/{kode}/{versi}/`` and ``terbaru.json``   this tier's signed packages
- ``penutupan/{tahun}/{kode}/{run}.json``   which run is closing the year (its first task writes it; the yearly
  cycle closes a year once, see ``cycle.persetujuan.check_close``)
- ``pemulihan/{tahun}/waktu_terima.json``   after a restore (``desa_cantik.cadangan``): each restored inbox object's
  arrival time as first received, so the gate does not take restored files for new ones
- ``kiriman/{tahun}/{pengirim}/{id}.json``   an operator's submission through the *Kirim data* page (who,
  when, the pre-check's verdict, the inbox key if queued), with the file as sent under ``berkas/`` and the
  pre-check's report under ``laporan/`` (a rejected file is kept here and never queued)
- ``kabar/{tahun}/{kode}/persetujuan/{run}.json``   Bappeda's approval request while it waits (its start and
  time-out), for the last call before it times out (``kabar.jadwal``); removed when answered or timed out
- ``kabar/{tahun}/{kode}/jadwal/{jenis}/{tanggal}``   a scheduled notification kind planned that day (reminders,
  BPS's daily digest): the hourly gate's first task plans each once a day
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

INBOX = "masuk"
ARCHIVE = "arsip"
QUARANTINE = "karantina"
STAGING = "staging"
DATA_DOCS = "data_docs"
PUBLICATION = "publikasi"
PACKAGES = "paket"  # masuk/{tahun}/paket/{kode_pengirim}/{versi}/...
SUBMITTED = "kiriman"
CLOSING = "penutupan"
RESTORED = "pemulihan"
NEWS = "kabar"
UNKNOWN = "tidak_dikenal"
REPORT_FORMATS = ("json", "html", "txt")


def stamp(when: datetime) -> str:
    """Compact UTC time for keys and package versions: ``20260331T165900Z``."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


MAX_NAME = 96  # characters of a sender's file name kept in a key (the full name stays in the registry)


def safe_segment(text: str) -> str:
    """A run id or group name as one key segment (no slashes, no spaces)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def closing_claims(tahun: int, kode: str) -> str:
    """Prefix of the runs that began closing a year: ``penutupan/{tahun}/{kode}/``."""
    return f"{CLOSING}/{tahun}/{kode}/"


def closing_claim(tahun: int, kode: str, run_id: str) -> str:
    return f"{closing_claims(tahun, kode)}{safe_segment(run_id)}.json"


def safe_name(name: str, limit: int = MAX_NAME) -> str:
    """Any name a sender chose as one short key segment: safe characters, bounded length, extension kept.

    A 240-character name once failed a whole batch (``ENAMETOOLONG``); ``.`` and ``..`` never survive.
    """
    clean = safe_segment(name).strip(".") or "berkas"
    if len(clean) <= limit:
        return clean
    stem, dot, ext = clean.rpartition(".")
    ext = ext[:12] if dot and stem else ""
    return clean[: limit - len(ext) - 1].rstrip(".") + ("." + ext if ext else "")


class InboxKey(NamedTuple):
    dataset: str
    pengirim: str
    berkas: str


def inbox_prefix(tahun: int) -> str:
    return f"{INBOX}/{tahun}/"


def inbox_key(tahun: int, dataset: str, pengirim: str, berkas: str) -> str:
    return f"{INBOX}/{tahun}/{dataset}/{pengirim}/{berkas}"


def parse_inbox_key(key: str) -> InboxKey | None:
    """``masuk/{tahun}/{dataset}/{pengirim}/{berkas}`` -> its parts; None for a key outside the layout."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != INBOX or any(p in ("", ".", "..") for p in parts):
        return None
    return InboxKey(parts[2], parts[3], parts[4])


def archive_key(tahun: int, dataset: str, pengirim: str, received: datetime, sha256: str, berkas: str) -> str:
    """Unique per content and arrival; every segment bounded and safe whatever the sender named things."""
    return (f"{ARCHIVE}/{tahun}/{safe_name(dataset, 64)}/{safe_name(pengirim, 64)}/"
            f"{stamp(received)}-{sha256[:16]}-{safe_name(berkas)}")


def report_key(archived: str, fmt: str) -> str:
    """The operator's report beside an archived file (``json``, ``html`` or ``txt``)."""
    return f"{archived}.laporan.{fmt}"


def quarantine_key(tahun: int, dataset: str, pengirim: str, archived: str) -> str:
    return f"{QUARANTINE}/{tahun}/{safe_name(dataset, 64)}/{safe_name(pengirim, 64)}/{archived.rsplit('/', 1)[-1]}.csv"


def staging_prefix(tahun: int, run_id: str, kelompok: str) -> str:
    return f"{STAGING}/{tahun}/{safe_segment(run_id)}/{kelompok}"


def data_docs_prefix(tahun: int, run_id: str) -> str:
    return f"{DATA_DOCS}/{tahun}/{safe_segment(run_id)}/"


def data_docs_page(kelompok: str, dataset: str) -> str:
    """A batch's page of one dataset, relative to its run's prefix (and so to the run's index page)."""
    return f"{kelompok}/{dataset}.html"


def data_docs_key(tahun: int, run_id: str, kelompok: str, dataset: str) -> str:
    return data_docs_prefix(tahun, run_id) + data_docs_page(kelompok, dataset)


DATA_DOCS_INDEX = "index.html"
DATA_DOCS_SUMMARY = "ringkasan.json"

# Routes from a stored Data Docs page, relative to itself: the pages are served under ``/desa-cantik/datadocs/``
# exactly as keyed under ``data_docs/``, the assets under ``/desa-cantik/static/datadocs/``. Relative, so the links
# also hold when Airflow is served under a sub-path (``[api] base_url``).
DATA_DOCS_ASSETS_FROM_PAGE = "../../../../static/datadocs/"
DATA_DOCS_ASSETS_FROM_INDEX = "../../../static/datadocs/"
DATA_DOCS_INDEX_FROM_PAGE = "../" + DATA_DOCS_INDEX
FILE_PAGES_FROM_DATA_DOCS = "../../../../berkas/"  # the page of a stored file: ``berkas/{tahun}/{sha256}``


def data_docs_index_key(tahun: int, run_id: str) -> str:
    """The run's index page: every batch x dataset page of the run, linked relative to it."""
    return f"{data_docs_prefix(tahun, run_id)}{DATA_DOCS_INDEX}"


def data_docs_summary_key(tahun: int, run_id: str, kelompok: str) -> str:
    """A batch's page counts, which the index is rebuilt from (batches are gated by separate tasks)."""
    return f"{data_docs_prefix(tahun, run_id)}{kelompok}/{DATA_DOCS_SUMMARY}"


def package_inbox_prefix(tahun: int) -> str:
    return f"{INBOX}/{tahun}/{PACKAGES}/"


def package_inbox(tahun: int, kode: str, versi: str) -> str:
    return f"{INBOX}/{tahun}/{PACKAGES}/{kode}/{versi}"


def package_archive(tahun: int, kode: str, versi: str) -> str:
    return f"{ARCHIVE}/{tahun}/{PACKAGES}/{kode}/{versi}"


def package_archive_file(arsip: str, relatif: str) -> str:
    """A file of an archived package version (``arsip``: its ``package_archive``) by its path inside the bag."""
    return f"{arsip}/{relatif}"


def archive_prefix(tahun: int) -> str:
    return f"{ARCHIVE}/{tahun}/"


def publication_prefix(tahun: int, kode: str) -> str:
    return f"{PUBLICATION}/{tahun}/{kode}/"


def publication(tahun: int, kode: str, versi: str) -> str:
    return f"{PUBLICATION}/{tahun}/{kode}/{versi}"


def publication_manifest(tahun: int, kode: str, versi: str, manifest: str) -> str:
    """A published version's manifest (``publishing.MANIFEST``) under its ``data/``."""
    return f"{publication(tahun, kode, versi)}/data/{manifest}"


def publication_pointer(tahun: int, kode: str) -> str:
    """``terbaru.json``: which version is this tier's newest publication, and when it was published."""
    return f"{PUBLICATION}/{tahun}/{kode}/terbaru.json"


def restored_times(tahun: int) -> str:
    """The arrival times restored inbox objects had before the restore (``storage.objects.RestoredTimes``)."""
    return f"{RESTORED}/{tahun}/waktu_terima.json"


def submitted_prefix(tahun: int, pengirim: str = "") -> str:
    """Operators' submissions of a sender (``35.07.01.2001/``), or of every desa under a code (``35.07.01.``)."""
    return f"{SUBMITTED}/{tahun}/{pengirim}"


def submitted_record(tahun: int, pengirim: str, ident: str) -> str:
    return f"{SUBMITTED}/{tahun}/{safe_name(pengirim, 64)}/{safe_segment(ident)}.json"


def submitted_file(tahun: int, pengirim: str, ident: str, berkas: str) -> str:
    return f"{SUBMITTED}/{tahun}/{safe_name(pengirim, 64)}/berkas/{safe_segment(ident)}-{safe_name(berkas)}"


def submitted_report(tahun: int, pengirim: str, ident: str, fmt: str) -> str:
    return f"{SUBMITTED}/{tahun}/{safe_name(pengirim, 64)}/laporan/{safe_segment(ident)}.{fmt}"


def open_approvals(tahun: int, kode: str) -> str:
    """Prefix of Bappeda's approval requests still waiting: ``kabar/{tahun}/{kode}/persetujuan/``."""
    return f"{NEWS}/{tahun}/{kode}/persetujuan/"


def open_approval(tahun: int, kode: str, run_id: str) -> str:
    return f"{open_approvals(tahun, kode)}{safe_segment(run_id)}.json"


def planned_marker(tahun: int, kode: str, jenis: str, tanggal: str) -> str:
    """A scheduled notification kind planned on a day (``tanggal``: the tier's local date, ISO)."""
    return f"{NEWS}/{tahun}/{kode}/jadwal/{safe_segment(jenis)}/{safe_segment(tanggal)}"
