"""The backup drill and the upgrade procedure, on the stack (``make stack``, PostgreSQL + S3, the scheduler running the
tasks itself: ``STACK_WORKERS=0``), driven only by the make targets and, as users, over the REST API.

1. A year closed through Airflow; ``make backup``; the deployment destroyed (bucket emptied and deleted, the stack
   stopped, both databases dropped, keys, secrets and Airflow's home deleted); ``make restore``. Every table's
   fingerprint and every object's sha256 are the original's, and so are the keys. The restored tier then gates a new
   file with the hourly DAG (only that file: the restored inbox is not new), and a task retried with its producer's
   payload in another shape fails at once with what to do, while one in the shape of the release before is read.
2. README's upgrade block, run line by line (``git`` aside: this checkout is the new release) while a correction run waits for Bappeda; Bappeda then
   approves, and the run publishes a new package version signed with the restored key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from desa_cantik.bags import check_bag
from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.storage import MinioStore, layout

from .airflow_server import _free_port
from .conftest import PG_ADMIN_URL, ROOT, SMALL_REGION, TAHUN
from .test_stack import Stack, _cycle, _stack_env, _task_instances

pytestmark = [pytest.mark.stack, pytest.mark.integration]
CYCLE, GATE = "desa_cantik_siklus_tahunan", "desa_cantik_gerbang_masuk"
IN_WINDOW = "2026-02-10T03:00:00Z"  # inside the Daftar Data's collection window: the hourly gate works
UPGRADE_BLOCK = "<!-- pembaruan-stack -->"


@dataclass
class Drill:
    home: Path
    settings: dict[str, str]  # what make and scripts/stack.sh are called with
    stack: Stack
    state: dict[str, Any] = field(default_factory=dict)  # what the first test leaves the second

    def make(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(["make", "-s", *args], cwd=ROOT, env=self.settings, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            logs = "\n".join(f"== {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                             for p in sorted((self.home / "log").glob("*.log")))
            raise AssertionError(f"make {' '.join(args)} gagal ({done.returncode}):\n{done.stdout[-3000:]}\n"
                                 f"{done.stderr[-3000:]}\n{logs}")
        self.stack.env = _stack_env(self.home / "env")  # secrets come back from the backup: read them again
        return done.stdout


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    home = tmp_path_factory.mktemp("drill")
    port, db = _free_port(), f"dc_drill_{uuid.uuid4().hex[:8]}"
    settings = {**os.environ, "STACK_HOME": str(home), "STACK_PORT": str(port), "STACK_S3_PORT": str(_free_port()),
                "STACK_DB": db, "STACK_WORKERS": "0", "STACK_REDIS_DB": "11", "STACK_HEARTBEAT_TIMEOUT": "20",
                "DESA_CANTIK_WILAYAH": SMALL_REGION, "DESA_CANTIK_RETRIES": "1", "DESA_CANTIK_RETRY_DELAY_S": "5"}
    d = Drill(home, settings, Stack(home, f"http://127.0.0.1:{port}", {}))
    try:
        d.make("stack")
        yield d
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "down"], env=settings, timeout=180, capture_output=True)
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in ("airflow", "gudang"):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}_{name}" WITH (FORCE)'))
        engine.dispose()


def _objects(stack: Stack) -> dict[str, str]:
    store = stack.runtime().store
    return {o.key: hashlib.sha256(store.get(o.key)).hexdigest() for o in store.list("")
            if not o.key.startswith(layout.RESTORED + "/")}


def _keys(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _destroy(d: Drill) -> None:
    """What a lost server leaves: nothing. The bucket emptied and deleted, every process stopped, both databases
    dropped, the stack's folder (keys, secrets, Airflow's home) deleted."""
    store = d.stack.runtime().store
    assert isinstance(store, MinioStore)
    for o in list(store.client.list_objects(store.bucket, recursive=True)):
        store.client.remove_object(store.bucket, str(o.object_name))
    store.client.remove_bucket(store.bucket)
    d.make("stack-down")
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in ("airflow", "gudang"):
            conn.execute(sa.text(f'DROP DATABASE "{d.settings["STACK_DB"]}_{name}" WITH (FORCE)'))
    engine.dispose()
    shutil.rmtree(d.home)


def _wait(stack: Stack, dag: str, run_id: str, states: tuple[str, ...] = ("success", "failed"), timeout: float = 600
          ) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = str(stack.api("GET", f"/dags/{dag}/dagRuns/{run_id}", "auditor")["state"])
        if state in states:
            return state
        time.sleep(2)
    raise AssertionError(f"{dag} {run_id} tidak selesai dalam {timeout:.0f} s")


def _task(stack: Stack, dag: str, run_id: str, task_id: str, map_index: int = -1) -> dict[str, Any]:
    found: dict[str, Any] = stack.api("GET", f"/dags/{dag}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}",
                                      "auditor") if map_index >= 0 else \
        stack.api("GET", f"/dags/{dag}/dagRuns/{run_id}/taskInstances/{task_id}", "auditor")
    return found


def _log(stack: Stack, dag: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
    r = requests.get(f"{stack.url}/api/v2/dags/{dag}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                     params={"map_index": map_index}, headers={**stack._headers("auditor"), "Accept": "application/json"},
                     timeout=60)
    r.raise_for_status()
    return "\n".join(str(e.get("event", e)) if isinstance(e, dict) else str(e) for e in r.json().get("content", []))


def _retry_gate_with(stack: Stack, run_id: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The hourly run's gate task run again (as after a deploy) with its producer's payload replaced: its state, log."""
    task, producer = "validasi_bps.gerbang_mutu", "pengumpulan_kominfo.arsipkan"
    stack.api("PATCH", f"/dags/{GATE}/dagRuns/{run_id}/taskInstances/{producer}/xcomEntries/return_value", "admin",
              json={"value": payload, "map_index": 0})
    stack.api("POST", f"/dags/{GATE}/clearTaskInstances", "admin",
              json={"dry_run": False, "dag_run_id": run_id, "task_ids": [[task, 0]], "only_failed": False,
                    "include_downstream": False, "include_upstream": False, "reset_dag_runs": True})
    time.sleep(3)
    _wait(stack, GATE, run_id)
    ti = _task(stack, GATE, run_id, task, 0)
    return str(ti["state"]), _log(stack, GATE, run_id, task, int(ti["try_number"]), 0)


