"""The deployment as it runs in production, natively: ``make stack`` (scripts/stack.sh) brought up on loopback.

PostgreSQL (metadata + warehouse), Redis (Celery broker), an S3 server (moto), api-server, scheduler,
dag-processor, triggerer and two Celery workers. The test then acts only as users do: the tier's files
arrive in the S3 inbox (as the upload command or a presigned upload puts them), Diskominfo unpauses and
triggers the yearly cycle over the REST API, Bappeda approves the package through the HITL endpoint, and the
result is read back. Asserted: both workers executed tasks; the published package verifies; the stored rows
are the answer key; and with one worker killed in the middle of the gate, the run still completes with the
same warehouse, table by table.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from desa_cantik.bags import SIGNATURE
from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.storage import MinioStore

from .airflow_server import _free_port
from .conftest import PG_ADMIN_URL, ROOT, SMALL_REGION, TAHUN
from .test_faults import TIME_DEPENDENT

pytestmark = [pytest.mark.stack, pytest.mark.integration]
DAG = "desa_cantik_siklus_tahunan"
DEADLINE = "2026-03-31T16:59:00Z"  # the Daftar Data's batas_akhir (23:59 WIB)
DATASETS = ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk")


@dataclass
class Stack:
    home: Path
    url: str
    env: dict[str, str]

    def _headers(self, user: str) -> dict[str, str]:
        r = requests.post(f"{self.url}/auth/token", json={"username": user, "password": f"{user}-demo"}, timeout=30)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def api(self, method: str, path: str, user: str, **kw: Any) -> Any:
        r = requests.request(method, f"{self.url}/api/v2{path}", headers=self._headers(user), timeout=60, **kw)
        assert r.status_code < 300, f"{method} {path} as {user}: {r.status_code} {r.text[:500]}"
        return r.json()

    def runtime(self) -> Runtime:
        return Runtime.from_env(self.env)

    def pid(self, worker: str) -> int:
        return int((self.home / "pid" / f"{worker}.pid").read_text())


def _stack_env(path: Path) -> dict[str, str]:
    """The environment ``scripts/stack.sh env`` writes, resolved by a shell."""
    out = subprocess.run(["bash", "-c", f"source {path} && env -0"], capture_output=True, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("stack")
    port = _free_port()
    db = f"dc_stack_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "STACK_HOME": str(home), "STACK_PORT": str(port), "STACK_S3_PORT": str(_free_port()),
           "STACK_DB": db, "STACK_REDIS_DB": "12", "STACK_HEARTBEAT_TIMEOUT": "20",
           "DESA_CANTIK_WILAYAH": SMALL_REGION, "DESA_CANTIK_RETRIES": "2", "DESA_CANTIK_RETRY_DELAY_S": "5"}
    try:
        subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "up"], env=env, check=True, timeout=600,
                       capture_output=True)
        yield Stack(home, f"http://127.0.0.1:{port}", _stack_env(home / "env"))
    except subprocess.CalledProcessError as exc:
        logs = "\n".join(f"== {p.name}\n{p.read_text()[-1500:]}" for p in sorted((home / "log").glob("*.log")))
        pytest.fail(f"make stack gagal: {exc.stdout.decode()[-800:]}{exc.stderr.decode()[-800:]}\n{logs}")
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "down"], env=env, timeout=120,
                       capture_output=True)
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in ("airflow", "gudang"):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}_{name}" WITH (FORCE)'))
        engine.dispose()


def _task_instances(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    return list(stack.api("GET", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances?limit=500", "auditor")["task_instances"])


def _why_failed(stack: Stack, run_id: str, tis: list[dict[str, Any]]) -> str:
    """The failed tasks and the end of the first one's log, read the way a user reads it (REST API)."""
    failed = [t for t in tis if t["state"] == "failed"]
    text = f"failed: {[(t['task_id'], t['map_index']) for t in failed]}"
    if failed:
        t = failed[0]
        r = requests.get(f"{stack.url}/api/v2/dags/{DAG}/dagRuns/{run_id}/taskInstances/{t['task_id']}/logs/"
                         f"{t['try_number']}?map_index={t['map_index']}", headers=stack._headers("auditor"), timeout=60)
        lines = [str(e.get("event", e)) if isinstance(e, dict) else str(e) for e in r.json().get("content", [])]
        text += f"\nlog {t['task_id']}:\n" + "\n".join(lines)[-3000:]
    return text


