"""Bappeda's approval through Airflow's REST API, on the yearly DAG run by ``airflow dags test`` (one kecamatan,
embedded tier): only Bappeda may answer; "Tolak" needs a reason, skips publishing and is recorded; "Setujui"
publishes and is recorded too. The deployment's e-mail goes to a real SMTP server in the test process (aiosmtpd):
Bappeda's mail has arrived when the request is seen, Diskominfo hears of the close's low coverage, and the request
is recorded for its last call until it is answered."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from desa_cantik.cycle.inbox import upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.storage import layout

from .airflow_server import AirflowServer, airflow_api_server, dags_test_answering, finish, start_dags_test, wait_for_hitl
from .conftest import SMALL_REGION, TAHUN
from .penerima_kabar import KotakSurat, smtp_server

pytestmark = pytest.mark.airflow
CYCLE = "desa_cantik_siklus_tahunan"
DEADLINE = "2026-03-31T23:59:00+07:00"
LATER = "2026-04-01T06:00:00+07:00"
REASON = "Cakupan kesehatan_anak belum cukup; tunggu kiriman ulang Dinkes."


@pytest.fixture(scope="module")
def smtp() -> Iterator[KotakSurat]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def tier(tmp_path_factory: pytest.TempPathFactory, small_generated: Path, smtp: KotakSurat
         ) -> Iterator[tuple[AirflowServer, Runtime]]:
    """One kecamatan as an embedded tier (SQLite + folder), its inbox filled, an api-server on its metadata DB; its
    e-mail through the test's SMTP server (the demo users' addresses: ``scripts/peran.py sync``)."""
    home = tmp_path_factory.mktemp("persetujuan")
    env = {"DESA_CANTIK_HOME": str(home / "desa_cantik"), "DESA_CANTIK_WILAYAH": SMALL_REGION, "DESA_CANTIK_RETRIES": "0",
           "DESA_CANTIK_KABAR_SMTP": f"smtp://127.0.0.1:{smtp.port}?dari=kabar@pemda.invalid"}
    rt = Runtime.from_env(env)
    upload_folder(rt.store, str(small_generated), TAHUN)
    subprocess.run([sys.executable, "-m", "desa_cantik", "keygen"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    with airflow_api_server(home / "airflow", env, reserialize=False) as server:
        yield server, rt


def _decisions(rt: Runtime) -> list[dict[str, object]]:
    return [json.loads(rt.store.get(o.key)) for o in rt.store.list(f"persetujuan/{TAHUN}/{SMALL_REGION}/")]


def _states(server: AirflowServer, run_id: str) -> dict[str, str]:
    r = server.get(f"/api/v2/dags/{CYCLE}/dagRuns/{run_id}/taskInstances", "auditor", params={"limit": 100})
    r.raise_for_status()
    return {t["task_id"]: t["state"] for t in r.json()["task_instances"]}


def test_reject_needs_a_reason_skips_publishing_and_is_recorded(tier: tuple[AirflowServer, Runtime],
                                                                 smtp: KotakSurat) -> None:
    server, rt = tier
    log = server.home / "tolak.log"
    proc = start_dags_test(server.env, CYCLE, DEADLINE, log)
    try:
        detail = wait_for_hitl(server, CYCLE, proc)
        _bappeda_was_told(server, rt, smtp, detail["task_instance"]["dag_run_id"])
        assert detail["options"] == ["Setujui", "Tolak"] and detail["defaults"] == ["Tolak"]
        assert "Persetujuan Bappeda" in detail["subject"]
        for part in ("### Cakupan data", "### Indikator", "### Temuan yang masih terbuka", "jumlah_penduduk"):
            assert part in detail["body"], part
        # only Bappeda answers: the other roles are refused by the REST API itself
        for user in ("bps", "diskominfo", "auditor"):
            r = server.answer_hitl(detail, "Setujui", {"alasan": "bukan hak saya"}, user)
            assert r.status_code == 403, (user, r.status_code, r.text)
        # a rejection without its reason is asked again
        assert server.answer_hitl(detail, "Tolak", {"alasan": "  "}).status_code == 200
        again = wait_for_hitl(server, CYCLE, proc)
        assert again["task_instance"]["dag_run_id"] == detail["task_instance"]["dag_run_id"]
        assert server.answer_hitl(again, "Tolak", {"alasan": REASON}).status_code == 200
        finish(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
    run_id = detail["task_instance"]["dag_run_id"]
    states = _states(server, run_id)
    assert states["persetujuan_bappeda"] == "success"
    assert states["susun_paket"] == "skipped"
    assert states["catat_penolakan"] == "success"
    assert states["ringkasan"] == "success"
    assert not rt.store.exists(layout.publication_pointer(TAHUN, SMALL_REGION)), "nothing published"
    [decision] = _decisions(rt)
    assert decision["keputusan"] == "ditolak" and decision["oleh"] == "bappeda" and decision["alasan"] == REASON
    assert decision["run_id"] == run_id and decision["batas_waktu_habis"] is False
    asked = json.loads(rt.store.get(layout.open_approval(TAHUN, SMALL_REGION, run_id)))
    assert asked["ditutup"] >= asked["mulai"], "answered: no last call for it any more"


NO_PERSONAL_ID = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")


def _bappeda_was_told(server: AirflowServer, rt: Runtime, smtp: KotakSurat, run_id: str) -> None:
    """When the request is there, Bappeda's mail has arrived (sent before the task waits): what, by when, where;
    Diskominfo heard the close's datasets under the coverage threshold; the request is recorded for its last call."""
    [mail] = smtp.untuk("bappeda@demo.desacantik.invalid")
    assert mail.subjek == "[Desa Cantik] Persetujuan menunggu: paket Desa Cantik 2025 Donomulyo"
    assert mail.isi.splitlines()[0] == f"{server.url}/required_actions", mail.isi
    assert "Tanpa jawaban sampai batas itu, paket TIDAK diterbitkan" in mail.isi
    assert not NO_PERSONAL_ID.search(mail.subjek + mail.isi)
    low = [m for m in smtp.untuk("diskominfo@demo.desacantik.invalid") if "Cakupan rendah" in m.subjek]
    assert len(low) == 1 and low[0].isi.splitlines()[0] == f"{server.url}/desa-cantik/pantau", low
    asked = json.loads(rt.store.get(layout.open_approval(TAHUN, SMALL_REGION, run_id)))
    assert asked["run_id"] == run_id and "ditutup" not in asked
    hours = (datetime.fromisoformat(asked["batas"]) - datetime.fromisoformat(asked["mulai"])).total_seconds() / 3600
    assert hours == rt.daftar.batas_persetujuan_jam


