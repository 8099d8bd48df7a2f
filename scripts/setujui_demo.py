"""DEMO ONLY: Bappeda's approval given automatically through Airflow's REST API, so `make demo` runs unattended.

    python scripts/setujui_demo.py --url http://127.0.0.1:PORT --pid PID_OF_DAGS_TEST

Waits for the api-server, then, while the `airflow dags test` process lives, answers every pending
human-in-the-loop request of the yearly DAG as the demo user ``bappeda`` (config/pengguna_demo.csv) with
"Setujui" and a note saying the demo approved it. A real deployment never does this: Bappeda answers in the UI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import httpx

DAG_ID = "desa_cantik_siklus_tahunan"
CATATAN = "Disetujui otomatis oleh make demo (scripts/setujui_demo.py), bukan oleh petugas Bappeda."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_healthy(url: str, pid: int, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline and _alive(pid):
        try:
            if httpx.get(f"{url}/api/v2/monitor/health", timeout=5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def approve_while_running(url: str, pid: int, user: str, password: str, timeout: float) -> int:
    """Answer pending requests until the DAG run's process ends; returns how many were answered."""
    if not _wait_healthy(url, pid, timeout):
        return 0
    token = httpx.post(f"{url}/auth/token", json={"username": user, "password": password}, timeout=60
                       ).raise_for_status().json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    answered = 0
    while _alive(pid):
        r = httpx.get(f"{url}/api/v2/dags/{DAG_ID}/dagRuns/~/hitlDetails", headers=headers,
                      params={"response_received": "false"}, timeout=30)
        for d in r.raise_for_status().json()["hitl_details"]:
            ti = d["task_instance"]
            path = (f"/api/v2/dags/{ti['dag_id']}/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}"
                    f"/{ti['map_index']}/hitlDetails")
            done = httpx.patch(f"{url}{path}", headers=headers, timeout=30,
                               json={"chosen_options": ["Setujui"], "params_input": {"alasan": CATATAN}})
            if done.status_code == 200:
                answered += 1
                print(f"persetujuan Bappeda diberikan otomatis oleh demo lewat REST API (pengguna {user}): {ti['task_id']}")
        time.sleep(1)
    return answered


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True, help="the `airflow dags test` process")
    ap.add_argument("--pengguna", default="bappeda")
    ap.add_argument("--sandi", default="bappeda-demo")
    ap.add_argument("--batas-detik", type=float, default=300, help="how long to wait for the api-server")
    args = ap.parse_args()
    try:
        approve_while_running(args.url, args.pid, args.pengguna, args.sandi, args.batas_detik)
    except httpx.HTTPError as exc:
        print(f"persetujuan otomatis gagal: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
