"""Scale-out: the yearly cycle for Kabupaten Malang on the native stack with 1 and then 2 Celery workers.

Each leg brings ``make stack`` up (scripts/stack.sh) with ``STACK_WORKERS`` workers of concurrency 1 in
fresh databases, puts Malang's generated files (782, the same bytes for both legs) in the S3 inbox,
triggers the yearly cycle as Diskominfo over the REST API, approves as Bappeda when asked, and times the run
from trigger to success (the approval answered at once, so the human wait is ~0). Reported: seconds per
leg, the speed-up, and the task seconds each worker executed.

Target (exit code): 2 workers at least 1.3x faster than 1 on this 2-core machine (the gate batches run in
parallel; the close's single tasks do not). Usage::

    .venv/bin/python benchmarks/bench_stack.py [--wilayah 35.07] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
DAG = "desa_cantik_siklus_tahunan"
DEADLINE = "2026-03-31T16:59:00Z"
TARGET_SPEEDUP = 1.3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Api:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, user: str, **kw: Any) -> Any:
        tok = requests.post(f"{self.url}/auth/token", json={"username": user, "password": f"{user}-demo"},
                            timeout=30).json()["access_token"]
        r = requests.request(method, f"{self.url}/api/v2{path}", headers={"Authorization": f"Bearer {tok}"},
                             timeout=60, **kw)
        r.raise_for_status()
        return r.json()


def _leg(workers: int, wilayah: str, files: Path) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-stack-{workers}-"))
    port = _free_port()
    db = f"dc_bench_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "STACK_HOME": str(home), "STACK_PORT": str(port), "STACK_S3_PORT": str(_free_port()),
           "STACK_DB": db, "STACK_REDIS_DB": "13", "STACK_WORKERS": str(workers), "STACK_CONCURRENCY": "1",
           "DESA_CANTIK_WILAYAH": wilayah, "DESA_CANTIK_RETRIES": "0"}
    stack = ["bash", str(ROOT / "scripts" / "stack.sh")]
    try:
        subprocess.run([*stack, "up"], env=env, check=True, capture_output=True, timeout=900)
        upload = f"source {home}/env && python -m desa_cantik upload {files} --tahun 2025"
        subprocess.run(["bash", "-c", upload], check=True, capture_output=True, timeout=600)
        api = Api(f"http://127.0.0.1:{port}")
        run = api.call("POST", f"/dags/{DAG}/dagRuns", "diskominfo", json={"logical_date": DEADLINE})["dag_run_id"]
        api.call("PATCH", f"/dags/{DAG}", "diskominfo", json={"is_paused": False})  # after: no scheduled twin
        start, state = time.monotonic(), "queued"
        while state not in ("success", "failed"):
            time.sleep(2)
            tis = api.call("GET", f"/dags/{DAG}/dagRuns/{run}/taskInstances?limit=500", "auditor")["task_instances"]
            if any(t["task_id"] == "persetujuan_bappeda" and t["state"] == "awaiting_input" for t in tis):
                api.call("PATCH", f"/dags/{DAG}/dagRuns/{run}/taskInstances/persetujuan_bappeda/-1/hitlDetails",
                         "bappeda", json={"chosen_options": ["Setujui"], "params_input": {"alasan": "bench"}})
            state = api.call("GET", f"/dags/{DAG}/dagRuns/{run}", "auditor")["state"]
        seconds = time.monotonic() - start
        per_worker: dict[str, float] = defaultdict(float)
        for t in tis:
            per_worker[str(t["hostname"]).split(".")[0] or "-"] += float(t["duration"] or 0)
        return {"workers": workers, "state": state, "seconds": round(seconds, 1),
                "task_seconds_per_worker": {k: round(v, 1) for k, v in sorted(per_worker.items())}}
    finally:
        subprocess.run([*stack, "down"], env=env, capture_output=True, timeout=300)
        for name in ("airflow", "gudang"):
            subprocess.run(["psql", "postgresql://postgres@127.0.0.1:5432/postgres", "-qc",
                            f'DROP DATABASE IF EXISTS "{db}_{name}" WITH (FORCE)'], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wilayah", default="35.07")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    files = Path(tempfile.mkdtemp(prefix="bench-stack-kiriman-"))
    subprocess.run([sys.executable, "-m", "desa_cantik", "generate", "--region", args.wilayah, "--tahun", "2025",
                    "--out", str(files)], check=True, capture_output=True)
    legs = [_leg(1, args.wilayah, files), _leg(2, args.wilayah, files)]
    speedup = legs[0]["seconds"] / legs[1]["seconds"]
    for leg in legs:
        print(f"{leg['workers']} pekerja: {leg['seconds']:7.1f} s ({leg['state']}), detik tugas per pekerja "
              f"{leg['task_seconds_per_worker']}")
    print(f"percepatan 2 vs 1 pekerja: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x)")
    if args.json:
        args.json.write_text(json.dumps({"legs": legs, "speedup": speedup}, indent=2))
    ok = all(leg["state"] == "success" for leg in legs) and speedup >= TARGET_SPEEDUP
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