def test_approve_publishes_and_is_recorded(tier: tuple[AirflowServer, Runtime]) -> None:
    server, rt = tier
    # the year was closed by the rejection above: closing it again takes a correction run, with its reason
    dags_test_answering(server, CYCLE, LATER, pilihan="Setujui", params={"alasan": "Cakupan cukup, terbitkan."},
                        conf={"koreksi": True, "alasan_koreksi": "Kiriman ulang Dinkes sudah masuk."})
    assert rt.store.exists(layout.publication_pointer(TAHUN, SMALL_REGION)), "the package is published"
    approved = [d for d in _decisions(rt) if d["keputusan"] == "disetujui"]
    assert len(approved) == 1 and approved[0]["oleh"] == "bappeda" and approved[0]["alasan"] == "Cakupan cukup, terbitkan."
    assert approved[0]["koreksi"] == "Kiriman ulang Dinkes sudah masuk."
    runs = server.get(f"/api/v2/dags/{CYCLE}/dagRuns", "auditor", params={"order_by": "-run_after"}).json()["dag_runs"]
    states = _states(server, runs[0]["dag_run_id"])
    assert states["susun_paket"] == "success" and states["catat_penolakan"] == "skipped"
    # answered once: a second answer is refused (409), whoever sends it
    hitl = server.get(f"/api/v2/dags/{CYCLE}/dagRuns/{runs[0]['dag_run_id']}/hitlDetails", "auditor").json()
    [detail] = hitl["hitl_details"]
    assert detail["responded_by_user"]["name"] == "bappeda" and detail["chosen_options"] == ["Setujui"]
    assert server.answer_hitl(detail, "Tolak", {"alasan": "terlambat"}).status_code == 409


