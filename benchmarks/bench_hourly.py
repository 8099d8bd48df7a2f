"""The hourly gate's fixed cost through Airflow, on a running deployment that already stored Malang.

A throwaway embedded deployment (Airflow metadata in SQLite, warehouse in SQLite, object store in a folder,
the environment of ``scripts/env.sh``): Malang (35.07, 390 desa) is generated, put in the inbox and gated and
stored once by the stages called directly (as ``benchmarks/bench_scale.py`` does). Then the deployment runs as
``make ui`` runs it: ``airflow api-server``, ``scheduler`` (LocalExecutor) and ``dag-processor``, and the hourly
DAG is triggered over the REST API (as Diskominfo) at an hour inside the collection window, each run timed from
the trigger's POST to the run's end as the API reports it (polled every 50 ms):

- **kosong**: nothing new in the inbox;
- **satu berkas**: one new desa file (a kependudukan resubmission of one desa, a different desa each run);
- **lantai** (the floor, not judged): a two-task DAG whose first task short-circuits at once, in the same
  deployment: what Airflow itself costs (scheduling the run, starting a task process, parsing its DAG file,
  the execution API) before any of the project's code runs.

The three run in rounds (floor, empty, one file), so the machine's load hits them alike. This is how the gate
runs on a server: the scheduler starts it every hour in processes that are already up.

``--dags-test`` measures the same three with ``airflow dags test`` instead (each a new process: Airflow's
imports, parsing and syncing the DAG folder, the in-process execution API; 9-15 s of floor on the 2-core build
machine before any project code), the way this benchmark measured before the deployment mode.

Reported per scenario: the wall seconds of each run, their median, and each task's duration and state from
Airflow's metadata database (median over the runs; a mapped task's instances summed). Python's bytecode is
cached (``PYTHONPYCACHEPREFIX`` in the throwaway home) as a server's installed packages are.

Targets (issue 9; they decide the exit code), median of ``--runs`` (3), through the running deployment:

- empty inbox < 5 s;
- one new file < 8 s.

Usage::

    .venv/bin/python benchmarks/bench_hourly.py
    .venv/bin/python benchmarks/bench_hourly.py --runs 5 --json /tmp/jam.json
    .venv/bin/python benchmarks/bench_hourly.py --kiriman /tmp/kiriman   # files generated earlier (35.07)
    .venv/bin/python benchmarks/bench_hourly.py --dags-test              # through `airflow dags test`
    # before/after: a copy of the code before the change (its dags/ and include/)
    PYTHONPATH=/tmp/sebelum/include .venv/bin/python benchmarks/bench_hourly.py --dags /tmp/sebelum/dags
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.airflow_server: the api-server the tests start
BIN = Path(sys.executable).parent
DAG = "desa_cantik_gerbang_masuk"
WILAYAH = "35.07"
TAHUN = 2025
TARGETS = {"kosong": 5.0, "satu berkas": 8.0}  # seconds, median wall time through Airflow
SCENARIOS = ("lantai", "kosong", "satu berkas")
FIRST_HOUR = "2026-02-10T{:02d}:00:00+07:00"  # inside the Daftar Data's window (2026-01-05 .. 2026-03-31)

SETUP = """
import sys
from pathlib import Path
from desa_cantik.cycle.gate import validate_collected
from desa_cantik.cycle.inbox import collect_batch, plan_batches, upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle

rt = Runtime.from_env()
upload_folder(rt.store, Path(sys.argv[1]), int(sys.argv[2]))
for batch in plan_batches(rt):
    store_bundle(rt, validate_collected(rt, collect_batch(rt, batch), "bench-awal"))
