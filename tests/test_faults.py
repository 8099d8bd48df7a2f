"""Faults on the real servers: PostgreSQL and the S3 server go away mid-stage, the worker is killed inside
the store's transaction; then a new run of the hourly gate DAG (through Airflow) finishes the work, and the
warehouse and every quarantine object end as a clean run's on the same files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desa_cantik.cycle.gate import validate_collected
from desa_cantik.cycle.inbox import collect_batch, plan_batches, upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle
from desa_cantik.storage import migrasi

from .conftest import AIRFLOW_ENV, SMALL_REGION, TAHUN
from .faults import CuttableProxy
from .stages import gate_and_store

pytestmark = [pytest.mark.integration, pytest.mark.airflow]
TIME_DEPENDENT = ("run_id", "diterima_pada", "kunci_arsip", "kunci_laporan")  # arrival times and keys made of them
KILL_MID_STORE = """
import json, sys, time
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle
from desa_cantik.storage import Warehouse
real = Warehouse._record_verdicts
def stall(self, *args, **kwargs):
    real(self, *args, **kwargs)          # rows and registry written, transaction not yet committed
    open(sys.argv[2], "w").close()
    time.sleep(300)
Warehouse._record_verdicts = stall
store_bundle(Runtime.from_env(), json.loads(sys.argv[1]))
"""


@pytest.fixture
def databases(pg_admin: sa.Engine) -> Iterator[list[str]]:
    names = [f"dc_fault_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with pg_admin.connect() as conn:
        for n in names:
            conn.execute(sa.text(f'CREATE DATABASE "{n}"'))
    urls = [pg_admin.url.set(database=n).render_as_string(hide_password=False) for n in names]
    for url in urls:
        migrasi.upgrade(url)  # as the server's init does before any task runs
    yield urls
    with pg_admin.connect() as conn:
        for n in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))


def _env(home: Path, gudang: str, s3_host: str) -> dict[str, str]:
    return {**os.environ, **AIRFLOW_ENV, "AIRFLOW_HOME": str(home / "airflow"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": SMALL_REGION, "DESA_CANTIK_RETRIES": "0",
            "DESA_CANTIK_GUDANG": gudang,
            "DESA_CANTIK_OBJEK": f"s3://test:testsecret@{s3_host}/{home.name.lower().replace('_', '-')}"
                                 "?secure=false&region=us-east-1"}


def _through(url: str, port: int) -> str:
    return sa.make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def _quarantine(rt: Runtime) -> list[str]:
    return sorted(hashlib.sha256(rt.store.get(o.key)).hexdigest() for o in rt.store.list("karantina/"))


def _verdicts(rt: Runtime) -> dict[tuple[str, str, str], str]:
    subs = rt.warehouse.submissions(TAHUN)
    return {(r.dataset, r.pengirim, r.nama_berkas): r.status for r in subs.itertuples()}


def test_faults_then_a_new_dag_run_end_as_a_clean_run(tmp_path: Path, databases: list[str], s3_server: str,
                                                      small_generated: Path) -> None:
    clean = Runtime.from_env(_env(tmp_path / "bersih", databases[0], s3_server))
    upload_folder(clean.store, small_generated, TAHUN)
    gate_and_store(clean, "bersih")

    host, port = s3_server.split(":")
    with CuttableProxy(host, int(port)) as s3, CuttableProxy("127.0.0.1", sa.make_url(databases[1]).port or 5432) as pg:
        env = _env(tmp_path / "mogok", _through(databases[1], pg.port), f"127.0.0.1:{s3.port}")
        rt = Runtime.from_env(env)
        upload_folder(rt.store, small_generated, TAHUN)
        first, second = plan_batches(rt)

        collected = collect_batch(rt, first)
        s3.cut()  # the S3 server goes away while the gate reads the archived files
        with pytest.raises(Exception):  # noqa: B017 - whatever the client raises, the task fails and is retried
            validate_collected(rt, collected, "mogok")
        s3.restore()
        validated = validate_collected(rt, collected, "mogok")
        pg.cut()  # PostgreSQL goes away as the batch is stored
        with pytest.raises(sa.exc.OperationalError):
            store_bundle(rt, validated)
        pg.restore()
        store_bundle(rt, validated)  # the task's retry

        validated = validate_collected(rt, collect_batch(rt, second), "mogok")
        marker = tmp_path / "di-tengah-transaksi"
        worker = subprocess.Popen([sys.executable, "-c", KILL_MID_STORE, json.dumps(validated), str(marker)], env=env)
        deadline = time.time() + 120
        while not marker.exists() and worker.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the worker reached the middle of the store"
        os.kill(worker.pid, signal.SIGKILL)  # the worker dies inside the transaction
        worker.wait(timeout=30)

    faulty = Runtime.from_env(_env(tmp_path / "mogok", databases[1], s3_server))
    assert faulty.warehouse.count_rows("kesehatan_anak", TAHUN) == 0, "nothing of the killed batch was committed"
    airflow = str(Path(sys.executable).parent / "airflow")
    direct = _env(tmp_path / "mogok", databases[1], s3_server)
    subprocess.run([airflow, "db", "migrate"], env=direct, check=True, capture_output=True, timeout=300)
    run = subprocess.run([airflow, "dags", "test", "desa_cantik_gerbang_masuk", "2026-02-01T10:00:00+07:00"],
                         env=direct, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    assert faulty.warehouse.fingerprint(TIME_DEPENDENT) == clean.warehouse.fingerprint(TIME_DEPENDENT)
    assert _quarantine(faulty) == _quarantine(clean) and _quarantine(clean)
    assert _verdicts(faulty) == _verdicts(clean) and len(_verdicts(clean)) == 22
