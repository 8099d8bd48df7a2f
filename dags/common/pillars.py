"""Airflow wiring shared by the cycle DAGs: one task group per pillar, each task owned by its pillar.

Only wiring lives here; every task body is one call into ``desa_cantik.cycle`` (imported inside the
task, so parsing a DAG file never loads pandas or Great Expectations).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import get_current_context, task, task_group
from airflow.sdk.exceptions import AirflowSkipException

BPS = "bps-pembina-data"
KOMINFO = "diskominfo-walidata"
BAPPEDA = "bappeda-koordinator-data"
BAPPEDA_OWNER = BAPPEDA
TAGS = ["desa-cantik", "satu-data"]
DEFAULT_ARGS: dict[str, Any] = {
    "owner": KOMINFO,
    # a deployment retries infrastructure hiccups; the demo and tests set 0 to see failures at once
    "retries": int(os.environ.get("DESA_CANTIK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
}


UPSTREAM_CONN = "desa_cantik_hulu"


# the team's DAG policy in one place: both cycle DAGs take these
CYCLE_DAG_ARGS: dict[str, Any] = {
    "start_date": datetime(2025, 1, 1),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
}


def runtime() -> Any:
    from desa_cantik.cycle import Runtime

    return Runtime.from_env()


def upstream_store() -> Any:
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


@task(owner=BAPPEDA_OWNER, trigger_rule="none_failed")
def koreksi_publikasi() -> dict[str, Any]:
    """A child's package accepted after this tier published: recompute and republish (a correction run)."""
    from desa_cantik.cycle import coordinate, needs_correction, publish

    rt = runtime()
    if not needs_correction(rt):
        raise AirflowSkipException("tidak ada paket terlambat")
    counts = coordinate(rt)
    when = get_current_context()["dag_run"].run_after
    return {"indikator": counts, **publish(rt, when.isoformat(), upstream_store())}


@task(owner=KOMINFO)
def rencana_batch() -> list[dict[str, Any]]:
    """New inbox files, one batch per kecamatan (plus one for OPD and BPS files)."""
    from desa_cantik.cycle import plan_batches

    batches = plan_batches(runtime())
    print(f"{sum(len(b['objek']) for b in batches)} berkas baru dalam {len(batches)} batch")
    return batches


@task(owner=KOMINFO, map_index_template="{{ task.op_kwargs['batch']['kelompok'] }}")
def arsipkan(batch: dict[str, Any]) -> dict[str, Any]:
    from desa_cantik.cycle import collect_batch

    return collect_batch(runtime(), batch)


@task(owner=BPS, map_index_template="{{ task.op_kwargs['collected']['kelompok'] }}")
def gerbang_mutu(collected: dict[str, Any]) -> dict[str, Any]:
    from desa_cantik.cycle import validate_collected

    result = validate_collected(runtime(), collected, get_current_context()["run_id"])
    print(f"kelompok {result['kelompok']}: {result['status']}")
    return result


@task(owner=KOMINFO, map_index_template="{{ task.op_kwargs['validated']['kelompok'] }}")
def simpan_ke_gudang(validated: dict[str, Any]) -> dict[str, Any]:
    from desa_cantik.cycle import store_bundle

    return store_bundle(runtime(), validated)


def gate_submissions() -> Any:
    """collect (Kominfo) -> validate (BPS) -> store (Kominfo), mapped per batch; returns the last group."""

    @task_group(group_id="pengumpulan_kominfo", tooltip="Diskominfo (walidata) menerima dan mengarsipkan berkas")
    def pengumpulan() -> Any:
        return arsipkan.expand(batch=rencana_batch())

    @task_group(group_id="validasi_bps", tooltip="BPS (pembina data) menjalankan gerbang mutu")
    def validasi(collected: Any) -> Any:
        return gerbang_mutu.expand(collected=collected)

    @task_group(group_id="penyimpanan_kominfo", tooltip="Diskominfo (walidata) memuat data ke gudang")
    def penyimpanan(validated: Any) -> Any:
        return simpan_ke_gudang.expand(validated=validated)

    return penyimpanan(validasi(pengumpulan()))