print(rt.warehouse.count_rows("kependudukan", rt.tahun))
"""


def deployment_env(home: Path) -> dict[str, str]:
    """scripts/env.sh's embedded deployment (sourced: its settings are the deployment's, one source), in ``home``;
    Python's bytecode cached under ``home`` as on a server.

    A server's packages are compiled once (pip does it on install); with ``PYTHONDONTWRITEBYTECODE`` every
    process would compile the project's modules from source again.
    """
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("AIRFLOW", "DESA_CANTIK_")) and k != "PYTHONDONTWRITEBYTECODE"}
    sourced = subprocess.run(["bash", "-c", f"source {ROOT / 'scripts' / 'env.sh'} && env -0"], check=True,
                             capture_output=True, text=True, env={**clean, "DESA_CANTIK_HOME": str(home)}).stdout
    env = dict(line.split("=", 1) for line in sourced.split("\0") if "=" in line)
    for started_elsewhere in ("AIRFLOW__API__PORT", "AIRFLOW__API__BASE_URL"):  # the api-server picks its own port
        env.pop(started_elsewhere, None)
    return {**env, "PYTHONPYCACHEPREFIX": str(home / "pycache"), "DESA_CANTIK_WILAYAH": WILAYAH,
            "DESA_CANTIK_RETRIES": "0"}


def _run(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    proc = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} gagal:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def prepare(home: Path, kiriman: Path) -> dict[str, str]:
    """Airflow's metadata DB, and Malang gated and stored (stages called directly, in a child process)."""
    env = deployment_env(home)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)  # env.sh makes it
    t0 = time.monotonic()
    _run(env, str(BIN / "airflow"), "db", "migrate")
    stored = _run(env, sys.executable, "-c", SETUP, str(kiriman), str(TAHUN)).strip().splitlines()[-1]
    print(f"persiapan: db migrate + Malang disimpan ({stored} baris kependudukan) {time.monotonic() - t0:.0f} s",
          file=sys.stderr, flush=True)
    return env


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def task_times(env: dict[str, str], dag_id: str, run_id: str | None = None) -> dict[str, dict[str, Any]]:
    """A run's tasks (default: the newest run): seconds (mapped instances summed), states, instances."""
    db = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        if run_id is None:
            run_id = conn.execute("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
                                  (dag_id,)).fetchone()[0]
        rows = conn.execute("SELECT task_id, map_index, state, start_date, end_date FROM task_instance "
                            "WHERE dag_id = ? AND run_id = ?", (dag_id, run_id)).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for task_id, _map_index, state, start, end in rows:
        t = out.setdefault(task_id, {"detik": 0.0, "status": set(), "instance": 0})
        s, e = _ts(start), _ts(end)
        t["detik"] += (e - s).total_seconds() if s and e else 0.0
        t["status"].add(state or "tidak berjalan")
        t["instance"] += 1
    return {k: {**v, "status": ",".join(sorted(v["status"]))} for k, v in sorted(out.items())}


FLOOR_DAG = """
from datetime import datetime
from airflow.sdk import DAG, task

@task.short_circuit
def pertama() -> bool:
    return False

@task
def berikut() -> None:
    pass

with DAG("lantai", start_date=datetime(2025, 1, 1), schedule=None, catchup=False):
    pertama() >> berikut()
"""


Runner = Callable[[str, int], "tuple[float, dict[str, dict[str, Any]]]"]


def dags_test_runner(env: dict[str, str], floor_env: dict[str, str]) -> Runner:
    """Each run an ``airflow dags test`` process, timed start to exit."""
    def run(dag_id: str, hour: int) -> tuple[float, dict[str, dict[str, Any]]]:
        run_env = floor_env if dag_id == "lantai" else env
        t0 = time.monotonic()
        _run(run_env, str(BIN / "airflow"), "dags", "test", dag_id, FIRST_HOUR.format(hour % 24))
        return time.monotonic() - t0, task_times(run_env, dag_id)
    return run


