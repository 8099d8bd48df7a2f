"""Airflow wiring shared by the cycle DAGs: one task group per pillar, each task owned by its pillar.

Only wiring lives here; every task body is one call into a stage module of ``desa_cantik.cycle``
(imported inside the task, so parsing a DAG file never loads pandas or Great Expectations). Payloads
between tasks are the TypedDicts of ``desa_cantik.cycle.handoff``.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import TaskGroup, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from desa_cantik.cycle.handoff import Batch, Collected, Stored, Validated

if TYPE_CHECKING:
    from airflow.sdk import XComArg
    from airflow.sdk.definitions._internal.mixins import DependencyMixin

    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage import ObjectStore

BPS = "bps-pembina-data"
KOMINFO = "diskominfo-walidata"
BAPPEDA = "bappeda-koordinator-data"
TAGS = ["desa-cantik", "satu-data"]
DEFAULT_ARGS: dict[str, Any] = {
    "owner": KOMINFO,
    # a deployment retries infrastructure hiccups; the demo and tests set 0 to see failures at once
    "retries": int(os.environ.get("DESA_CANTIK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
    # nothing a sender does may hold a worker for long: a batch that overruns is failed and retried
    "execution_timeout": timedelta(minutes=30),
}
UPSTREAM_CONN = "desa_cantik_hulu"

# the team's DAG policy in one place: both cycle DAGs take these
CYCLE_DAG_ARGS: dict[str, Any] = {
    "start_date": datetime(2025, 1, 1),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
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


def run_time() -> datetime:
    ctx = get_current_context()
    when: datetime = ctx.get("logical_date") or ctx["dag_run"].run_after
    return when


@task.short_circuit(owner=KOMINFO)
def jendela_terbuka() -> bool:
    """Gate only while the Daftar Data's window is open (a kabupaten/kota); packages from below, any time."""
    from desa_cantik.cycle.inbox import window_open

    when = run_time()
    is_open = window_open(runtime(), when)
    print(f"{when.isoformat()}: jendela pengumpulan {'terbuka' if is_open else 'tertutup'}")
    return is_open


@task(owner=BAPPEDA, trigger_rule="none_failed", multiple_outputs=False)
def koreksi_publikasi() -> dict[str, Any]:
    """A child's package accepted after this tier published: recompute and republish (a correction run)."""
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publish import needs_correction, publish

    rt = runtime()
    if not needs_correction(rt):
        raise AirflowSkipException("tidak ada paket terlambat")
    counts = coordinate(rt)
    return {"indikator": counts, **publish(rt, get_current_context()["dag_run"].run_after.isoformat(), upstream_store())}


@task(owner=KOMINFO)
def rencana_batch() -> list[Batch]:
    """New inbox files, one batch per kecamatan (plus one for OPD and BPS files), or one per child package."""
    from desa_cantik.cycle.inbox import plan_batches

    batches = plan_batches(runtime())
    print(f"{sum(len(b['objek']) for b in batches)} berkas baru dalam {len(batches)} batch")
    return batches


@task(owner=KOMINFO, multiple_outputs=False, map_index_template="{{ task.op_kwargs['batch']['kelompok'] }}")
def arsipkan(batch: Batch) -> Collected:
    from desa_cantik.cycle.inbox import collect_batch

    return collect_batch(runtime(), batch)


@task(owner=BPS, multiple_outputs=False, map_index_template="{{ task.op_kwargs['collected']['kelompok'] }}")
def gerbang_mutu(collected: Collected) -> Validated:
    from desa_cantik.cycle.gate import validate_collected

    result = validate_collected(runtime(), collected, get_current_context()["run_id"])
    print(f"kelompok {result['kelompok']}: {result['status']}")
    return result


@task(owner=KOMINFO, multiple_outputs=False, map_index_template="{{ task.op_kwargs['validated']['kelompok'] }}")
def simpan_ke_gudang(validated: Validated) -> Stored:
    from desa_cantik.cycle.store import store_bundle

    return store_bundle(runtime(), validated)


def gate_submissions(after: DependencyMixin | None = None) -> XComArg:
    """collect (Kominfo) -> validate (BPS) -> store (Kominfo), mapped per batch; returns the stored output.

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
    with TaskGroup("penyimpanan_kominfo", tooltip="Diskominfo (walidata) memuat data ke gudang"):
        return simpan_ke_gudang.expand(validated=validated)
