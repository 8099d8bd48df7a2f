"""A real ``airflow api-server`` for tests, with the FAB auth manager, this project's roles and demo users.

READY (stable API; other tests rely on it):

    from tests.airflow_server import AirflowServer, airflow_api_server, dags_test, dags_test_answering

    with airflow_api_server(tmp_path, env={"DESA_CANTIK_HOME": str(home)}) as server:
        server.get("/api/v2/dags", user="auditor").status_code      # 200; user=None: anonymous (401)
        server.post("/api/v2/dags/x/dagRuns", user="bps", json={...})
        server.token("bappeda")                                        # a JWT from FAB's POST /auth/token

- ``airflow_api_server(home, env=None, *, reserialize=True)``: ``airflow db migrate``, roles and demo users
  synced (``scripts/peran.py sync --pengguna config/pengguna_demo.csv``), the DAGs serialized (so they are
  listed and their ``access_control`` is in FAB), then ``airflow api-server`` on a free loopback port; waits
  until ``/api/v2/monitor/health`` answers, stops the server (its whole process group) on exit. The metadata
  DB is SQLite in ``home`` unless ``env`` says otherwise; FAB's web config is ``config/webserver_config.py`` (the
  login limits, as every deployment); ``env`` overrides everything but the auth manager
  (always FAB), e.g. the ``DESA_CANTIK_*`` of a test deployment, so the plugin reads that warehouse (without
  ``env``: an empty tier in ``home/desa_cantik``). ``reserialize=False`` skips parsing the DAGs (the DAG-level
  grants are synced from config/peran.yaml anyway; ``dags test`` serializes its DAG). Log: ``home/api-server.log``.
- ``AirflowServer``: ``url``, ``home``, ``env``, ``token(user)``, ``get/post/patch/delete(path, user=None,
  **httpx_kwargs)`` (the user's Bearer token; users and passwords of ``config/pengguna_demo.csv``).
- The session fixture ``airflow_server`` (tests/conftest.py) is one shared server on an empty deployment;
  mark its tests ``pytest.mark.airflow``.
- ``dags_test_answering(server, dag_id, date, ...)``: ``airflow dags test`` in the background, answers the
  run's human-in-the-loop request (Bappeda's approval) through the REST API as a user, waits for the run.
- ``start_dags_test``, ``wait_for_hitl``, ``finish``: the same in steps, to answer in a test's own way.
- ``airflow_scheduler(server)``: ``airflow scheduler`` (LocalExecutor) on the server's deployment, for tests of
  what the scheduler itself does (scheduled runs on unpause, queued runs behind ``max_active_runs``).
- ``dags_test(env, dag_id, date, ...)``: the same for a test deployment's env (what ``airflow dags test`` was
  called with before the approval existed), through the api-server running on that deployment (or one
  started for the call). The e2e tests call it instead of ``airflow dags test``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from desa_cantik.peran import DaftarPeran, read_users

ROOT = Path(__file__).resolve().parents[1]
PENGGUNA_DEMO = ROOT / "config" / "pengguna_demo.csv"
WEBSERVER_CONFIG = ROOT / "config" / "webserver_config.py"  # FAB's web config: login limits (every deployment)
FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
BIN = Path(sys.executable).parent
_RUNNING: dict[str, AirflowServer] = {}  # AIRFLOW_HOME -> the server running on that deployment


def demo_passwords() -> dict[str, str]:
    """username -> password of the demo users (config/pengguna_demo.csv)."""
    users = read_users(PENGGUNA_DEMO.read_text(encoding="utf-8"), DaftarPeran.load(), str(PENGGUNA_DEMO))
    return {u.username: u.kata_sandi for u in users}


def server_env(home: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """scripts/env.sh's environment for a deployment in ``home``, with FAB; ``env`` overrides."""
    secret = secrets.token_hex(16)
    base = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": FAB,
        "AIRFLOW__FAB__CONFIG_FILE": str(WEBSERVER_CONFIG),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "AIRFLOW__API__SECRET_KEY": secret,
        "AIRFLOW__API_AUTH__JWT_SECRET": secret,
        "GX_ANALYTICS_ENABLED": "False",
        "PYTHONWARNINGS": "ignore",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    if env is None:  # a deployment of its own; given an env, the caller's deployment is used as it is
        base["DESA_CANTIK_HOME"] = str(home / "desa_cantik")
    return {**base, **(env or {}), "AIRFLOW__CORE__AUTH_MANAGER": FAB}