def _wait_idle(server: Any, timeout: float = 300) -> None:
    """No run queued or running (e.g. the hourly DAG's own scheduled run after it is unpaused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = server.get("/api/v2/dags/~/dagRuns", "admin", params={"state": ["queued", "running"]})
        r.raise_for_status()
        if r.json()["total_entries"] == 0:
            return
        time.sleep(0.2)
    raise SystemExit("run lain tidak selesai")


def _dag_folder(dags: Path, work: Path) -> Path:
    """The project's DAGs and the floor DAG in one DAG folder, as on a server."""
    folder = work / "dags"
    folder.mkdir()
    for entry in dags.iterdir():
        if entry.name != "__pycache__":
            (folder / entry.name).symlink_to(entry.resolve())
    (folder / "lantai.py").write_text(FLOOR_DAG, encoding="utf-8")
    return folder


def _unpause_when_parsed(server: Any, log: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for dag_id in (DAG, "lantai"):
        while server.get(f"/api/v2/dags/{dag_id}", "admin").status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit(f"DAG {dag_id} tidak terbaca; log: {log}")
            time.sleep(0.5)
        server.patch(f"/api/v2/dags/{dag_id}", "admin", json={"is_paused": False}).raise_for_status()
    _wait_idle(server)


def _trigger_and_wait(server: Any, env: dict[str, str], dag_id: str, hour: int
                      ) -> tuple[float, dict[str, dict[str, Any]]]:
    """POST a run at ``hour`` inside the window, poll until it ends: seconds from the POST, its tasks."""
    when = datetime.fromisoformat(FIRST_HOUR.format(hour % 24)).isoformat()
    t0 = time.monotonic()
    r = server.post(f"/api/v2/dags/{dag_id}/dagRuns", "admin", json={"logical_date": when})
    r.raise_for_status()
    run_id = r.json()["dag_run_id"]
    state = "queued"
    while state not in ("success", "failed"):
        time.sleep(0.05)
        state = server.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}", "admin").json()["state"]
    wall = time.monotonic() - t0
    if state != "success":
        raise SystemExit(f"{dag_id} {run_id}: {state}; log: {env['AIRFLOW_HOME']}/logs")
    return wall, task_times(env, dag_id, run_id)


