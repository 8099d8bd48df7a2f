"""A year is closed once: a later run of the same year is refused at its first task (``periksa_penutupan``) with the
reason in Indonesian, unless it is a correction run (run parameters ``koreksi`` and ``alasan_koreksi``).

The unit tests ask ``check_close`` directly; the Airflow test does what the docker README's walkthrough once said,
on a fresh deployment after the deadline, with a real api-server and scheduler: Diskominfo triggers the yearly
cycle (logical date now) and unpauses it, the scheduler creates the run for the deadline at once, and only one of
the two runs closes the year and asks Bappeda; everything is read back over the REST API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.persetujuan import (
    PenutupanDitolak,
    check_close,
    closing_text,
    decision_from_event,
    record_decision,
)
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.storage import layout

from .airflow_server import AirflowServer, airflow_api_server, airflow_scheduler
from .conftest import SMALL_REGION, TAHUN

CYCLE = "desa_cantik_siklus_tahunan"
FIRST = "scheduled__2026-03-31T16:59:00+00:00"


def _approved(rt: Runtime, run_id: str, pada: str = "2026-04-01T02:00:00+00:00") -> None:
    record_decision(rt, decision_from_event({"chosen_options": ["Setujui"], "params_input": {"alasan": "cukup"},
                                             "responded_at": datetime.fromisoformat(pada),
                                             "responded_by_user": {"name": "bappeda"}}, run_id))


def test_the_first_close_and_a_rerun_of_the_same_run_go_on(tmp_path: Path) -> None:
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": SMALL_REGION})
    first = check_close(rt, FIRST, False, "")
    assert first["koreksi"] is False and "belum pernah ditutup" in closing_text(first)
    _approved(rt, FIRST)
    assert check_close(rt, FIRST, False, "")["koreksi"] is False  # the same run cleared and run again


def test_a_second_close_of_the_year_is_refused_with_what_to_do(tmp_path: Path) -> None:
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": SMALL_REGION})
    _approved(rt, FIRST)
    with pytest.raises(PenutupanDitolak) as refused:
        check_close(rt, "manual__2026-12-07T00:00:00+00:00", False, "")
    text = str(refused.value)
    for part in (f"Siklus {TAHUN} sudah ditutup oleh run {FIRST}", "DISETUJUI oleh bappeda", "tidak diubah",
                 "'koreksi' dicentang", "'alasan_koreksi' diisi", "jalankan ulang (clear)"):
        assert part in text, part
    with pytest.raises(PenutupanDitolak, match="Run koreksi tanpa alasan"):
        check_close(rt, "manual__2", True, "   ")


def test_a_run_that_began_closing_holds_the_year_until_it_is_cleared(tmp_path: Path) -> None:
    """The first run passed its first task and then failed (or still waits for Bappeda): no decision is recorded,
    yet a second run is refused, naming the first and saying to clear it; the first, cleared, goes on."""
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": SMALL_REGION})
    assert check_close(rt, FIRST, False, "")["koreksi"] is False
    with pytest.raises(PenutupanDitolak) as refused:
        check_close(rt, "manual__2026-12-07T00:00:00+00:00", False, "")
    text = str(refused.value)
    for part in (f"Siklus {TAHUN} sedang ditutup oleh run {FIRST}", "belum mendapat keputusan Bappeda",
                 f"Bila run {FIRST} gagal, jangan memicu run baru: jalankan ulang (clear)", "'koreksi' dicentang"):
        assert part in text, part
    assert [o.key for o in rt.store.list(layout.closing_claims(TAHUN, SMALL_REGION))] == [
        layout.closing_claim(TAHUN, SMALL_REGION, FIRST)]  # the refused run claimed nothing
    assert check_close(rt, FIRST, False, "")["koreksi"] is False  # cleared: the same run goes on
    p = check_close(rt, "manual__koreksi", True, "run pertama tidak dapat dilanjutkan")
    assert p["koreksi"] and p["run_sebelumnya"] == FIRST and "belum ada keputusan Bappeda" in p["sebelumnya"]


def test_a_correction_run_says_what_it_replaces_and_why(tmp_path: Path) -> None:
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": SMALL_REGION})
    _approved(rt, FIRST)
    p = check_close(rt, "manual__koreksi", True, " Berkas perbaikan 3 desa Donomulyo ")
    assert p["koreksi"] and p["run_sebelumnya"] == FIRST and p["alasan_koreksi"] == "Berkas perbaikan 3 desa Donomulyo"
    text = closing_text(p)
    assert text.startswith(f"KOREKSI siklus {TAHUN}") and "paket versi baru" in text and "Berkas perbaikan" in text


# --- through Airflow: trigger, unpause, the scheduler -----------------------------------------------------


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory, small_generated: Path
              ) -> Iterator[tuple[AirflowServer, Runtime]]:
    """One kecamatan as an embedded tier, its inbox filled; an api-server and a scheduler on its metadata DB."""
    home = tmp_path_factory.mktemp("penutupan")
    env = {"DESA_CANTIK_HOME": str(home / "desa_cantik"), "DESA_CANTIK_WILAYAH": SMALL_REGION,
           "DESA_CANTIK_RETRIES": "1", "DESA_CANTIK_RETRY_DELAY_S": "5", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}  # task logs as a deployment keeps them (INFO lines)
    rt = Runtime.from_env(env)
    upload_folder(rt.store, str(small_generated), TAHUN)
    subprocess.run([sys.executable, "-m", "desa_cantik", "keygen"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    with airflow_api_server(home / "airflow", env) as server, airflow_scheduler(server):
        yield server, rt


def _api(server: AirflowServer, method: str, path: str, user: str, **kw: Any) -> Any:
    r = server.request(method, f"/api/v2{path}", user, **kw)
    assert r.status_code < 300, f"{method} {path} as {user}: {r.status_code} {r.text[:500]}"
    return r.json()


def _runs(server: AirflowServer) -> list[dict[str, Any]]:
    return list(_api(server, "GET", f"/dags/{CYCLE}/dagRuns", "auditor", params={"order_by": "run_after"})["dag_runs"])


def _states(server: AirflowServer, run_id: str) -> dict[str, str]:
    tis = _api(server, "GET", f"/dags/{CYCLE}/dagRuns/{run_id}/taskInstances", "auditor", params={"limit": 500})
    return {t["task_id"]: t["state"] for t in tis["task_instances"]}


def _log(server: AirflowServer, run_id: str, task_id: str) -> str:
    """A task's log as a user reads it (REST API): its lines' events."""
    body = _api(server, "GET", f"/dags/{CYCLE}/dagRuns/{run_id}/taskInstances/{task_id}/logs/1", "auditor",
                headers={"Accept": "application/json"})
    return "\n".join(str(e.get("event", e)) if isinstance(e, dict) else str(e) for e in body.get("content", []))


def _hitl(server: AirflowServer) -> list[dict[str, Any]]:
    """Every approval request of the DAG, answered or not."""
    return list(_api(server, "GET", f"/dags/{CYCLE}/dagRuns/~/hitlDetails", "bappeda")["hitl_details"])


def _until_done(server: AirflowServer, count: int, answer: str = "Setujui", timeout: float = 900
                ) -> list[dict[str, Any]]:
    """Answer every approval request as Bappeda until ``count`` runs exist and all of them have ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for detail in server.pending_hitl(CYCLE):
            r = server.answer_hitl(detail, answer, {"alasan": "uji penutupan sekali"})
            assert r.status_code in (200, 409), r.text
        runs = _runs(server)
        if len(runs) >= count and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        time.sleep(2)
    raise AssertionError(f"runs did not end in {timeout:.0f} s: {[(r['dag_run_id'], r['state']) for r in _runs(server)]}; "
                         f"log: {server.home / 'scheduler.log'}")