def _run(env: dict[str, str], *args: str, timeout: int = 300) -> None:
    proc = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} gagal:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def prepare(env: dict[str, str], *, reserialize: bool = True) -> None:
    """Metadata DB, roles and demo users, and the DAGs (with their access_control) in the database."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    _run(env, str(BIN / "airflow"), "db", "migrate")
    _run(env, sys.executable, str(ROOT / "scripts" / "peran.py"), "sync", "--pengguna", str(PENGGUNA_DEMO))
    if reserialize:
        _run(env, str(BIN / "airflow"), "dags", "reserialize")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AirflowServer:
    url: str
    home: Path
    env: dict[str, str]
    passwords: dict[str, str] = field(default_factory=demo_passwords, repr=False)
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def token(self, username: str) -> str:
        """A JWT for a user, from FAB's token endpoint (cached for the server's life)."""
        if username not in self._tokens:
            r = httpx.post(f"{self.url}/auth/token", json={"username": username, "password": self.passwords[username]},
                           timeout=60)
            r.raise_for_status()
            self._tokens[username] = r.json()["access_token"]
        return self._tokens[username]

    def request(self, method: str, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", None) or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        kw.setdefault("timeout", 60)
        return httpx.request(method, f"{self.url}{path}", headers=headers, **kw)

    def get(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("GET", path, user, **kw)

    def post(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("POST", path, user, **kw)

    def patch(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, user, **kw)

    def delete(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, user, **kw)

    def pending_hitl(self, dag_id: str = "~", user: str = "bappeda") -> list[dict[str, Any]]:
        """Human-in-the-loop requests still waiting for an answer."""
        r = self.get(f"/api/v2/dags/{dag_id}/dagRuns/~/hitlDetails", user, params={"response_received": "false"})
        r.raise_for_status()
        details: list[dict[str, Any]] = r.json()["hitl_details"]
        return details

    def answer_hitl(self, detail: dict[str, Any], pilihan: str, params: dict[str, Any], user: str = "bappeda"
                    ) -> httpx.Response:
        ti = detail["task_instance"]
        return self.patch(f"/api/v2/dags/{ti['dag_id']}/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}"
                          f"/{ti['map_index']}/hitlDetails", user,
                          json={"chosen_options": [pilihan], "params_input": params})


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def airflow_api_server(home: Path, env: dict[str, str] | None = None, *, reserialize: bool = True,
                       startup_timeout: float = 180) -> Iterator[AirflowServer]:
    home = Path(home)
    full = server_env(home, env)
    prepare(full, reserialize=reserialize)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    full["AIRFLOW__API__BASE_URL"] = full.get("AIRFLOW__API__BASE_URL", url)
    log = (home / "api-server.log").open("ab")
    proc = subprocess.Popen([str(BIN / "airflow"), "api-server", "-H", "127.0.0.1", "-p", str(port), "-w", "1"],
                            env=full, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.time() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"api-server berhenti (kode {proc.returncode}); log: {home / 'api-server.log'}")
            try:
                if httpx.get(f"{url}/api/v2/monitor/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"api-server tidak siap dalam {startup_timeout:.0f} s; log: {home / 'api-server.log'}")
            time.sleep(0.5)
        server = AirflowServer(url, home, full)
        _RUNNING[full["AIRFLOW_HOME"]] = server
        yield server
    finally:
        _RUNNING.pop(full["AIRFLOW_HOME"], None)
        _stop(proc)
        log.close()


@contextmanager
def airflow_scheduler(server: AirflowServer, parallelism: int = 2) -> Iterator[subprocess.Popen[bytes]]:
    """``airflow scheduler`` on the server's deployment, as a real one runs: it creates the scheduled runs of
    unpaused DAGs and runs their tasks (LocalExecutor, at most ``parallelism`` at once, each through the server's
    Execution API); the DAGs must be serialized (``reserialize=True``). Stopped with its process group on exit.
    Log: ``home/scheduler.log``."""
    env = {**server.env, "AIRFLOW__CORE__EXECUTOR": "LocalExecutor", "AIRFLOW__CORE__PARALLELISM": str(parallelism),
           "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5"}
    log = (server.home / "scheduler.log").open("ab")
    proc = subprocess.Popen([str(BIN / "airflow"), "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=ROOT, start_new_session=True)
    try:
        yield proc
    finally:
        _stop(proc)
        log.close()


def start_dags_test(env: dict[str, str], dag_id: str, date: str, log: Path, conf: dict[str, Any] | None = None
                    ) -> subprocess.Popen[bytes]:
    """``airflow dags test`` in the background (its own process group), output to ``log``; ``conf``: the run's
    parameters (e.g. a correction run of the yearly cycle)."""
    extra = ["-c", json.dumps(conf)] if conf else []
    with log.open("wb") as f:
        return subprocess.Popen([str(BIN / "airflow"), "dags", "test", dag_id, date, *extra], env=env, stdout=f,
                                stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)


def wait_for_hitl(server: AirflowServer, dag_id: str, proc: subprocess.Popen[bytes] | None = None,
                  user: str = "bappeda", timeout: float = 600) -> dict[str, Any]:
    """The first pending human-in-the-loop request of the DAG (fails if ``proc`` ends first or time runs out)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        pending = server.pending_hitl(dag_id, user)
        if pending:
            return pending[0]
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"airflow dags test {dag_id} berakhir ({proc.returncode}) tanpa permintaan persetujuan")
        time.sleep(1)
    raise AssertionError(f"tidak ada permintaan persetujuan untuk {dag_id} dalam {timeout:.0f} s")