@contextmanager
def running_deployment(env: dict[str, str], dags: Path, work: Path) -> Iterator[Runner]:
    """api-server, scheduler (LocalExecutor) and dag-processor on the deployment; runs triggered over REST."""
    from tests.airflow_server import _stop, airflow_api_server

    env = {**env, "AIRFLOW__CORE__DAGS_FOLDER": str(_dag_folder(dags, work)),
           "AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
    home = Path(env["AIRFLOW_HOME"])
    with airflow_api_server(home, env, reserialize=False) as server, ExitStack() as started:
        for component in ("scheduler", "dag-processor"):
            log = started.enter_context((home / f"{component}.log").open("ab"))
            proc = subprocess.Popen([str(BIN / "airflow"), component], env=server.env, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
            started.callback(_stop, proc)
        _unpause_when_parsed(server, str(home / "dag-processor.log"))
        yield lambda dag_id, hour: _trigger_and_wait(server, env, dag_id, hour)


def one_new_file(env: dict[str, str], kiriman: Path, nth: int) -> str:
    """A desa's kependudukan file sent again under a new name: one new object in its inbox folder."""
    desa = sorted(p for p in (kiriman / "kependudukan").iterdir() if p.is_dir())[nth * 37 % 390]
    src = next(p for p in sorted(desa.iterdir()) if p.is_file())
    dest = Path(env["DESA_CANTIK_HOME"]) / "objek" / "masuk" / str(TAHUN) / "kependudukan" / desa.name
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest / f"kirim-ulang-{nth}{src.suffix}")
    return f"{desa.name}/{src.name}"


def rounds(run: Runner, env: dict[str, str], kiriman: Path, runs: int) -> list[dict[str, Any]]:
    """``runs`` rounds of: the floor, the empty inbox, one new file (interleaved: the machine's load hits all alike)."""
    walls: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    tasks: dict[str, list[dict[str, dict[str, Any]]]] = {name: [] for name in SCENARIOS}
    for i in range(runs):
        for name in SCENARIOS:
            sent = one_new_file(env, kiriman, i) if name == "satu berkas" else None
            hour = 1 + len(SCENARIOS) * i + SCENARIOS.index(name)  # a logical date of its own for every run
            wall, per_task = run("lantai" if name == "lantai" else DAG, hour)
            walls[name].append(wall)
            tasks[name].append(per_task)
            print(f"{name} #{i + 1}: {wall:.1f} s" + (f" ({sent})" if sent else ""), file=sys.stderr, flush=True)
    out = []
    for name in SCENARIOS:
        names = sorted({t for per in tasks[name] for t in per})
        median_tasks = {t: {"detik": statistics.median(per[t]["detik"] for per in tasks[name] if t in per),
                            "status": tasks[name][-1].get(t, {}).get("status", "-"),
                            "instance": tasks[name][-1].get(t, {}).get("instance", 0)} for t in names}
        out.append({"skenario": name, "detik": walls[name], "median": statistics.median(walls[name]),
                    "target": TARGETS.get(name), "tugas": median_tasks})
    return out


def report(results: list[dict[str, Any]]) -> bool:
    ok = True
    floor = next(r["median"] for r in results if r["skenario"] == "lantai")
    for r in results:
        line = f"\n{r['skenario']}: median {r['median']:.1f} s dari {', '.join(f'{s:.1f}' for s in r['detik'])}"
        if r["target"] is None:
            print(line + " (DAG dua tugas yang langsung berhenti di tugas pertama: tidak dinilai)")
        else:
            passed = r["median"] < r["target"]
            ok &= passed
            print(line + f" = lantai + {r['median'] - floor:.1f} s (target < {r['target']:.0f} s: "
                  f"{'LULUS' if passed else 'GAGAL'})")
        print(f"  {'tugas':<44}{'detik':>7}  {'instance':>8}  status")
        for task_id, t in r["tugas"].items():
            print(f"  {task_id:<44}{t['detik']:>7.2f}  {t['instance']:>8}  {t['status']}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kiriman", type=Path, help="Malang's files generated earlier (default: generated, seed 5)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write every number here")
    parser.add_argument("--dags-test", action="store_true",
                        help="each run an `airflow dags test` process instead of the running deployment")
    parser.add_argument("--simpan", action="store_true", help="keep the throwaway deployment (logs) and print it")
    parser.add_argument("--dags", type=Path, default=ROOT / "dags",
                        help="DAG folder (e.g. a copy of the code before a change; put its include/ on PYTHONPATH)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dc-bench-jam-"))
    try:
        kiriman = args.kiriman
        if kiriman is None:
            from desa_cantik.synthetic import generate

            kiriman = work / "kiriman"
            generate(WILAYAH, TAHUN, kiriman, seed=args.seed, error_rate=0.05)
        env = {**prepare(work / "home", kiriman), "AIRFLOW__CORE__DAGS_FOLDER": str(args.dags.resolve())}
        with ExitStack() as stack:
            if args.dags_test:
                (work / "lantai").mkdir()
                (work / "lantai" / "lantai.py").write_text(FLOOR_DAG, encoding="utf-8")
                run = dags_test_runner(env, {**env, "AIRFLOW__CORE__DAGS_FOLDER": str(work / "lantai")})
            else:
                run = stack.enter_context(running_deployment(env, args.dags.resolve(), work))
            warm = run(DAG, 0)[0] + run("lantai", 0)[0]
            print(f"pemanasan (tidak dihitung): {warm:.1f} s", file=sys.stderr, flush=True)
            results = rounds(run, env, kiriman, args.runs)
    finally:
        if args.simpan:
            print(f"deployment disimpan: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    mode = "airflow dags test" if args.dags_test else "deployment berjalan (api-server, scheduler LocalExecutor, dag-processor)"
    print(f"\nlewat: {mode}")
    ok = report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
