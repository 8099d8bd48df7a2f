"""The report plugin refuses unauthenticated requests; docker/ is consistent with the project."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.conftest import ROOT


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TestClient:
    monkeypatch.setenv("DESA_CANTIK_LAPORAN_TOKEN", "rahasia")
    monkeypatch.setenv("DESA_CANTIK_HOME", str(tmp_path))
    import importlib.util

    spec = importlib.util.spec_from_file_location("laporan_plugin", ROOT / "plugins" / "desa_cantik_laporan.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return TestClient(mod.app)


def test_plugin_requires_token(client: TestClient) -> None:
    assert client.get("/laporan/2025/35.07.01").status_code == 401
    assert client.get("/laporan/2025/35.07.01", headers={"Authorization": "Bearer salah"}).status_code == 403


def test_plugin_lists_reports_with_token(client: TestClient, tmp_path: Path) -> None:
    from desa_cantik.cycle.gate import validate_collected
    from desa_cantik.cycle.inbox import collect_batch, plan_batches
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.cycle.store import store_bundle

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07"})
    good = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
            "penduduk_datang,penduduk_pindah\n35.07.01.2001,2025,1510,1490,3000,850,45,20,30,25\n")
    rt.store.put("masuk/2025/kependudukan/35.07.01.2001/a.csv", good.encode())
    for b in plan_batches(rt):
        store_bundle(rt, validate_collected(rt, collect_batch(rt, b), "uji"))
    auth = {"Authorization": "Bearer rahasia"}
    listing = client.get("/laporan/2025/35.07.01", headers=auth).json()
    assert [(r["pengirim"], r["status"]) for r in listing] == [("35.07.01.2001", "diterima")]
    html = client.get(f"/laporan/2025/berkas/{listing[0]['sha256']}", headers=auth)
    assert html.status_code == 200 and "DITERIMA" in html.text
    assert client.get("/laporan/2025/berkas/0000", headers=auth).status_code == 404


def test_compose_and_dockerfile_are_consistent() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "minio", "api-server", "scheduler", "dag-processor", "triggerer"} <= set(services)
    env = services["scheduler"]["environment"]
    for key in ("DESA_CANTIK_GUDANG", "DESA_CANTIK_OBJEK", "DESA_CANTIK_WILAYAH", "DESA_CANTIK_TINGKAT"):
        assert key in env
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "apache/airflow:3.3.2" in dockerfile
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            for src in line.split()[2:-1] if "--chown" in line else line.split()[1:-1]:
                assert (ROOT / src).exists(), src
    example = dict(line.split("=", 1) for line in (ROOT / "docker" / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    for var in ("POSTGRES_PASSWORD", "WALIDATA_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert var in example
    assert Path(ROOT / "docker" / "initdb" / "10-gudang.sh").exists()