def finish(proc: subprocess.Popen[bytes], log: Path, timeout: float = 900) -> str:
    """Wait for a background ``dags test``; its output, or an error with it when it failed."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise AssertionError(f"airflow dags test tidak selesai dalam {timeout:.0f} s:\n"
                             f"{log.read_text(errors='replace')[-6000:]}") from None
    text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise AssertionError(f"airflow dags test gagal ({proc.returncode}):\n{text[-6000:]}")
    return text


def dags_test_answering(server: AirflowServer, dag_id: str, date: str, *, env: dict[str, str] | None = None,
                        pilihan: str = "Setujui", params: dict[str, Any] | None = None, user: str = "bappeda",
                        timeout: float = 900, conf: dict[str, Any] | None = None) -> str:
    """``airflow dags test`` in the background; every HITL request of the run is answered through the REST API.

    ``env`` is the deployment's (default: the server's; both must share the metadata DB). Returns the
    command's output; raises with it when the run fails or times out.
    """
    params = params if params is not None else {"alasan": "disetujui otomatis oleh tes"}
    log = Path(server.home) / f"dags-test-{dag_id}-{time.time_ns()}.log"
    proc = start_dags_test(env or server.env, dag_id, date, log, conf)
    deadline = time.time() + timeout
    try:
        while proc.poll() is None and time.time() < deadline:
            for detail in server.pending_hitl(dag_id, user):
                r = server.answer_hitl(detail, pilihan, params, user)
                if r.status_code not in (200, 409):  # 409: answered already (a second poll)
                    raise AssertionError(f"jawaban HITL ditolak: {r.status_code} {r.text}")
            time.sleep(1)
    except BaseException:
        _stop(proc)
        raise
    return finish(proc, log, timeout=max(1.0, deadline - time.time()))


def dags_test(env: dict[str, str], dag_id: str, date: str, **answer: Any) -> str:
    """``airflow dags test`` on a deployment, its approval answered through that deployment's api-server.

    Uses the server already running on ``env["AIRFLOW_HOME"]`` (``airflow_api_server(home, env)`` around
    the tests), or starts one just for this run. ``answer``: see ``dags_test_answering``.
    """
    server = _RUNNING.get(env["AIRFLOW_HOME"])
    if server is not None:
        return dags_test_answering(server, dag_id, date, env=env, **answer)
    with airflow_api_server(Path(env["AIRFLOW_HOME"]), env, reserialize=False) as started:
        return dags_test_answering(started, dag_id, date, env=env, **answer)