def test_backup_destroy_restore_and_the_restored_tier_carries_on(drill: Drill, small_generated: Path,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    stack = drill.stack
    upload_folder(stack.runtime().store, str(small_generated), TAHUN)
    closed, _ = _cycle(stack)
    rt = stack.runtime()
    fingerprint, objects = rt.warehouse.fingerprint(ignore=(), activity=True), _objects(stack)
    keys = _keys(rt.settings.kunci)
    folder = tmp_path_factory.mktemp("cadangan") / "drill"
    start = time.monotonic()
    out = drill.make("backup", f"CADANGAN={folder}")
    drill.state["backup_s"] = time.monotonic() - start
    assert f"Cadangan dibuat di {folder}" in out, out

    _destroy(drill)
    start = time.monotonic()
    out = drill.make("restore", f"CADANGAN={folder}")
    drill.state["restore_s"] = time.monotonic() - start
    assert "semua sha256 cocok" in out and "baris dan sidik tiap tabel cocok" in out, out
    rt = stack.runtime()
    assert rt.warehouse.fingerprint(ignore=(), activity=True) == fingerprint
    assert _objects(stack) == objects
    assert _keys(rt.settings.kunci) == keys
    assert stack.api("GET", f"/dags/{CYCLE}/dagRuns/{closed}", "auditor")["state"] == "success"  # Airflow's history
    drill.state.update(closed=closed, public_key=keys[f"{SMALL_REGION}.pub"], versi=_published(stack))

    # the restored tier gates a new file with the hourly DAG: only that file, the restored inbox is not new
    subs = rt.warehouse.table_frame("berkas_masuk")
    desa = str(subs[(subs["dataset"] == "kependudukan") & (subs["status"] == "ditolak")].iloc[0]["pengirim"])
    fixed = pd.DataFrame([{"kode_desa": desa, "tahun": TAHUN, "penduduk_laki": 2000, "penduduk_perempuan": 2100,
                           "jumlah_penduduk": 4100, "jumlah_kk": 1200, "kelahiran": 60, "kematian": 25,
                           "penduduk_datang": 40, "penduduk_pindah": 30}])
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{desa}/perbaikan.csv", fixed.to_csv(index=False).encode())
    hourly = str(stack.api("POST", f"/dags/{GATE}/dagRuns", "diskominfo",
                           json={"logical_date": IN_WINDOW, "dag_run_id": f"uji_jam__{uuid.uuid4().hex[:6]}"}
                           )["dag_run_id"])
    stack.api("PATCH", f"/dags/{GATE}", "diskominfo", json={"is_paused": False})
    assert _wait(stack, GATE, hourly) == "success", [(t["task_id"], t["state"]) for t in _task_instances_of(stack, hourly)]
    after = rt.warehouse.table_frame("berkas_masuk")
    assert len(after) == len(subs) + 1 and set(after["run_id"]) - set(subs["run_id"]) == {hourly}
    assert rt.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa").loc[desa, "jumlah_penduduk"] == 4100

    # a task retried after a deploy: its producer's payload in a shape this release does not read, then in the shape
    # of the release before hand-offs carried their version
    written = stack.api("GET", f"/dags/{GATE}/dagRuns/{hourly}/taskInstances/pengumpulan_kominfo.arsipkan/xcomEntries/"
                        "return_value", "admin", params={"map_index": 0})["value"]
    written = json.loads(written) if isinstance(written, str) else written
    assert written["versi_serah"] == 1 and written["berkas"][0]["kunci_masuk"].endswith("/perbaikan.csv"), written
    state, log = _retry_gate_with(stack, hourly, {**written, "versi_serah": 2})
    assert state == "failed", log[-2000:]
    for part in ("Data serah-terima arsipkan dari tugas sebelumnya berbentuk versi 2", "tidak dicoba ulang",
                 "Jalankan ulang run ini dari tugas pertamanya (jendela_terbuka)", "Clear dengan Downstream"):
        assert part in log, (part, log[-3000:])
    state, log = _retry_gate_with(stack, hourly, {k: v for k, v in written.items() if k != "versi_serah"})
    assert state == "success", log[-3000:]
    drill.state["restored"] = True


def _task_instances_of(stack: Stack, run_id: str) -> list[dict[str, Any]]:
    return list(stack.api("GET", f"/dags/{GATE}/dagRuns/{run_id}/taskInstances", "auditor")["task_instances"])


def _published(stack: Stack) -> str:
    rt = stack.runtime()
    return str(json.loads(rt.store.get(layout.publication_pointer(TAHUN, SMALL_REGION)))["versi"])


def _upgrade_commands() -> list[str]:
    """README's upgrade block: each line's command, its comment dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(UPGRADE_BLOCK, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


def test_the_readme_upgrade_while_a_correction_run_waits_for_bappeda(drill: Drill, tmp_path: Path) -> None:
    if not drill.state.get("restored"):
        pytest.skip("needs the restored tier of test_backup_destroy_restore_and_the_restored_tier_carries_on")
    stack = drill.stack
    reason = "Uji pembaruan: data perbaikan Donomulyo masuk setelah penutupan."
    run_id = str(stack.api("POST", f"/dags/{CYCLE}/dagRuns", "diskominfo",
                           json={"logical_date": datetime.now(UTC).isoformat(), "dag_run_id": f"uji_koreksi__{uuid.uuid4().hex[:6]}",
                                 "conf": {"koreksi": True, "alasan_koreksi": reason}})["dag_run_id"])
    end = time.monotonic() + 600
    while _task(stack, CYCLE, run_id, "persetujuan_bappeda")["state"] != "awaiting_input":
        state = stack.api("GET", f"/dags/{CYCLE}/dagRuns/{run_id}", "auditor")["state"]
        assert state in ("queued", "running") and time.monotonic() < end, \
            [(t["task_id"], t["state"]) for t in _task_instances(stack, run_id)]
        time.sleep(2)

    commands = _upgrade_commands()
    assert [c.split()[:2] for c in commands] == [["make", "backup"], ["make", "stack-down"], ["git", "fetch"],
                                                 ["make", "migrate"], ["make", "stack"], ["make", "verify"]], commands
    for command in commands:
        if command.startswith("git "):
            continue  # the new release's code: the test runs this checkout's
        args = command.replace("cadangan/sebelum-pembaruan", str(tmp_path / "sebelum-pembaruan")).split()[1:]
        out = drill.make(*args)
        if args[0] == "verify":
            assert "Tidak ada yang hilang sejak cadangan" in out and "Metadata Airflow: skema sesuai" in out, out

    # the run waited through the upgrade; Bappeda answers the deployment of the new release, and it publishes
    stack.api("PATCH", f"/dags/{CYCLE}/dagRuns/{run_id}/taskInstances/persetujuan_bappeda/-1/hitlDetails", "bappeda",
              json={"chosen_options": ["Setujui"], "params_input": {"alasan": "uji pembaruan"}})
    assert _wait(stack, CYCLE, run_id) == "success", [(t["task_id"], t["state"]) for t in _task_instances(stack, run_id)]
    versi = _published(stack)
    assert versi != drill.state["versi"]
    rt = stack.runtime()
    prefix = layout.publication(TAHUN, SMALL_REGION, versi) + "/"
    files = {o.key.removeprefix(prefix): rt.store.get(o.key) for o in rt.store.list(prefix)}
    registry = tmp_path / "registri"
    registry.mkdir()
    (registry / f"{SMALL_REGION}.pub").write_bytes(drill.state["public_key"])  # the key from before the disaster
    check = check_bag(files, SMALL_REGION, registry)
    assert check.ok, check.reason
    decisions = [json.loads(rt.store.get(o.key)) for o in rt.store.list(f"persetujuan/{TAHUN}/{SMALL_REGION}/")]
    assert [(d["run_id"], d.get("koreksi", "")) for d in decisions] == [(drill.state["closed"], ""), (run_id, reason)]