def _decisions(rt: Runtime) -> list[dict[str, Any]]:
    return [json.loads(rt.store.get(o.key)) for o in rt.store.list(f"persetujuan/{TAHUN}/{SMALL_REGION}/")]


@pytest.mark.airflow
def test_trigger_then_unpause_closes_the_year_once(scheduled: tuple[AirflowServer, Runtime]) -> None:
    server, rt = scheduled
    # the trigger form shows the correction parameters (off by default)
    params = _api(server, "GET", f"/dags/{CYCLE}/details", "diskominfo")["params"]
    assert params["koreksi"]["value"] is False and "alasan_koreksi" in params, params
    # ▶ with the logical date now, then unpause: the scheduler adds the run for the deadline at once
    manual = _api(server, "POST", f"/dags/{CYCLE}/dagRuns", "diskominfo",
                  json={"logical_date": datetime.now(UTC).isoformat(), "conf": {}})["dag_run_id"]
    _api(server, "PATCH", f"/dags/{CYCLE}", "diskominfo", json={"is_paused": False})
    runs = _until_done(server, 2)
    assert len(runs) == 2 and {r["run_type"] for r in runs} == {"manual", "scheduled"}, runs
    assert manual in {r["dag_run_id"] for r in runs}
    closed = [r for r in runs if r["state"] == "success"]
    refused = [r for r in runs if r["state"] == "failed"]
    assert len(closed) == 1 and len(refused) == 1, [(r["dag_run_id"], r["state"], _states(server, r["dag_run_id"]))
                                                    for r in runs]
    first, second = closed[0]["dag_run_id"], refused[0]["dag_run_id"]

    # one close, one approval request, one decision, one package
    assert [d["task_instance"]["dag_run_id"] for d in _hitl(server)] == [first]
    [decision] = _decisions(rt)
    assert decision["run_id"] == first and decision["keputusan"] == "disetujui"
    assert rt.store.exists(layout.publication_pointer(TAHUN, SMALL_REGION))
    assert _states(server, first)["susun_paket"] == "success"

    # the second run stopped at its first task, and says why in Indonesian
    states = _states(server, second)
    assert states.pop("periksa_penutupan") == "failed"
    assert states.pop("kirim_kabar") == "success"  # the outbox's drain runs whatever came before it (all_done)
    assert set(states.values()) == {"upstream_failed"}, states
    text = _log(server, second, "periksa_penutupan")
    for part in (f"Siklus {TAHUN} sudah ditutup oleh run {first}", "Bappeda tidak diminta menyetujui lagi",
                 "'koreksi' dicentang"):
        assert part in text, (part, text[-3000:])


