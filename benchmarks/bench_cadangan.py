"""Backup and restore of Kabupaten Malang's year on the stack: how long, how big.

Brings ``make stack`` up (``STACK_WORKERS=0``: the scheduler runs the tasks) in fresh databases, puts Malang's
generated files (390 desa, 782 files, as ``make demo`` generates them) in the S3 inbox, closes the year through
Airflow (Bappeda's approval answered at once), then times ``make backup`` and, after destroying the deployment
(bucket deleted, stack stopped, both databases dropped, its folder deleted), ``make restore``, and checks that every
table's fingerprint and every object's sha256 came back. Reported: seconds (the commands' wall time and their parts),
the backup's size per file, objects and distinct contents, rows. Usage::

    .venv/bin/python benchmarks/bench_cadangan.py [--wilayah 35.07] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.airflow_server: a REST client as the demo users
DAG = "desa_cantik_siklus_tahunan"
DEADLINE = "2026-03-31T16:59:00Z"
PG = "postgresql://postgres@127.0.0.1:5432/postgres"

from tests.airflow_server import AirflowServer, _free_port  # noqa: E402


def _api(server: AirflowServer, method: str, path: str, user: str, **kw: Any) -> Any:
    r = server.request(method, f"/api/v2{path}", user, **kw)
    r.raise_for_status()
    return r.json()


def _make(env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(["make", "-s", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"make {' '.join(args)} gagal:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.monotonic() - start, done.stdout


def _state(home: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The warehouse's fingerprint per table and every object's sha256, read as a user of the stack would."""
    probe = """
import hashlib, json
from desa_cantik.cycle.runtime import Runtime
rt = Runtime.from_env()
keys = [o.key for o in rt.store.list("") if not o.key.startswith("pemulihan/")]
objects = {k: hashlib.sha256(rt.store.get(k)).hexdigest() for k in keys}
print(json.dumps([rt.warehouse.fingerprint(ignore=(), activity=True), objects]))
"""
    out = subprocess.run(["bash", "-c", f"source {home}/env && python -c '{probe}'"], capture_output=True, text=True,
                         check=True).stdout
    fingerprint, objects = json.loads(out.strip().splitlines()[-1])
    return fingerprint, objects


def _close_the_year(server: AirflowServer) -> float:
    run = _api(server, "POST", f"/dags/{DAG}/dagRuns", "diskominfo", json={"logical_date": DEADLINE})["dag_run_id"]
    _api(server, "PATCH", f"/dags/{DAG}", "diskominfo", json={"is_paused": False})
    start, state = time.monotonic(), "queued"
    while state not in ("success", "failed"):
        time.sleep(3)
        if server.pending_hitl(DAG):
            _api(server, "PATCH", f"/dags/{DAG}/dagRuns/{run}/taskInstances/persetujuan_bappeda/-1/hitlDetails",
                 "bappeda", json={"chosen_options": ["Setujui"], "params_input": {"alasan": "bench"}})
        state = _api(server, "GET", f"/dags/{DAG}/dagRuns/{run}", "auditor")["state"]
    if state != "success":
        raise SystemExit(f"siklus gagal: {run}")
    return time.monotonic() - start


def _destroy(env: dict[str, str], home: Path, db: str) -> None:
    wipe = """
import os
from desa_cantik.storage import open_store
s = open_store(os.environ["DESA_CANTIK_OBJEK"])
for o in list(s.client.list_objects(s.bucket, recursive=True)):
    s.client.remove_object(s.bucket, o.object_name)
s.client.remove_bucket(s.bucket)
"""
    subprocess.run(["bash", "-c", f"source {home}/env && python -c '{wipe}'"], check=True, capture_output=True)
    _make(env, "stack-down")
    for name in ("airflow", "gudang"):
        subprocess.run(["psql", PG, "-qc", f'DROP DATABASE "{db}_{name}" WITH (FORCE)'], check=True, capture_output=True)
    shutil.rmtree(home)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wilayah", default="35.07")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cadangan-"))
    files, home, backup = work / "kiriman", work / "stack", work / "cadangan"
    port, db = _free_port(), f"dc_bench_cad_{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "STACK_HOME": str(home), "STACK_PORT": str(port), "STACK_S3_PORT": str(_free_port()),
           "STACK_DB": db, "STACK_REDIS_DB": "14", "STACK_WORKERS": "0", "DESA_CANTIK_WILAYAH": args.wilayah,
           "DESA_CANTIK_RETRIES": "0"}
    subprocess.run([sys.executable, "-m", "desa_cantik", "generate", "--region", args.wilayah, "--tahun", "2025",
                    "--out", str(files)], check=True, capture_output=True)
    try:
        _make(env, "stack")
        subprocess.run(["bash", "-c", f"source {home}/env && python -m desa_cantik upload {files} --tahun 2025"],
                       check=True, capture_output=True)
        cycle_s = _close_the_year(AirflowServer(f"http://127.0.0.1:{port}", home, {}))
        before = _state(home)
        backup_s, made = _make(env, "backup", f"CADANGAN={backup}")
        facts = json.loads((backup / "cadangan.json").read_text())
        _destroy(env, home, db)
        restore_s, restored = _make(env, "restore", f"CADANGAN={backup}")
        after = _state(home)
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "down"], env=env, capture_output=True, timeout=300)
        for name in ("airflow", "gudang"):
            subprocess.run(["psql", PG, "-qc", f'DROP DATABASE IF EXISTS "{db}_{name}" WITH (FORCE)'], capture_output=True)
    steps = {"Cadangan": "periksa_sha256", "Basis data": "pg_restore", "Gudang sama": "banding_basis_data",
             "Objek": "objek_tulis_dan_baca_kembali"}
    parts = {name: float(m[1]) for line in restored.splitlines() for start, name in steps.items()
             if line.startswith(start) and (m := re.search(r"\((\d+\.\d) s\)\.$", line))}
    result = {
        "wilayah": args.wilayah, "siklus_s": round(cycle_s, 1), "backup_s": round(backup_s, 1),
        "backup_bagian_s": facts["detik"], "restore_s": round(restore_s, 1), "restore_bagian_s": parts,
        "ukuran_cadangan": _size(backup), "berkas": facts["berkas"], "objek": facts["objek"],
        "baris_gudang": sum(facts["gudang"]["baris"].values()), "baris_airflow": sum(facts["airflow"]["baris"].values()),
        "sama": before == after, "tabel": len(before[0]), "objek_diperiksa": len(before[1]),
        "sha256_cadangan": hashlib.sha256((backup / "SHA256SUMS").read_bytes()).hexdigest()[:16],
    }
    print(made)
    print(restored)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if result["sama"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
