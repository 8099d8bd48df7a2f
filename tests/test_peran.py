"""Roles as data (config/peran.yaml): the policy holds, the README's table is the data's, the user CSV is checked,
and the approval's decisions are derived right (no Airflow server: tests/test_peran_api.py covers that)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desa_cantik.cycle.handoff import KEPUTUSAN
from desa_cantik.cycle.persetujuan import (
    SETUJUI,
    TOLAK,
    approval_markdown,
    decision_from_event,
    decision_key,
    decision_text,
    rejected_without_reason,
)
from desa_cantik.peran import HALAMAN, DaftarPeran, PeranError, read_users

from .conftest import ROOT

GATE, CYCLE = "desa_cantik_gerbang_masuk", "desa_cantik_siklus_tahunan"
WRITE = ("can_edit", "can_create", "can_delete")
OWN = ("My Password", "My Profile")  # every user may change their own password and profile


@pytest.fixture(scope="module")
def daftar() -> DaftarPeran:
    return DaftarPeran.load()


def test_roles_and_pages_are_the_agreed_ones(daftar: DaftarPeran) -> None:
    assert {p.kunci: p.nama for p in daftar.peran.values()} == {
        "bps": "BPS", "diskominfo": "Diskominfo", "bappeda": "Bappeda", "auditor": "Auditor",
        "operator_desa": "Operator Desa", "operator_kecamatan": "Operator Kecamatan", "operator_opd": "Operator OPD",
        "admin": "Admin"}
    assert HALAMAN == {"pantau": "Desa Cantik: Pantau Siklus", "temuan": "Desa Cantik: Temuan",
                       "indikator": "Desa Cantik: Indikator", "paket": "Desa Cantik: Paket",
                       "laporan": "Desa Cantik: Laporan Berkas", "kirim": "Desa Cantik: Kirim Data",
                       "kabar": "Desa Cantik: Kabar"}
    monitoring = set(HALAMAN) - {"kirim", "kabar"}
    for p in daftar.peran.values():  # pillar staff open every monitoring page; operators only their own
        kabar = {"kabar"} if p.kunci in ("diskominfo", "auditor", "admin") else set()  # the notifications' log
        assert set(p.halaman) == ({"kirim"} if p.cakupan else monitoring | kabar), p.kunci
        assert p.boleh("can_read", HALAMAN["pantau"]) is (p.bawaan or not p.cakupan)
    assert {p.cakupan for p in daftar.peran.values() if p.cakupan} == {"desa", "kecamatan", "opd"}
    pages = next(k for k in daftar.kemampuan.values() if k.kunci == "halaman")
    assert {p[1] for p in pages.perlu} == {HALAMAN[h] for h in monitoring}


def test_policy(daftar: DaftarPeran) -> None:
    """Only Admin deletes; only Bappeda answers the approval; the auditor never writes; who triggers what."""
    can = {k: {p.kunci for p in daftar.peran.values() if daftar.mampu(p, a)} for k, a in daftar.kemampuan.items()}
    assert can["hapus_run"] == {"admin"}
    assert can["setujui"] == {"bappeda", "admin"}
    assert can["picu_gerbang"] == can["ulang_gerbang"] == {"bps", "diskominfo", "admin"}
    assert can["picu_siklus"] == can["ulang_siklus"] == {"diskominfo", "admin"}
    assert can["ubah_koneksi"] == {"diskominfo", "admin"}
    assert can["log_audit"] == {"auditor", "admin"}
    assert can["pengguna"] == {"admin"}
    operators = {p.kunci for p in daftar.peran.values() if p.cakupan}
    assert can["lihat"] == can["halaman"] == set(daftar.peran) - operators
    assert can["kirim"] == operators, "Admin holds the permission, but is bound to no desa: Kirim data refuses it"
    assert can["navigasi"] == can["halaman"], "Airflow's nav lists the monitoring pages to exactly who may open them"
    for k in operators:  # an operator sees no DAG, run, log, variable, connection nor Airflow's nav: its own pages
        assert {r for _, r in daftar.peran[k].izin} == {"Website", "My Password", "My Profile", HALAMAN["kirim"]}, k
    for p in daftar.custom_roles():
        assert not [i for i in p.izin if i[0] == "can_delete"], p.kunci
        assert all("can_delete" not in acts for grants in p.dag.values() for acts in grants.values()), p.kunci
    auditor = daftar.by_name("auditor")
    assert not [i for i in auditor.izin if i[0] in WRITE and i[1] not in OWN]
    assert all(set(acts) <= {"can_read"} for g in auditor.dag.values() for acts in g.values())


def test_access_control_is_per_dag_and_names_fab_roles(daftar: DaftarPeran) -> None:
    gate, cycle = daftar.access_control(GATE), daftar.access_control(CYCLE)
    assert "Admin" not in gate and set(gate) == {"BPS", "Diskominfo", "Bappeda", "Auditor"}
    assert gate["BPS"] == {"DAGs": {"can_read", "can_edit"}, "DAG Runs": {"can_read", "can_create"}}
    assert cycle["BPS"] == {"DAGs": {"can_read"}, "DAG Runs": {"can_read"}}
    assert cycle["Bappeda"]["DAGs"] == {"can_read", "can_edit"} and "can_create" not in cycle["Bappeda"]["DAG Runs"]


def test_both_dags_carry_the_roles_access_control(daftar: DaftarPeran) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    for dag_id in (GATE, CYCLE):
        assert bag.dags[dag_id].access_control == daftar.access_control(dag_id), dag_id
    from common.persetujuan import PersetujuanBappeda

    approval = bag.dags[CYCLE].get_task("persetujuan_bappeda")
    assert isinstance(approval, PersetujuanBappeda)
    assert approval.owner == "bappeda-koordinator-data"
    assert approval.downstream_task_ids == {"susun_paket", "catat_penolakan"}
    assert approval.options == [SETUJUI, TOLAK] and approval.defaults == [TOLAK]
    assert approval.response_timeout == timedelta(hours=72)  # persetujuan.batas_waktu_jam of the Daftar Data
    assert bag.dags[CYCLE].get_task("hitung_indikator").downstream_task_ids == {"persetujuan_bappeda"}


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- tabel-peran: [^>]*-->\n(.*?)\n<!-- /tabel-peran -->", text, re.S)
    assert found, "README: section 'Peran dan hak akses' lost its generated table markers"
    return found.group(1)


def test_readme_role_table_is_the_data(daftar: DaftarPeran) -> None:
    assert _readme_table() == daftar.role_table(), "regenerate: python scripts/peran.py tabel"


def test_demo_users_import_cleanly(daftar: DaftarPeran) -> None:
    users = read_users((ROOT / "config" / "pengguna_demo.csv").read_text(encoding="utf-8"), daftar)
    assert {u.username: (u.peran, u.kata_sandi) for u in users} == {
        "bps": ("BPS", "bps-demo"), "diskominfo": ("Diskominfo", "diskominfo-demo"), "bappeda": ("Bappeda", "bappeda-demo"),
        "auditor": ("Auditor", "auditor-demo"), "admin": ("Admin", "admin-demo"),
        "operator-tulungrejo": ("Operator Desa", "operator-demo"), "operator-donomulyo": ("Operator Kecamatan", "operator-demo"),
        "operator-dinkes": ("Operator OPD", "operator-demo")}
    assert "kata_sandi" not in repr(users[0]) and "bps-demo" not in repr(users[0])  # never in a log line


def test_user_csv_errors_are_all_reported_with_their_line(daftar: DaftarPeran) -> None:
    csv = ("username,nama_depan,nama_belakang,email,peran,kode_wilayah\n"
           "ok,Siti,A,siti@contoh.id,BPS,\n"
           "bad name,Budi,B,budi@contoh.id,bps,\n"
           "x2,Ani,C,bukan-email,bps,\n"
           "x3,Dewi,D,dewi@contoh.id,walikota,\n"
           "x4,Eka,E,eka@contoh.id,auditor,35.07.xx\n"
           "OK,Fajar,F,fajar@contoh.id,admin,\n")
    with pytest.raises(PeranError) as err:
        read_users(csv, daftar)
    msg = str(err.value)
    for line, word in ((3, "username tidak sah"), (4, "email tidak sah"), (5, "peran tidak dikenal"),
                       (6, "kode_wilayah"), (7, "username ganda")):
        assert f"baris {line}: {word}" in msg, msg
    with pytest.raises(PeranError, match="kolom hilang: peran"):
        read_users("username,nama_depan,nama_belakang,email,kode_wilayah\n", daftar)
    operator = read_users("username,nama_depan,nama_belakang,email,peran,kode_wilayah,kata_sandi\n"
                          "op1,Op,,op@contoh.id,bps,35.07.01,\n", daftar)[0]
    assert operator.kode_wilayah == "35.07.01" and operator.kata_sandi == ""


def test_a_wrong_roles_file_fails_loudly(tmp_path: Path) -> None:
    base = (ROOT / "config" / "peran.yaml").read_text(encoding="utf-8")
    cases = {
        "aksi tidak dikenal": ("DAGs: [can_read, menu_access]", "DAGs: [can_read, can_edti]"),
        "tidak diterima Airflow": ("{DAGs: [can_read], DAG Runs: [can_read]}\n    halaman: [pantau, temuan, indikator, paket, laporan, kabar]\n  operator_desa",
                                   "{DAGs: [can_read], DAG Runs: [can_edit]}\n    halaman: [pantau, temuan, indikator, paket, laporan, kabar]\n  operator_desa"),
        "cakupan": ("cakupan: desa ", "cakupan: dusun "),
        "halaman tidak dikenal": ("halaman: [pantau, temuan, indikator, paket, laporan]\n  diskominfo",
                                  "halaman: [pantau, rahasia]\n  diskominfo"),
        "hanya peran bawaan FAB": ("bawaan: true", "bawaan: false"),
    }
    for expected, (old, new) in cases.items():
        assert old in base, old
        bad = tmp_path / "peran.yaml"
        bad.write_text(base.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(PeranError, match=expected):
            DaftarPeran.load(bad)


def test_decisions_from_the_approval_event() -> None:
    when = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    ok = decision_from_event({"chosen_options": [SETUJUI], "params_input": {"alasan": " cakupan cukup "},
                              "responded_at": when, "responded_by_user": {"id": "3", "name": "bappeda"}}, "run1")
    assert ok == {"keputusan": "disetujui", "oleh": "bappeda", "pada": when.isoformat(), "alasan": "cakupan cukup",
                  "batas_waktu_habis": False, "run_id": "run1", "versi_serah": KEPUTUSAN.tulis}
    assert "DISETUJUI oleh bappeda" in decision_text(ok)
    assert rejected_without_reason({"chosen_options": [TOLAK], "params_input": {"alasan": "  "}})
    assert not rejected_without_reason({"chosen_options": [TOLAK], "params_input": {"alasan": "data belum lengkap"}})
    assert not rejected_without_reason({"chosen_options": [SETUJUI], "params_input": {}})
    # the scheduler's timeout sweep: defaults (Tolak), nobody responded, not asked again, never published
    timeout = {"chosen_options": [TOLAK], "params_input": {"alasan": ""}, "responded_at": when,
               "responded_by_user": None, "timedout": True}
    assert not rejected_without_reason(timeout)
    k = decision_from_event(timeout, "run2")
    assert k["keputusan"] == "ditolak" and k["batas_waktu_habis"] and k["oleh"] == ""
    assert "batas waktu" in decision_text(k) and "TIDAK diterbitkan" in decision_text(k)
    assert decision_key(2025, "35.07", k["pada"], k["keputusan"]) == "persetujuan/2025/35.07/20260401T020000Z-ditolak.json"


def test_approval_body_is_indonesian_markdown() -> None:
    body = approval_markdown({
        "tahun": 2025, "tingkat": "kabupaten", "kode_wilayah": "35.07", "nama_wilayah": "Kabupaten Malang",
        "indikator": [{"indikator": "jumlah_penduduk", "nilai": 2654448.0, "satuan": "jiwa", "desa_kontribusi": 374,
                       "desa_total": 390},
                      {"indikator": "prevalensi_stunting", "nilai": 21.456, "satuan": "persen", "desa_kontribusi": 378,
                       "desa_total": 390}],
        "cakupan": [{"sumber": "kependudukan", "desa_kontribusi": 374, "desa_total": 390}],
        "ditolak_belum_diperbaiki": {"kependudukan": [f"35.07.01.20{i:02d}" for i in range(12)]},
        "temuan": [{"aturan": "KEP-01", "keparahan": "error", "jumlah": 4}],
        "belum_mengirim": []}, 72)
    for text in ("### Cakupan data", "| kependudukan | 374 | 390 | 95,9 % |", "2.654.448", "21,46",
                 "12 pengirim dengan berkas terakhir *ditolak*", "(+2)", "| KEP-01 | error | 4 |", "72 jam", "**Setujui**"):
        assert text in body, text


def test_waiting_for_every_child_asks_bappeda_nothing_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """provinsi with paket.tunggu_semua: while a kabupaten has not delivered, no approval is asked (skipped)."""
    from airflow.sdk.exceptions import AirflowSkipException

    from common import persetujuan
    from desa_cantik.cycle.runtime import Runtime

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi", "DESA_CANTIK_WILAYAH": "35"})
    monkeypatch.setattr(persetujuan, "runtime", lambda: rt)
    op = persetujuan.PersetujuanBappeda(batas_jam=72, wait_for_all=True)
    with pytest.raises(AirflowSkipException, match=r"menunggu paket dari: 35\.01, 35\.02"):
        op.execute({})  # skipped before the context is used
    # past batas_akhir, Diskominfo and Admin hear who is late (kabar: paket_terlambat), once
    assert [(q[1].split("/")[0], q[2]) for q in rt.warehouse.queued_kabar()] == [
        ("paket_terlambat", "peran:diskominfo"), ("paket_terlambat", "peran:admin")]
