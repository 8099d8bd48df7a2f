"""Airflow wiring shared by the cycle DAGs: one task group per pillar, each task owned by its pillar.

Only wiring lives here; every task body is one call into ``desa_cantik.cycle`` (imported inside the
task, so parsing a DAG file never loads pandas or Great Expectations).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.sdk import get_current_context, task, task_group

BPS = "bps-pembina-data"
KOMINFO = "diskominfo-walidata"
BAPPEDA = "bappeda-koordinator-data"
TAGS = ["desa-cantik", "satu-data"]
DEFAULT_ARGS: dict[str, Any] = {
    "owner": KOMINFO,
    # a deployment retries infrastructure hiccups; the demo and tests set 0 to see failures at once
    "retries": int(os.environ.get("DESA_CANTIK_RETRIES", "2")),
    "retry_delay": timedelta(minutes=5),
}


def runtime() -> Any:
    from desa_cantik.cycle import Runtime

    return Runtime.from_env()


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