def _cycle(stack: Stack, logical_date: str = DEADLINE, on_running: Any = None, timeout: float = 900
           ) -> tuple[str, list[dict[str, Any]]]:
    """Trigger the yearly cycle as Diskominfo, approve as Bappeda when asked, wait until the run ends."""
    # triggered while paused, then unpaused: the scheduler skips its own run for a date that already has one
    run_id = str(stack.api("POST", f"/dags/{DAG}/dagRuns", "diskominfo",
                           json={"logical_date": logical_date, "dag_run_id": f"uji_stack__{uuid.uuid4().hex[:8]}"}
                           )["dag_run_id"])
    stack.api("PATCH", f"/dags/{DAG}", "diskominfo", json={"is_paused": False})
    approved, hooked, end = False, False, time.monotonic() + timeout
    while time.monotonic() < end:
        tis = _task_instances(stack, run_id)
        if on_running and not hooked:
            hooked = bool(on_running(tis))
        waiting = [t for t in tis if t["task_id"] == "persetujuan_bappeda" and t["state"] == "awaiting_input"]
        if waiting and not approved:
            stack.api("PATCH", f"/dags/{DAG}/dagRuns/{run_id}/taskInstances/persetujuan_bappeda/-1/hitlDetails",
                      "bappeda", json={"chosen_options": ["Setujui"], "params_input": {"alasan": "uji stack"}})
            approved = True
        state = stack.api("GET", f"/dags/{DAG}/dagRuns/{run_id}", "auditor")["state"]
        if state in ("success", "failed"):
            assert state == "success", _why_failed(stack, run_id, _task_instances(stack, run_id))
            return run_id, _task_instances(stack, run_id)
        time.sleep(3)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def _reset(stack: Stack) -> None:
    """An empty tier again (warehouse tables and every object), so a second run starts from the same state."""
    rt = stack.runtime()
    with rt.warehouse.engine.begin() as conn:  # every row, not the tables: the schema stays at its revision
        for table in reversed(rt.warehouse.metadata.sorted_tables):
            conn.execute(table.delete())
    store = rt.store
    assert isinstance(store, MinioStore)
    for obj in list(store.client.list_objects(store.bucket, recursive=True)):
        store.client.remove_object(store.bucket, str(obj.object_name))


@pytest.fixture(scope="module")
def clean_run(stack: Stack, small_generated: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    upload_folder(stack.runtime().store, str(small_generated), TAHUN)
    _, tis = _cycle(stack)
    return tis, stack.runtime().warehouse.fingerprint(TIME_DEPENDENT)


def test_both_workers_execute_tasks(clean_run: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    tis, _ = clean_run
    hosts = {str(t["hostname"]).split(".")[0] for t in tis if t["state"] == "success"}
    assert {"pekerja1", "pekerja2"} <= hosts, hosts


def test_published_package_and_answer_key(stack: Stack, clean_run: Any, small_generated: Path) -> None:
    from desa_cantik.cycle.publish import latest_package

    rt = stack.runtime()
    package = latest_package(rt)
    assert {"cakupan.csv", "komponen_desa.csv", "indikator.sdmx.csv"} <= set(package), sorted(package)
    signed = [o.key for o in rt.store.list(f"publikasi/{TAHUN}/") if o.key.endswith(SIGNATURE)]
    assert signed, "the stack's tier must sign its package (keygen at start-up)"
    for ds in DATASETS:
        answer = pd.read_csv(small_generated / "_kebenaran" / f"{ds}.csv", dtype={"kode_desa": str})
        assert len(rt.warehouse.dataset_rows(ds, TAHUN)) == len(answer), ds


def test_killed_worker_mid_gate_gives_the_same_warehouse(stack: Stack, clean_run: Any,
                                                          small_generated: Path) -> None:
    _, clean = clean_run
    _reset(stack)
    upload_folder(stack.runtime().store, str(small_generated), TAHUN)
    killed: list[str] = []

    def kill_gate_worker(tis: list[dict[str, Any]]) -> bool:
        running = [t for t in tis if t["task_id"].endswith("gerbang_mutu") and t["state"] == "running"
                   and t["hostname"]]
        if not running:
            return False
        worker = str(running[0]["hostname"]).split(".")[0]
        os.killpg(stack.pid(worker), signal.SIGKILL)  # the worker and the task it runs, as a crash would
        killed.append(worker)
        return True

    _cycle(stack, "2026-03-31T17:00:00Z", on_running=kill_gate_worker)  # a second run: its own date
    assert killed, "no gate task was seen running to kill its worker"
    assert stack.runtime().warehouse.fingerprint(TIME_DEPENDENT) == clean
