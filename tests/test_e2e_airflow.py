"""The cycle end to end through Airflow (``airflow dags test``), on real PostgreSQL and a real S3 server.

Asserts numbers: rows received = rows stored + rows quarantined; stored rows equal the answer key;
indicators equal an independent recomputation from the generated data; a second run changes nothing;
a resubmission gated by the hourly DAG replaces that desa's data and both files stay archived.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.publishing import verify_package
from desa_cantik.storage import Warehouse

from .airflow_server import airflow_api_server, dags_test
from .conftest import AIRFLOW_ENV, SMALL_REGION, TAHUN

if TYPE_CHECKING:
    from sqlalchemy import Engine

FirstRun = tuple[Runtime, int]

pytestmark = [pytest.mark.airflow, pytest.mark.integration]
DEADLINE = "2026-03-31T23:59:00+07:00"


def _airflow(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    airflow = str(Path(sys.executable).parent / "airflow")
    proc = subprocess.run([airflow, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"airflow {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, pg_admin: Engine, s3_server: str) -> Iterator[dict[str, str]]:
    """A kabupaten-style tier scoped to one kecamatan, its own PostgreSQL database and S3 bucket."""
    import uuid

    import sqlalchemy as sa

    name = f"dc_e2e_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    home = tmp_path_factory.mktemp("airflow-e2e")
    env = {
        **os.environ, **AIRFLOW_ENV,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "DESA_CANTIK_WILAYAH": SMALL_REGION,
        "DESA_CANTIK_GUDANG": pg_admin.url.set(database=name).render_as_string(hide_password=False),
        "DESA_CANTIK_OBJEK": f"s3://test:testsecret@{s3_server}/e2e-{uuid.uuid4().hex[:8]}?secure=false&region=us-east-1",
        "DESA_CANTIK_RETRIES": "0",
        "DESA_CANTIK_KUNCI": str(home / "kunci"),
    }
    subprocess.run([sys.executable, "-m", "desa_cantik", "migrasi"], env=env, check=True, capture_output=True)  # as init
    subprocess.run([sys.executable, "-m", "desa_cantik", "keygen"], env=env, check=True, capture_output=True)  # signs
    with airflow_api_server(home, env, reserialize=False):  # db migrate, roles; answers Bappeda's approval (dags_test)
        yield env
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def first_run(deployment: dict[str, str], small_generated: Path) -> FirstRun:
    rt = Runtime.from_env(deployment)
    uploaded = upload_folder(rt.store, str(small_generated), TAHUN)
    dags_test(deployment, "desa_cantik_siklus_tahunan", DEADLINE)  # approved as bappeda through the REST API
    return rt, uploaded


def _answer(small_generated: Path, ds: str) -> pd.DataFrame:
    return pd.read_csv(small_generated / "_kebenaran" / f"{ds}.csv", dtype={"kode_desa": str})


def test_rows_received_equal_rows_stored_plus_quarantined(first_run: FirstRun, small_generated: Path) -> None:
    rt, uploaded = first_run
    w: Warehouse = rt.warehouse
    subs = w.table_frame("berkas_masuk")
    assert len(subs) == uploaded == 22
    for ds in ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk"):
        read = int(subs.loc[subs["dataset"] == ds, "baris_dibaca"].sum())
        stored = len(w.dataset_rows(ds, TAHUN))
        quarantined = int(w.count_quarantined_rows(ds, TAHUN))
        assert read == stored + quarantined, ds
        assert stored == len(_answer(small_generated, ds)), ds


def test_stored_values_are_what_passed_the_gate(first_run: FirstRun, small_generated: Path) -> None:
    rt, _ = first_run
    stored = rt.warehouse.dataset_rows("kependudukan", TAHUN)
    expected = _answer(small_generated, "kependudukan").sort_values("kode_desa", ignore_index=True)
    cols = list(expected.columns)
    pd.testing.assert_frame_equal(stored[cols].reset_index(drop=True), expected[cols], check_dtype=False)
    # every stored row points at an archived file whose sha256 is the one the gate checked
    subs = rt.warehouse.table_frame("berkas_masuk").set_index("sha256")
    import hashlib

    for sha in stored["sha256_berkas"].unique():
        assert hashlib.sha256(rt.store.get(subs.loc[sha, "kunci_arsip"])).hexdigest() == sha


def test_every_injected_error_is_in_quarantine_or_findings(first_run: FirstRun, small_generated: Path) -> None:
    rt, _ = first_run
    galat = pd.read_csv(small_generated / "_kebenaran" / "galat.csv", dtype={"kode_desa": str})
    summary = rt.warehouse.table_frame("ringkasan_validasi")
    subs = rt.warehouse.table_frame("berkas_masuk")
    for g in galat.itertuples():
        hits = summary[(summary["dataset"] == g.dataset) & (summary["aturan"] == g.aturan)]
        senders = set(subs.loc[subs["dataset"] == g.dataset, "pengirim"])
        assert len(hits), (g.jenis, g.aturan)
        if g.dataset in ("kependudukan", "fasilitas") and g.kode_desa in senders:
            sha = subs.loc[(subs["dataset"] == g.dataset) & (subs["pengirim"] == g.kode_desa), "sha256"]
            assert set(sha) & set(hits["sha256_berkas"]), (g.jenis, g.kode_desa)


def _independent_indicators(root: Path) -> dict[str, float]:
    kep = _answer(root, "kependudukan")
    fas = _answer(root, "fasilitas")
    kes = _answer(root, "kesehatan_anak")
    both = fas.merge(kes, on="kode_desa")
    return {
        "jumlah_penduduk": kep["jumlah_penduduk"].sum(),
        "rasio_jenis_kelamin": 100 * kep["penduduk_laki"].sum() / kep["penduduk_perempuan"].sum(),
        "rata_rata_anggota_kk": kep["jumlah_penduduk"].sum() / kep["jumlah_kk"].sum(),
        "angka_kelahiran_kasar": 1000 * kep["kelahiran"].sum() / kep["jumlah_penduduk"].sum(),
        "angka_kematian_kasar": 1000 * kep["kematian"].sum() / kep["jumlah_penduduk"].sum(),
        "prevalensi_stunting": 100 * kes["balita_stunting"].sum() / kes["balita_ditimbang"].sum(),
        "posyandu_per_1000_balita": 1000 * both["jumlah_posyandu"].sum() / both["jumlah_balita"].sum(),
        "persen_desa_listrik_pln": 100 * (fas["sumber_penerangan"] == "PLN").mean(),
        "persen_desa_sinyal_4g": 100 * (fas["sinyal_internet"] == "4G_5G").mean(),
    }


def test_indicators_equal_independent_recomputation(first_run: FirstRun, small_generated: Path) -> None:
    rt, _ = first_run
    ind = rt.warehouse.table_frame("indikator")
    kec = ind[(ind["tingkat"] == "kecamatan") & (ind["kode_wilayah"] == SMALL_REGION)].set_index("indikator")
    expected = _independent_indicators(small_generated)
    assert set(kec.index) == set(expected)
    for name, value in expected.items():
        assert kec.loc[name, "nilai"] == pytest.approx(value, rel=1e-6), name
    assert kec.loc["jumlah_penduduk", "desa_kontribusi"] == len(_answer(small_generated, "kependudukan"))
    assert (kec["desa_total"] == 10).all()


def test_package_in_object_store_verifies(first_run: FirstRun) -> None:
    from desa_cantik.cycle.publish import latest_package

    rt, _ = first_run
    files = latest_package(rt)
    assert verify_package(files) == []
    assert files["indikator.sdmx.csv"].startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,TINGKAT,WILAYAH,INDIKATOR")
    assert json.loads(files["ckan_package_create.json"])["name"] == "desa-cantik-2025-kabupaten-35-07-01"
    findings = pd.read_csv(io.BytesIO(files["ringkasan_validasi.csv"]))
    assert {"KEP-01", "FAS-01"} <= set(findings["aturan"]) and (findings["jumlah"] > 0).all()
    manifest = json.loads(files["manifest.json"])
    assert manifest["siklus"] == f"desa-cantik/{TAHUN}/kabupaten/{SMALL_REGION}"
    rows = {f["nama"]: f["baris"] for f in manifest["berkas"]}
    assert rows["indikator_kecamatan.csv"] == 9
    assert rows["indikator_desa.csv"] == len(pd.read_csv(io.BytesIO(files["indikator_desa.csv"])))
    # every file's report lies beside its archived copy
    assert len([o for o in rt.store.list(f"arsip/{TAHUN}/") if o.key.endswith(".laporan.json")]) == 22


def test_second_run_changes_nothing(first_run: FirstRun, deployment: dict[str, str]) -> None:
    rt, _ = first_run
    before = rt.warehouse.fingerprint()
    # the year is closed: running the whole cycle again is a correction run (otherwise refused at its first task)
    dags_test(deployment, "desa_cantik_siklus_tahunan", "2026-04-01T00:30:00+07:00",
              conf={"koreksi": True, "alasan_koreksi": "uji: menjalankan ulang seluruh siklus"})
    assert rt.warehouse.fingerprint() == before


def test_resubmission_through_hourly_gate_replaces_desa_data(first_run: FirstRun, deployment: dict[str, str],
                                                              small_generated: Path) -> None:
    rt, _ = first_run
    subs = rt.warehouse.table_frame("berkas_masuk")
    rejected = subs[(subs["dataset"] == "kependudukan") & (subs["status"] == "ditolak")].iloc[0]
    desa = rejected["pengirim"]
    fixed = pd.DataFrame([{"kode_desa": desa, "tahun": TAHUN, "penduduk_laki": 2000, "penduduk_perempuan": 2100,
                           "jumlah_penduduk": 4100, "jumlah_kk": 1200, "kelahiran": 60, "kematian": 25,
                           "penduduk_datang": 40, "penduduk_pindah": 30}])
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{desa}/perbaikan.csv", fixed.to_csv(index=False).encode())
    _airflow(deployment, "dags", "test", "desa_cantik_gerbang_masuk", "2026-02-10T10:00:00+07:00")
    stored = rt.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa")
    assert stored.loc[desa, "jumlah_penduduk"] == 4100
    archived = [o.key for o in rt.store.list(f"arsip/{TAHUN}/kependudukan/{desa}/") if ".laporan." not in o.key]
    assert len(archived) == 2, "both the rejected file and its fix are kept"
    assert len(rt.warehouse.table_frame("berkas_masuk")) == 23


def test_reports_match_the_precheck_and_data_docs_are_published(first_run: FirstRun) -> None:
    from desa_cantik.feedback import report_text
    from desa_cantik.precheck import precheck

    rt, _ = first_run
    subs = rt.warehouse.table_frame("berkas_masuk")
    for row in subs[subs["dataset"] == "fasilitas"].head(4).itertuples():
        stored = rt.store.get(row.kunci_arsip + ".laporan.txt").decode()
        cli = report_text(precheck(rt.store.get(row.kunci_arsip), row.nama_berkas, "fasilitas", TAHUN, row.pengirim))
        assert stored == cli, row.nama_berkas
        assert json.loads(rt.store.get(row.kunci_arsip + ".laporan.json"))["status"] == row.status
    pages = [o.key for o in rt.store.list(f"data_docs/{TAHUN}/")]
    assert {k.rsplit("/", 1)[-1] for k in pages} == {f"{d}.html" for d in
                                                     ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk")
                                                     } | {"index.html", "ringkasan.json"}
    # Each gate run's kependudukan page states that run's verdicts, file by file, as berkas_masuk records them.
    from desa_cantik.kosakata import STATUS_LABEL
    from desa_cantik.quality import load_suite
    from desa_cantik.storage.layout import data_docs_prefix

    kep = subs[subs["dataset"] == "kependudukan"]
    findings = rt.warehouse.table_frame("ringkasan_validasi")
    suite_rules = {e["meta"]["aturan"] for e in load_suite("kependudukan")["expectations"]}
    assert not kep.empty  # the cycle's gate run, and the hourly gate's run of a fix when that test ran first
    for run_id, files in kep.groupby("run_id"):
        run_pages = [k for k in pages if k.startswith(data_docs_prefix(TAHUN, str(run_id)))
                     and k.endswith("/kependudukan.html")]
        assert len(run_pages) == 1, (run_id, run_pages)  # one kecamatan: one batch
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rt.store.get(run_pages[0]).decode())).split())
        assert f"Run {run_id} " in text
        counts = files["status"].value_counts()
        verdicts = ", ".join(f"{counts[s]} {label}" for s, label in STATUS_LABEL.items() if s in counts)
        assert f" {len(files)} berkas dalam validasi ini ({verdicts}) " in text
        for f in files.itertuples():
            assert f" {f.nama_berkas} {f.pengirim} {f.sha256} {STATUS_LABEL[f.status]} {f.baris_dibaca} " in text
        # GX's verdict on the batch: failed exactly when a rule of the suite found an error or a warning in its files
        found = findings[findings["sha256_berkas"].isin(files["sha256"]) & findings["aturan"].isin(suite_rules)
                         & findings["keparahan"].isin(["error", "warning"])]
        assert ("Status validasi: gagal" in text) == (not found.empty), (run_id, found)
        header = re.search(r" Hasil validasi BPS: kependudukan (semua aturan terpenuhi|(\d+) dari \d+ aturan tidak terpenuhi) ",
                           text)
        assert header and (header[2] is not None) == (not found.empty)
        assert int(header[2] or 0) >= found["aturan"].nunique()


AUDIT_QUERY = """
SELECT r.run_id, b.nama_berkas, b.pengirim, r.aturan, r.keparahan, r.jumlah, b.sha256
FROM ringkasan_validasi r JOIN berkas_masuk b ON b.sha256 = r.sha256_berkas
WHERE r.keparahan = 'error' ORDER BY b.nama_berkas, r.aturan
"""


def test_auditor_one_query_which_rule_rejected_which_file_in_which_run(first_run: FirstRun) -> None:
    import sqlalchemy as sa

    rt, _ = first_run
    with rt.warehouse.engine.connect() as conn:
        answer = pd.read_sql(sa.text(AUDIT_QUERY), conn)
    rejected = rt.warehouse.submissions(TAHUN).query("status == 'ditolak'")
    assert set(rejected["sha256"]) <= set(answer["sha256"])
    assert answer["run_id"].str.startswith("manual__").all()


def test_empty_inbox_hourly_run_ends_in_its_first_task(first_run: FirstRun, deployment: dict[str, str]) -> None:
    """Nothing new in the inbox: the hourly run ends in ``jendela_terbuka`` (its log says "kotak masuk kosong"),
    every other task is skipped, ``ringkasan`` included, and the warehouse is unchanged."""
    import sqlite3

    rt, _ = first_run
    before = rt.warehouse.fingerprint()
    gate = "desa_cantik_gerbang_masuk"
    out = _airflow({**deployment, "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}, "dags", "test", gate,
                   "2026-02-10T11:00:00+07:00")
    assert "kotak masuk kosong" in out
    with sqlite3.connect(deployment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///")) as conn:
        run_id = conn.execute("SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (gate,)).fetchone()[0]
        states = conn.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                              (gate, run_id)).fetchall()
    first = [s for t, s in states if t == "jendela_terbuka"]
    rest = {t: s for t, s in states if t != "jendela_terbuka"}
    assert first == ["success"]
    assert {"pengumpulan_kominfo.rencana_batch", "validasi_bps.gerbang_mutu", "ringkasan"} <= set(rest)
    assert "koreksi_publikasi" not in rest  # a kabupaten/kota has no correction task
    assert set(rest.values()) == {"skipped"}, rest
    assert rt.warehouse.fingerprint() == before
