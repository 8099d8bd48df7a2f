"""Bappeda's approval through Airflow's REST API, on the yearly DAG run by ``airflow dags test`` (one kecamatan,
embedded tier): only Bappeda may answer; "Tolak" needs a reason, skips publishing and is recorded; "Setujui"
publishes and is recorded too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.storage import layout

from .airflow_server import AirflowServer, airflow_api_server, dags_test_answering, finish, start_dags_test, wait_for_hitl
from .conftest import SMALL_REGION, TAHUN

pytestmark = pytest.mark.airflow
CYCLE = "desa_cantik_siklus_tahunan"
DEADLINE = "2026-03-31T23:59:00+07:00"
LATER = "2026-04-01T06:00:00+07:00"
REASON = "Cakupan kesehatan_anak belum cukup; tunggu kiriman ulang Dinkes."


@pytest.fixture(scope="module")
def tier(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Iterator[tuple[AirflowServer, Runtime]]:
    """One kecamatan as an embedded tier (SQLite + folder), its inbox filled, an api-server on its metadata DB."""
    home = tmp_path_factory.mktemp("persetujuan")
    env = {"DESA_CANTIK_HOME": str(home / "desa_cantik"), "DESA_CANTIK_WILAYAH": SMALL_REGION, "DESA_CANTIK_RETRIES": "0"}
    rt = Runtime.from_env(env)
    upload_folder(rt.store, str(small_generated), TAHUN)
    subprocess.run([sys.executable, "-m", "desa_cantik", "keygen"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    with airflow_api_server(home / "airflow", env, reserialize=False) as server:
        yield server, rt


def _decisions(rt: Runtime) -> list[dict[str, object]]:
    return [json.loads(rt.store.get(o.key)) for o in rt.store.list(f"persetujuan/{TAHUN}/{SMALL_REGION}/")]


def _states(server: AirflowServer, run_id: str) -> dict[str, str]:
    r = server.get(f"/api/v2/dags/{CYCLE}/dagRuns/{run_id}/taskInstances", "auditor", params={"limit": 100})
    r.raise_for_status()
    return {t["task_id"]: t["state"] for t in r.json()["task_instances"]}


def test_reject_needs_a_reason_skips_publishing_and_is_recorded(tier: tuple[AirflowServer, Runtime]) -> None:
    server, rt = tier
    log = server.home / "tolak.log"
    proc = start_dags_test(server.env, CYCLE, DEADLINE, log)
    try:
        detail = wait_for_hitl(server, CYCLE, proc)
        assert detail["options"] == ["Setujui", "Tolak"] and detail["defaults"] == ["Tolak"]
        assert "Persetujuan Bappeda" in detail["subject"]
        for part in ("### Cakupan data", "### Indikator", "### Temuan yang masih terbuka", "jumlah_penduduk"):
            assert part in detail["body"], part
        # only Bappeda answers: the other roles are refused by the REST API itself
        for user in ("bps", "diskominfo", "auditor"):
            r = server.answer_hitl(detail, "Setujui", {"alasan": "bukan hak saya"}, user)
            assert r.status_code == 403, (user, r.status_code, r.text)
        # a rejection without its reason is asked again
        assert server.answer_hitl(detail, "Tolak", {"alasan": "  "}).status_code == 200
        again = wait_for_hitl(server, CYCLE, proc)
        assert again["task_instance"]["dag_run_id"] == detail["task_instance"]["dag_run_id"]
        assert server.answer_hitl(again, "Tolak", {"alasan": REASON}).status_code == 200
        finish(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
    run_id = detail["task_instance"]["dag_run_id"]
    states = _states(server, run_id)
    assert states["persetujuan_bappeda"] == "success"
    assert states["susun_paket"] == "skipped"
    assert states["catat_penolakan"] == "success"
    assert states["ringkasan"] == "success"
    assert not rt.store.exists(layout.publication_pointer(TAHUN, SMALL_REGION)), "nothing published"
    [decision] = _decisions(rt)
    assert decision["keputusan"] == "ditolak" and decision["oleh"] == "bappeda" and decision["alasan"] == REASON
    assert decision["run_id"] == run_id and decision["batas_waktu_habis"] is False


def test_approve_publishes_and_is_recorded(tier: tuple[AirflowServer, Runtime]) -> None:
    server, rt = tier
    # the year was closed by the rejection above: closing it again takes a correction run, with its reason
    dags_test_answering(server, CYCLE, LATER, pilihan="Setujui", params={"alasan": "Cakupan cukup, terbitkan."},
                        conf={"koreksi": True, "alasan_koreksi": "Kiriman ulang Dinkes sudah masuk."})
    assert rt.store.exists(layout.publication_pointer(TAHUN, SMALL_REGION)), "the package is published"
    approved = [d for d in _decisions(rt) if d["keputusan"] == "disetujui"]
    assert len(approved) == 1 and approved[0]["oleh"] == "bappeda" and approved[0]["alasan"] == "Cakupan cukup, terbitkan."
    assert approved[0]["koreksi"] == "Kiriman ulang Dinkes sudah masuk."
    runs = server.get(f"/api/v2/dags/{CYCLE}/dagRuns", "auditor", params={"order_by": "-run_after"}).json()["dag_runs"]
    states = _states(server, runs[0]["dag_run_id"])
    assert states["susun_paket"] == "success" and states["catat_penolakan"] == "skipped"
    # answered once: a second answer is refused (409), whoever sends it
    hitl = server.get(f"/api/v2/dags/{CYCLE}/dagRuns/{runs[0]['dag_run_id']}/hitlDetails", "auditor").json()
    [detail] = hitl["hitl_details"]
    assert detail["responded_by_user"]["name"] == "bappeda" and detail["chosen_options"] == ["Setujui"]
    assert server.answer_hitl(detail, "Tolak", {"alasan": "terlambat"}).status_code == 409