GATE = "desa_cantik_gerbang_masuk"
FIX = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,penduduk_datang,"
       "penduduk_pindah\n35.07.01.2001,2025,2000,2100,4100,1200,60,25,40,30\n")


def _gate_run(server: AirflowServer, date: str, **env: str) -> dict[str, str]:
    """The hourly DAG through ``airflow dags test`` on the deployment (green, or an AssertionError with its output);
    its task states read back over REST."""
    log = server.home / f"jam-{date[11:13]}.log"
    finish(start_dags_test({**server.env, **env}, GATE, date, log), log)
    runs = server.get(f"/api/v2/dags/{GATE}/dagRuns", "auditor", params={"order_by": "-run_after"}).json()["dag_runs"]
    r = server.get(f"/api/v2/dags/{GATE}/dagRuns/{runs[0]['dag_run_id']}/taskInstances", "auditor",
                   params={"limit": 100})
    return {t["task_id"]: t["state"] for t in r.json()["task_instances"]}


def test_the_hourly_gate_stays_green_with_smtp_down_and_a_later_run_delivers(
        tier: tuple[AirflowServer, Runtime], smtp: KotakSurat, tmp_path: Path) -> None:
    from desa_cantik.storage.kotak import GAGAL, MENUNGGU_KIRIM, TERKIRIM

    from .penerima_kabar import free_port

    server, rt = tier
    quick = tmp_path / "kabar.yaml"  # the deployment's config, retrying after 1 s instead of 60
    quick.write_text((Path(__file__).parents[1] / "config" / "kabar.yaml").read_text().replace("awal_detik: 60",
                                                                                              "awal_detik: 1"))
    rt.store.put(f"masuk/{TAHUN}/kependudukan/35.07.01.2001/perbaikan-tulungrejo.csv", FIX.encode())
    dead = f"smtp://127.0.0.1:{free_port()}?dari=kabar@pemda.invalid"  # nothing listens there
    states = _gate_run(server, "2026-02-10T12:00:00+07:00", DESA_CANTIK_KABAR=str(quick), DESA_CANTIK_KABAR_SMTP=dead)
    assert states["kirim_kabar"] == "success" and "failed" not in states.values(), states
    [mine] = [q for q in rt.warehouse.queued_kabar() if q[3] == MENUNGGU_KIRIM]  # the file's verdict, for its desa
    assert mine[1].startswith("putusan/") and mine[4] == 1, mine
    tried = [a for a in rt.warehouse.kabar_log() if a.kotak_id == mine[0]]
    assert sorted(a.akun for a in tried) == ["operator-donomulyo", "operator-tulungrejo"]  # the desa's, its kecamatan's
    assert {a.hasil for a in tried} == {GAGAL}
    assert not [m for m in smtp.surat if "perbaikan-tulungrejo" in m.isi]
    # the next hour, SMTP up: nothing new in the inbox, and the first task itself delivers what waited
    states = _gate_run(server, "2026-02-10T13:00:00+07:00", DESA_CANTIK_KABAR=str(quick))
    assert states["jendela_terbuka"] == "success" and {s for t, s in states.items() if t != "jendela_terbuka"} == {
        "skipped"}, states
    assert [q[3] for q in rt.warehouse.queued_kabar() if q[0] == mine[0]] == [TERKIRIM]
    [mail] = [m for m in smtp.untuk("tulungrejo@demo.desacantik.invalid") if "perbaikan-tulungrejo" in m.isi]
    assert mail.subjek.startswith("[Desa Cantik] kependudukan: berkas") and mail.isi.startswith(f"{server.url}/desa-cantik/")
    assert [m for m in smtp.untuk("donomulyo@demo.desacantik.invalid") if "perbaikan-tulungrejo" in m.isi]
