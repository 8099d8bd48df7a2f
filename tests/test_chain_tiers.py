"""A real chain on loopback: two kabupaten/kota tiers, their province and the centre, each with its own
PostgreSQL database, its own bucket on the S3 server, its own keys and Airflow home, each running the
cycle through Airflow. Packages travel upward through the Airflow connection ``desa_cantik_hulu``."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from desa_cantik.bags import generate_key
from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.publish import latest_package
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.regions import desa_table
from desa_cantik.storage import migrasi
from desa_cantik.synthetic import generate
from tests.airflow_server import airflow_api_server, dags_test
from tests.conftest import AIRFLOW_ENV, TAHUN
from tests.test_e2e_airflow import DEADLINE, _airflow

pytestmark = [pytest.mark.airflow, pytest.mark.integration]
KABUPATEN = ("35.72", "35.76")  # Kota Blitar (21 kelurahan), Kota Mojokerto (18)
PROVINSI = "35"
Chain = tuple[dict[str, dict[str, str]], Path]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, pg_admin: sa.Engine, s3_server: str) -> Iterator[Chain]:
    root = tmp_path_factory.mktemp("rantai")
    host, port = s3_server.split(":")
    tiers: dict[str, dict[str, str]] = {}
    dbs = []
    servers = ExitStack()  # one api-server per tier: answers Bappeda's approval of its yearly run (dags_test)

    def tier(name: str, tingkat: str, kode: str, upstream_bucket: str | None) -> dict[str, str]:
        db = f"dc_{name.replace('.', '_')}_{uuid.uuid4().hex[:6]}"
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
        dbs.append(db)
        home = root / name
        env = {**os.environ, **AIRFLOW_ENV, "AIRFLOW_HOME": str(home / "airflow"),
               "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
               "DESA_CANTIK_TINGKAT": tingkat, "DESA_CANTIK_WILAYAH": kode, "DESA_CANTIK_RETRIES": "0",
               "DESA_CANTIK_GUDANG": pg_admin.url.set(database=db).render_as_string(hide_password=False),
               "DESA_CANTIK_OBJEK": f"s3://test:testsecret@{s3_server}/{bucket(name)}?secure=false&region=us-east-1",
               "DESA_CANTIK_KUNCI": str(home / "kunci")}
        env.pop("AIRFLOW_CONN_DESA_CANTIK_HULU", None)
        if upstream_bucket:
            env["AIRFLOW_CONN_DESA_CANTIK_HULU"] = json.dumps({
                "conn_type": "aws", "host": host, "port": int(port), "login": "test", "password": "testsecret",
                "extra": {"bucket": upstream_bucket, "region": "us-east-1"}})
        home.mkdir(parents=True, exist_ok=True)
        migrasi.upgrade(env["DESA_CANTIK_GUDANG"])  # the tier's init, before its tasks
        servers.enter_context(airflow_api_server(Path(env["AIRFLOW_HOME"]), env, reserialize=False))  # + db migrate
        return env

    suffix = uuid.uuid4().hex[:6]

    def bucket(name: str) -> str:
        return f"{name.replace('.', '-')}-{suffix}"

    tiers["pusat"] = tier("pusat", "pusat", "", None)
    tiers[PROVINSI] = tier("prov35", "provinsi", PROVINSI, bucket("pusat"))
    for kab in KABUPATEN:
        tiers[kab] = tier(kab, "kabupaten", kab, bucket("prov35"))
    # keys: every tier signs with its own; each upper tier registers its children's public keys
    for name, env, kode in [(k, tiers[k], k) for k in KABUPATEN] + [(PROVINSI, tiers[PROVINSI], PROVINSI)]:
        _, pub = generate_key(__import__("pathlib").Path(env["DESA_CANTIK_KUNCI"]), kode)
        parent = tiers[PROVINSI] if name in KABUPATEN else tiers["pusat"]
        registry = __import__("pathlib").Path(parent["DESA_CANTIK_KUNCI"]) / "kunci_publik"
        registry.mkdir(parents=True, exist_ok=True)
        (registry / f"{kode}.pub").write_bytes(pub.read_bytes())
    generate_key(__import__("pathlib").Path(tiers["pusat"]["DESA_CANTIK_KUNCI"]), "ID")  # the centre signs too
    yield tiers, root
    servers.close()
    for db in dbs:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))


def _answer_totals(folder: Path) -> dict[str, float]:
    kep = pd.read_csv(folder / "_kebenaran" / "kependudukan.csv", dtype={"kode_desa": str})
    kes = pd.read_csv(folder / "_kebenaran" / "kesehatan_anak.csv", dtype={"kode_desa": str})
    return {"jumlah_penduduk": float(kep["jumlah_penduduk"].sum()), "laki": float(kep["penduduk_laki"].sum()),
            "perempuan": float(kep["penduduk_perempuan"].sum()), "desa_kep": len(kep),
            "stunting": float(kes["balita_stunting"].sum()), "ditimbang": float(kes["balita_ditimbang"].sum())}


def test_chain_kabupaten_provinsi_pusat(chain: Chain, tmp_path: Path) -> None:
    tiers, root = chain
    started = time.time()
    truth = {}
    for i, kab in enumerate(KABUPATEN):
        folder = root / f"kiriman-{kab}"
        generate(kab, TAHUN, folder, seed=20 + i, error_rate=0.1)
        truth[kab] = _answer_totals(folder)
        upload_folder(Runtime.from_env(tiers[kab]).store, str(folder), TAHUN)
        dags_test(tiers[kab], "desa_cantik_siklus_tahunan", DEADLINE)

    prov = Runtime.from_env(tiers[PROVINSI])
    # a tampered copy of Blitar's package, dressed as a newer version, reaches the province too
    inbox = f"masuk/{TAHUN}/paket/35.72/"
    real = [o.key for o in prov.store.list(inbox)]
    assert real, "Blitar's package reached the province's bucket"
    version = real[0].split("/")[4]
    for key in real:
        data = prov.store.get(key)
        if key.endswith("data/komponen_desa.csv"):
            data = data.replace(b",jumlah_penduduk,", b",jumlah_penduduk,1", 1)
        prov.store.put(key.replace(version, "20990101T000000Z"), data)
    dags_test(tiers[PROVINSI], "desa_cantik_siklus_tahunan", DEADLINE)

    sent = prov.warehouse.table_frame("pengiriman_paket").set_index(["kode_pengirim", "versi"])
    assert sent.loc[("35.72", version), "status"] == "diterima"
    assert sent.loc[("35.72", "20990101T000000Z"), "status"] == "ditolak"
    assert "rusak" in sent.loc[("35.72", "20990101T000000Z"), "alasan"]
    assert (sent.xs("35.76", level=0)["status"] == "diterima").all()

    ind = prov.warehouse.table_frame("indikator").set_index(["tingkat", "kode_wilayah", "indikator"])
    for kab in KABUPATEN:
        assert ind.loc[("kabupaten", kab, "jumlah_penduduk"), "nilai"] == truth[kab]["jumlah_penduduk"]
        assert ind.loc[("kabupaten", kab, "jumlah_penduduk"), "desa_kontribusi"] == truth[kab]["desa_kep"]
        assert ind.loc[("kabupaten", kab, "jumlah_penduduk"), "desa_total"] == len(desa_table(kab))
    coverage = pd.read_csv(__import__("io").BytesIO(latest_package(prov)["pengiriman.csv"]), dtype=str)
    delivered = set(coverage.loc[coverage["terkirim"] == "True", "kode_wilayah"])
    assert delivered == set(KABUPATEN)
    assert "35.79" in set(coverage.loc[coverage["terkirim"] == "False", "kode_wilayah"]), "a missing kota shows"

    # Blitar resends (a later run): the newest version replaces its contribution; the province, having
    # published already, runs a correction through its hourly gate and sends a new version up
    dags_test(tiers["35.72"], "desa_cantik_siklus_tahunan", "2026-04-02T08:00:00+07:00",
              conf={"koreksi": True, "alasan_koreksi": "kiriman ulang Blitar"})  # its year was closed: a correction
    _airflow(tiers[PROVINSI], "dags", "test", "desa_cantik_gerbang_masuk", "2026-04-02T09:00:00+07:00")
    versions = prov.warehouse.deliveries(TAHUN).query("kode_pengirim == '35.72' and status == 'diterima'")
    assert len(versions) == 2, "both versions kept"
    comps = prov.warehouse.components(TAHUN, "35.72")
    assert set(comps["versi"]) == {versions["versi"].max()}, "the newest version is used"
    centre_inbox = Runtime.from_env(tiers["pusat"]).store.list(f"masuk/{TAHUN}/paket/35/")
    assert len({o.key.split("/")[4] for o in centre_inbox}) == 2, "original and corrected province packages"

    dags_test(tiers["pusat"], "desa_cantik_siklus_tahunan", DEADLINE)
    centre = Runtime.from_env(tiers["pusat"])
    cind = centre.warehouse.table_frame("indikator").set_index(["tingkat", "kode_wilayah", "indikator"])
    total = sum(t["jumlah_penduduk"] for t in truth.values())
    assert cind.loc[("provinsi", "35", "jumlah_penduduk"), "nilai"] == total
    assert cind.loc[("nasional", "", "jumlah_penduduk"), "nilai"] == total
    laki = sum(t["laki"] for t in truth.values())
    perempuan = sum(t["perempuan"] for t in truth.values())
    assert cind.loc[("provinsi", "35", "rasio_jenis_kelamin"), "nilai"] == pytest.approx(100 * laki / perempuan, rel=1e-6)
    stunting = sum(t["stunting"] for t in truth.values()) / sum(t["ditimbang"] for t in truth.values())
    assert cind.loc[("provinsi", "35", "prevalensi_stunting"), "nilai"] == pytest.approx(100 * stunting, rel=1e-6)
    assert cind.loc[("provinsi", "35", "jumlah_penduduk"), "desa_kontribusi"] == sum(t["desa_kep"] for t in truth.values())
    assert cind.loc[("provinsi", "35", "jumlah_penduduk"), "desa_total"] == len(desa_table("35"))
    centre_sent = centre.warehouse.table_frame("pengiriman_paket")
    assert set(centre_sent["status"]) == {"diterima"} and len(centre_sent) == 2
    print(f"\nrantai: {sum(len(desa_table(k)) for k in KABUPATEN)} desa, {len(KABUPATEN)} kabupaten/kota, "
          f"provinsi menerima {int((sent['status'] == 'diterima').sum()) + 1} paket, menolak "
          f"{int((sent['status'] == 'ditolak').sum())}, pusat menerima {len(centre_sent)}; "
          f"{time.time() - started:.0f} s")