@pytest.mark.airflow
def test_a_correction_run_needs_its_reason_and_asks_bappeda_again(scheduled: tuple[AirflowServer, Runtime]) -> None:
    server, rt = scheduled
    before = len(_runs(server))
    if not _decisions(rt):
        pytest.skip("needs the year closed by test_trigger_then_unpause_closes_the_year_once")
    now = datetime.now(UTC)
    no_reason = _api(server, "POST", f"/dags/{CYCLE}/dagRuns", "diskominfo",
                     json={"logical_date": now.isoformat(), "conf": {"koreksi": True}})["dag_run_id"]
    _until_done(server, before + 1)
    assert _states(server, no_reason)["periksa_penutupan"] == "failed"
    assert "Run koreksi tanpa alasan" in _log(server, no_reason, "periksa_penutupan")

    reason = "Berkas perbaikan Dinkes untuk kesehatan_anak masuk setelah penutupan."
    koreksi = _api(server, "POST", f"/dags/{CYCLE}/dagRuns", "diskominfo",
                   json={"logical_date": datetime.now(UTC).isoformat(),
                         "conf": {"koreksi": True, "alasan_koreksi": reason}})["dag_run_id"]
    runs = _until_done(server, before + 2)
    assert {r["dag_run_id"]: r["state"] for r in runs}[koreksi] == "success"
    assert "KOREKSI siklus" in _log(server, koreksi, "periksa_penutupan")
    [asked] = [d for d in _hitl(server) if d["task_instance"]["dag_run_id"] == koreksi]
    assert asked["subject"].startswith("Persetujuan Bappeda: Koreksi:") and reason in asked["body"]
    corrected = [d for d in _decisions(rt) if d["run_id"] == koreksi]
    assert len(corrected) == 1 and corrected[0]["koreksi"] == reason
