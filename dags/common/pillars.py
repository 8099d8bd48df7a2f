"""Airflow wiring shared by the cycle DAGs: one task group per pillar, each task owned by its pillar.

Only wiring lives here; every task body is one call into a stage module of ``desa_cantik.cycle``
(imported inside the task, so parsing a DAG file never loads pandas or Great Expectations). Payloads
between tasks are the TypedDicts of ``desa_cantik.cycle.handoff``. What staff read in a task log is
logged at INFO through ``logging`` (Airflow's task log), as tables and lists from ``cycle.cerita``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict, cast

from airflow.sdk import TaskGroup, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from common.kabar import KabarTugasGagal
from desa_cantik.cycle.handoff import (
    ARSIP,
    RENCANA,
    VALIDASI,
    Batch,
    Collected,
    Corrected,
    SerahTidakTerbaca,
    Stored,
    Validated,
    Versi,
    periksa_serah,
)

if TYPE_CHECKING:
    from airflow.sdk import XComArg
    from airflow.sdk.definitions._internal.mixins import DependencyMixin

    from desa_cantik.cycle.cerita import Rejections
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.cycle.summary import RunSummary
    from desa_cantik.storage import ObjectStore

log = logging.getLogger("desa_cantik.siklus")

BPS = "bps-pembina-data"
KOMINFO = "diskominfo-walidata"
BAPPEDA = "bappeda-koordinator-data"
TAGS = ["desa-cantik", "satu-data"]


class DefaultArgs(TypedDict):
    """The operator arguments every task of the cycle DAGs takes (a DAG's ``default_args``)."""

    owner: str
    retries: int
    retry_delay: timedelta
    execution_timeout: timedelta
    show_return_value_in_logs: bool
    on_failure_callback: KabarTugasGagal


class PerBatch(TypedDict):
    multiple_outputs: bool
    show_return_value_in_logs: bool


class CycleDagArgs(TypedDict):
    start_date: datetime
    catchup: bool
    max_active_runs: int
    default_args: dict[str, object]  # Airflow's own type: an open mapping of operator arguments


DEFAULT_ARGS: DefaultArgs = {
    "owner": KOMINFO,
    # a deployment retries infrastructure hiccups; the demo and tests set 0 to see failures at once
    "retries": int(os.environ.get("DESA_CANTIK_RETRIES", "2")),
    "retry_delay": timedelta(seconds=int(os.environ.get("DESA_CANTIK_RETRY_DELAY_S", "300"))),
    # nothing a sender does may hold a worker for long: a batch that overruns is failed and retried
    "execution_timeout": timedelta(minutes=30),
    # a returned batch lists every file name as sent (a hostile name may hold a NIK) and is long: the log has the
    # readable table instead, the value stays in the XCom tab
    "show_return_value_in_logs": False,
    # Diskominfo and Admin hear of a task that failed after its last retry (config/kabar.yaml: tugas_gagal)
    "on_failure_callback": KabarTugasGagal(),
}
UPSTREAM_CONN = "desa_cantik_hulu"
# a mapped task's arguments: one TypedDict per batch (no multiple outputs), and no return value in its log
# (mapped tasks do not take show_return_value_in_logs from default_args)
PER_BATCH: PerBatch = {"multiple_outputs": False, "show_return_value_in_logs": False}

# both DAGs' triage notes (doc_md) on reading a run: for pillar staff, so pages and logs, never SQL
READING_A_RUN = """
- **Di mana melihat apa**: menu **Desa Cantik** di UI. *Pantau siklus* (`/desa-cantik/pantau`): per kecamatan dan
  desa, siapa sudah mengirim, ditolak, atau belum, dengan laporan tiap berkas. *Temuan* (`/desa-cantik/temuan`): aturan
  yang dilanggar. *Indikator* (`/desa-cantik/indikator`): nilai dan cakupan. *Paket* (`/desa-cantik/paket`).
- **`validasi_bps.tinjau_penolakan` hijau (success)**: batch itu punya berkas ditolak; namanya menyebut jumlahnya
  (mis. `35.07.01_35.07.09 · 7 ditolak`) dan tab **Log** berisi desa, berkas, dan aturan yang harus diperbaiki.
  **Dilewati (skipped)**: semua berkas batch itu lolos. Berkas buruk tidak pernah membuat run gagal; tahap
  berikutnya tetap berjalan. Di provinsi/pusat satu batch memuat beberapa paket wilayah bawahan (namanya
  `paket-{kode}-{versi}_{kode}-{versi}`: paket pertama dan terakhir); log `tinjau_penolakan` menyebut tiap paket yang
  ditolak dan alasannya, dan halaman *Paket* menampilkan kiriman tiap wilayah.
- **Log `validasi_bps.gerbang_mutu`**: tabel per kecamatan: desa, berkas, dataset, putusan, aturan yang dilanggar.
- **Log `ringkasan`** (tugas terakhir): langkah berikut tiap pilar: BPS (kecamatan dan desa yang perlu dibina,
  aturan terbanyak), Diskominfo (berkas ditolak, yang belum mengirim, paket ditolak), Bappeda (indikator dengan
  cakupan rendah, persetujuan paket).
"""

# the team's DAG policy in one place: both cycle DAGs take these
CYCLE_DAG_ARGS: CycleDagArgs = {
    "start_date": datetime(2025, 1, 1),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": dict(DEFAULT_ARGS),
}


def runtime() -> Runtime:
    """The stages' runtime; the warehouse and store passwords are registered with Airflow's log masker first."""
    from airflow.sdk.log import mask_secret

    from desa_cantik.config import Settings
    from desa_cantik.cycle.runtime import Runtime

    for secret in Settings.from_env().secrets():  # before connecting: a connection error may print its URL
        mask_secret(secret)
    return Runtime.from_env()


def upstream_store() -> ObjectStore | None:
    """The next tier's object store, from the Airflow connection ``desa_cantik_hulu`` (none: top tier).

    Connection: host/port of the S3 or MinIO endpoint, login/password the access keys, extra
    ``{"bucket": "...", "secure": false}``. Credentials never live in code or in the DAG.
    """
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(UPSTREAM_CONN)
    except AirflowNotFoundException:
        return None
    from desa_cantik.storage import MinioStore

    extra = conn.extra_dejson
    return MinioStore(f"{conn.host}:{conn.port or 9000}", conn.login or "", conn.password or "", extra["bucket"],
                      secure=bool(extra.get("secure", False)), region=extra.get("region"))


def diterima(payload: Mapping[str, object] | None, versi: Versi, nama: str) -> None:
    """What the task before handed on, as this release reads it. A payload in a shape this release does not read
    (a new release deployed between the two tasks) fails this task at once, without retries, its log saying to run
    the run again from its first task; a retry could only read the same payload again."""
    from airflow.sdk.exceptions import AirflowFailException

    if payload is None:
        return
    dag = get_current_context().get("dag")
    first = ", ".join(sorted(t.task_id for t in dag.roots)) if dag is not None else ""
    try:
        periksa_serah(payload, versi, nama, first)
    except SerahTidakTerbaca as exc:
        log.error("%s", exc)
        raise AirflowFailException(str(exc)) from None


def run_time() -> datetime:
    ctx = get_current_context()
    when: datetime = ctx.get("logical_date") or ctx["dag_run"].run_after
    return when


@task.short_circuit(owner=KOMINFO)
def jendela_terbuka() -> bool:
    """The hourly run's first task decides: window open and something new in the inbox (or a correction due).

    If not, the run ends here and every other task is skipped (short circuit, whatever their trigger rule); its
    log says why: "jendela pengumpulan tertutup" or "kotak masuk kosong". Only the plan's modules are imported.
    It also plans the scheduled notifications (reminders, BPS's daily digest, Bappeda's last call: a few
    milliseconds when none is due) and, when the run ends here, sends whatever waits in the outbox itself.
    """
    from common.kabar import drain, kabar_terjadwal
    from desa_cantik.cycle.inbox import hourly_decision

    rt, when = runtime(), run_time()
    go_on, why = hourly_decision(rt, when)
    log.info("%s", why)
    kabar_terjadwal(rt, when)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    if not go_on and (due := rt.warehouse.count_due_kabar(now)):
        log.info("%d kabar menunggu dikirim (terjadwal, atau kanal sempat mati): dikirim dari tugas ini", due)
        drain(rt)  # never raises: a channel still down leaves them waiting for the next hour
    return go_on


@task(owner=BAPPEDA, trigger_rule="none_failed", multiple_outputs=False)
def koreksi_publikasi() -> Corrected:
    """A child's package accepted after this tier published: recompute and republish (a correction run)."""
    rt = runtime()  # only a province's or the centre's hourly DAG has this task (desa_cantik_gerbang_masuk.py)
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publication import needs_correction
    from desa_cantik.cycle.publish import publish

    if not needs_correction(rt):
        raise AirflowSkipException("tidak ada paket terlambat")
    counts = coordinate(rt)
    published = publish(rt, get_current_context()["dag_run"].run_after.isoformat(), upstream_store())
    if published["status"] == "menunggu":  # never without wait_for_all; the type says each variant apart
        return {"indikator": counts, **published}
    return {"indikator": counts, **published}


@task(owner=KOMINFO)
def rencana_batch() -> list[Batch]:
    """New inbox files in batches of whole kecamatan (plus one for OPD and BPS files), or child packages, several
    to a batch."""
    from desa_cantik.cycle.inbox import objects_in, plan_batches

    batches = plan_batches(runtime())
    log.info("%d berkas baru dalam %d batch: %s", sum(len(objects_in(b)) for b in batches), len(batches),
             ", ".join(b["kelompok"] for b in batches) or "-")
    return batches


@task(owner=KOMINFO, **PER_BATCH, map_index_template="{{ task.op_kwargs['batch']['kelompok'] }}")
def arsipkan(batch: Batch) -> Collected:
    diterima(batch, RENCANA, "rencana_batch")
    from desa_cantik.cycle.inbox import collect_batch

    return collect_batch(runtime(), batch)


def _name_suffix(rejected: int) -> None:
    """Append "· N ditolak" to the mapped instance's name (map_index_template is rendered after the task)."""
    # a template variable of the task's own: Airflow's Context (a TypedDict) does not list it
    cast("dict[str, Any]", get_current_context())["ditolak"] = f" · {rejected} ditolak" if rejected else ""


# the batch's name, then (once run) how many of its files were rejected: the grid lists mapped instances by it
NAME_WITH_REJECTED = "{{{{ task.op_kwargs['{arg}']['kelompok'] }}}}{{{{ ditolak | default('') }}}}"


# the GX gate on its own Celery queue: a deployment sizes its concurrency apart from the light tasks
@task(owner=BPS, **PER_BATCH, queue="gerbang", map_index_template=NAME_WITH_REJECTED.format(arg="collected"))
def gerbang_mutu(collected: Collected) -> Validated:
    """The gate on one batch; its log is the per-kecamatan table of verdicts (``cycle.cerita.gate_table``)."""
    diterima(collected, ARSIP, "arsipkan")
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.findings import DITOLAK

    result = validate_collected(runtime(), collected, get_current_context()["run_id"])
    _name_suffix(result["status"].get(DITOLAK, 0))
    return result


@task(owner=BPS, **PER_BATCH, map_index_template=NAME_WITH_REJECTED.format(arg="validated"))
def tinjau_penolakan(validated: Validated) -> Rejections:
    """Makes a batch with rejected files visible in the grid: skipped when none was, success when some were.

    Senders' bad files are not a failure of the run: failed means the server (alerts, retries, a red run), and
    a task cannot set a custom state or a note in Airflow 3.3. So the signal is this leaf task's skipped vs
    success (nothing downstream depends on it), its name counts the rejected files, its log says what to fix.
    """
    from desa_cantik.findings import DITOLAK

    diterima(validated, VALIDASI, "gerbang_mutu")
    if not validated["status"].get(DITOLAK, 0):  # decided before the gate's modules are imported (~1 s)
        raise AirflowSkipException(f"kelompok {validated['kelompok']}: tidak ada berkas ditolak")
    from desa_cantik.cycle.cerita import format_rejections
    from desa_cantik.cycle.gate import rejections

    result = rejections(runtime(), validated)
    _name_suffix(result["berkas_ditolak"])
    log.info("%s", format_rejections(result))
    return result


@task(owner=KOMINFO, **PER_BATCH, map_index_template="{{ task.op_kwargs['validated']['kelompok'] }}")
def simpan_ke_gudang(validated: Validated) -> Stored:
    diterima(validated, VALIDASI, "gerbang_mutu")
    from desa_cantik.cycle.store import store_bundle

    return store_bundle(runtime(), validated)


class Gate(NamedTuple):
    """The gate groups' outputs for the tasks after them (XComArgs while the DAG is built)."""

    rencana: list[Batch]  # the planned batches (``rencana_batch``), typed as a task taking it receives them
    disimpan: XComArg  # what each batch stored (``simpan_ke_gudang``, mapped)


def gate_groups(after: DependencyMixin | None = None) -> Gate:
    """collect (Kominfo) -> validate (BPS) -> store (Kominfo), mapped per batch; returns the plan and the stored output.

    ``after`` is wired to the first task (planning), so whatever it guards guards every task of the three
    groups (``a >> group()`` would only reach the last group).
    """
    with TaskGroup("pengumpulan_kominfo", tooltip="Diskominfo (walidata) menerima dan mengarsipkan berkas"):
        plan = rencana_batch()
        if after is not None:
            after >> plan
        collected = arsipkan.expand(batch=plan)
    with TaskGroup("validasi_bps", tooltip="BPS (pembina data) menjalankan gerbang mutu"):
        validated = gerbang_mutu.expand(collected=collected)
        tinjau_penolakan.expand(validated=validated)
    with TaskGroup("penyimpanan_kominfo", tooltip="Diskominfo (walidata) memuat data ke gudang"):
        return Gate(cast("list[Batch]", plan), simpan_ke_gudang.expand(validated=validated))


def gate_submissions(after: DependencyMixin | None = None) -> XComArg:
    """The three groups of ``gate_groups``; returns the stored output."""
    return gate_groups(after).disimpan


@task(owner=KOMINFO, trigger_rule="none_failed", multiple_outputs=False)
def ringkasan(rencana: list[Batch] | None = None) -> RunSummary:
    """The run's last task in both DAGs: counts per dataset and what each pillar must do next, logged as text.

    Given the run's plan (the hourly DAG), a run that gated nothing (only a correction) is skipped before anything
    is imported or read: the summary reads the whole warehouse (at pusat, every indicator row).
    """
    if rencana is not None and not rencana:
        raise AirflowSkipException("tidak ada berkas baru yang diperiksa pada run ini: ringkasan tidak disusun")
    from desa_cantik.cycle.summary import format_summary, summary

    s = summary(runtime())
    log.info("%s", format_summary(s))
    return s


@task(owner=KOMINFO, trigger_rule="all_done")
def kirim_kabar() -> str:
    """The run's notifications (the gate's verdicts, anything waiting), sent after every other task, whatever their
    state: a failed stage still lets the verdicts stored before it be heard. Green even when a channel is down
    (``dags/common/kabar.py``): the outbox waits for the next drain."""
    from common.kabar import drain

    hasil = drain(runtime())
    return hasil.teks() if hasil is not None else "kabar: gagal, lihat log"
