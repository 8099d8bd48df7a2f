"""Shared fixtures: generated data, a real PostgreSQL database and a real S3-protocol server on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from .airflow_server import AirflowServer

ROOT = Path(__file__).resolve().parents[1]

# Airflow reads its configuration at import: give the test session its own home before anything imports it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dc-airflow-"))
AIRFLOW_ENV = {
    "AIRFLOW_HOME": str(_AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    "AIRFLOW__FAB__CONFIG_FILE": str(ROOT / "config" / "webserver_config.py"),  # as every deployment
    "GX_ANALYTICS_ENABLED": "False",
}
os.environ.update(AIRFLOW_ENV)
sys.path.insert(0, str(ROOT / "dags"))  # as Airflow's processes do for the DAGs folder
PG_ADMIN_URL = os.environ.get("DESA_CANTIK_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
# the real api-server and browser of the page tests, shared by every file that asks (one per session)
pytest_plugins = ["tests.fixtures_halaman"]

SMALL_REGION = "35.07.01"  # Kecamatan Donomulyo: 10 desa
TAHUN = 2025


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic submissions for all 390 desa of Kabupaten Malang: every error kind, with the answer key."""
    from desa_cantik.synthetic import generate

    out = tmp_path_factory.mktemp("kiriman")
    generate("35.07", TAHUN, out, seed=7, error_rate=0.06)
    return out


@pytest.fixture(scope="session")
def small_generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One kecamatan (10 desa): small enough to run through Airflow in a test."""
    from desa_cantik.synthetic import generate

    out = tmp_path_factory.mktemp("kiriman_kecil")
    generate(SMALL_REGION, TAHUN, out, seed=11, error_rate=0.2)
    return out


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Error-free files for Donomulyo (10 desa): every one passes the gate (an operator's good submission)."""
    from desa_cantik.synthetic import generate

    out = tmp_path_factory.mktemp("bersih")
    generate(SMALL_REGION, TAHUN, out, seed=3, error_rate=0.0)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_admin() -> sa.Engine:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:  # pragma: no cover - environment problem, said plainly
        pytest.fail(f"PostgreSQL tidak terjangkau di {PG_ADMIN_URL}: jalankan .ci/run atau set DESA_CANTIK_TEST_PG ({exc})")
    return engine


@pytest.fixture
def pg_url(pg_admin: sa.Engine) -> Iterator[str]:
    """A fresh, empty database on the real PostgreSQL server, dropped afterwards."""
    name = f"dc_test_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    sa.create_engine(url).dispose()
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_gudang(pg_url: str) -> str:
    """A fresh warehouse database at this release's revision, as ``python -m desa_cantik migrasi`` leaves a server's."""
    from desa_cantik.storage import migrasi

    migrasi.upgrade(pg_url)
    return pg_url


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server as a real process on loopback; the code under test talks to it with the minio SDK."""
    port = _free_port()
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:  # pragma: no cover
        proc.kill()
        pytest.fail("S3 server (moto) did not start")
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_url(s3_server: str) -> str:
    """A fresh bucket on the S3 server."""
    return f"s3://test:testsecret@{s3_server}/dc-{uuid.uuid4().hex[:10]}?secure=false&region=us-east-1"


@pytest.fixture(scope="session")
def airflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowServer]:
    """One real ``airflow api-server`` (FAB, the project's roles, demo users) on an empty deployment."""
    from .airflow_server import airflow_api_server

    with airflow_api_server(tmp_path_factory.mktemp("api-server")) as server:
        yield server
