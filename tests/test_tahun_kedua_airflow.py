"""Two years in one deployment through Airflow (``airflow dags test``, real PostgreSQL and S3 server, Bappeda's
approval answered over the REST API): 2025's cycle closes and publishes; ``python -m desa_cantik gulir-tahun``
rolls the Daftar Data to 2026; each sender's 2026 file is its pre-filled template of 2025's accepted values, sent
back unchanged or with jumlah penduduk moved (two desa by more than 10 %, the rest within ±10 %); 2026's cycle
runs. KEP-08 fires on exactly the two desa and nowhere else, and both years' packages verify. The fast twin, with
the stages called directly: tests/test_tahun_kedua.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from desa_cantik.bags import check_bag
from desa_cantik.config import DaftarData
from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.publishing import verify_package
from desa_cantik.storage import get_many, layout

from .airflow_server import airflow_api_server, dags_test
from .conftest import AIRFLOW_ENV, ROOT, SMALL_REGION, TAHUN
from .tahun_kedua import BARU, BERUBAH, FAKTOR, berkas_tahun_berikut

if TYPE_CHECKING:
    from sqlalchemy import Engine

pytestmark = [pytest.mark.airflow, pytest.mark.integration]
PENUTUPAN = {TAHUN: "2026-03-31T23:59:00+07:00", BARU: "2027-03-31T23:59:00+07:00"}  # each Daftar Data's deadline


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desa_cantik", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, pg_admin: Engine, s3_server: str) -> Iterator[dict[str, str]]:
    """A kabupaten-style tier scoped to one kecamatan, with its own database, bucket, keys and Daftar Data file."""
    import sqlalchemy as sa

    name = f"dc_dua_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    home = tmp_path_factory.mktemp("airflow-dua-tahun")
    daftar = home / "daftar_data.yaml"
    daftar.write_text((ROOT / "config" / "daftar_data.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {
        **os.environ, **AIRFLOW_ENV,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "DESA_CANTIK_WILAYAH": SMALL_REGION,
        "DESA_CANTIK_DAFTAR_DATA": str(daftar),
        "DESA_CANTIK_GUDANG": pg_admin.url.set(database=name).render_as_string(hide_password=False),
        "DESA_CANTIK_OBJEK": f"s3://test:testsecret@{s3_server}/dua-{uuid.uuid4().hex[:8]}?secure=false&region=us-east-1",
        "DESA_CANTIK_RETRIES": "0",
        "DESA_CANTIK_KUNCI": str(home / "kunci"),
    }
    for command in (("migrasi",), ("keygen",)):
        assert _cli(env, *command).returncode == 0
    with airflow_api_server(home, env, reserialize=False):
        yield env
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def dua_tahun(deployment: dict[str, str], clean: Path, tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    """2025 closed through Airflow, the Daftar Data rolled by the command, 2026 closed through Airflow."""
    rt = Runtime.from_env(deployment)
    assert upload_folder(rt.store, clean, TAHUN) == 22
    dags_test(deployment, "desa_cantik_siklus_tahunan", PENUTUPAN[TAHUN])

    path = Path(deployment["DESA_CANTIK_DAFTAR_DATA"])
    before = path.read_text(encoding="utf-8")
    review = _cli(deployment, "gulir-tahun")  # the review first: nothing written
    assert review.returncode == 0 and f"tahun {TAHUN} → {BARU}" in review.stdout, review.stderr
    assert "Penutupan 2025: Publikasi DISETUJUI oleh bappeda" in review.stdout and path.read_text() == before
    written = _cli(deployment, "gulir-tahun", "--tulis")
    assert written.returncode == 0 and "Sudah ditulis." in written.stdout, written.stdout + written.stderr
    assert DaftarData.load(path).tahun == BARU

    new = Runtime.from_env(deployment)
    folder = berkas_tahun_berikut(new, tmp_path_factory.mktemp("berkas-2026"), FAKTOR)
    assert upload_folder(new.store, folder, BARU) == 22
    dags_test(deployment, "desa_cantik_siklus_tahunan", PENUTUPAN[BARU])
    return new


def test_kep_08_fires_on_exactly_the_desa_that_changed_by_more_than_ten_percent(dua_tahun: Runtime) -> None:
    wh = dua_tahun.warehouse
    summary, issues = wh.table_frame("ringkasan_validasi"), wh.table_frame("isu_validasi")
    kep08 = summary[summary["aturan"] == "KEP-08"]
    assert set(kep08["tahun"]) == {BARU}  # 2025 had no year before it
    assert set(kep08["kode_desa"]) == set(BERUBAH)
    assert set(issues.loc[issues["aturan"] == "KEP-08", "pengirim"]) == set(BERUBAH)  # the close's findings too
    stored = wh.dataset_rows("kependudukan", BARU).set_index("kode_desa")["jumlah_penduduk"]
    before = wh.dataset_rows("kependudukan", TAHUN).set_index("kode_desa")["jumlah_penduduk"]
    change = (100 * (stored / before - 1)).abs()
    assert len(change) == 10 and set(change[change > 10].index) == set(BERUBAH)
    subs = wh.submissions(BARU)
    assert len(subs) == 22 and not (subs["status"] == "ditolak").any()  # pre-filled templates pass as 2026's


def test_both_years_are_closed_and_their_signed_packages_verify(dua_tahun: Runtime) -> None:
    from desa_cantik.cycle.persetujuan import decisions

    for tahun in (TAHUN, BARU):
        rt = dua_tahun.untuk_tahun(tahun)
        assert [k["keputusan"] for k in decisions(rt)] == ["disetujui"]
        versi = json.loads(rt.store.get(layout.publication_pointer(tahun, SMALL_REGION)))["versi"]
        prefix = layout.publication(tahun, SMALL_REGION, versi) + "/"
        keys = [o.key for o in rt.store.list(prefix)]
        bag = dict(zip([k.removeprefix(prefix) for k in keys], get_many(rt.store, keys), strict=True))
        check = check_bag(bag, SMALL_REGION, rt.settings.kunci)  # the tier's own public key as the registry
        assert check.ok, check.reason
        assert check.info["Siklus"] == f"desa-cantik/{tahun}/kabupaten/{SMALL_REGION}"
        assert verify_package(check.payload) == []
        kec = pd.read_csv(io.BytesIO(check.payload["indikator_kecamatan.csv"])).set_index("indikator")
        total = rt.warehouse.dataset_rows("kependudukan", tahun)["jumlah_penduduk"].sum()
        assert kec.loc["jumlah_penduduk", "nilai"] == pytest.approx(total)  # each year's own data
