"""Operators' submissions (desa_cantik.kirim) on an embedded tier: scope, the pre-check at once, the inbox,
what the gate made of it, replacements, and what a desa still owes. The pages and the browser are tested in
test_kirim_halaman.py; here the domain alone, on SQLite + a folder."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from desa_cantik import kirim
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.findings import DITERIMA, DITOLAK
from desa_cantik.kosakata import MENUNGGU, TIDAK_DIKIRIM
from desa_cantik.peran import DaftarPeran, PeranError, read_users
from desa_cantik.storage import layout

from .conftest import SMALL_REGION, TAHUN
from .stages import gate_and_store

DESA = "35.07.01.2001"
TETANGGA = "35.07.01.2002"


@pytest.fixture
def rt(tmp_path: Path) -> Runtime:
    return Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07",
                             "DESA_CANTIK_GUDANG": f"sqlite:///{tmp_path / 'gudang.sqlite'}"})


def _file(folder: Path, dataset: str, desa: str) -> tuple[bytes, str]:
    [p] = list((folder / dataset / desa).iterdir())
    return p.read_bytes(), p.name


def test_a_desa_operator_sends_only_its_own_desa_and_datasets(rt: Runtime, clean: Path) -> None:
    op = kirim.Operator("op", "desa", DESA)
    assert [p.kode for p in op.pengirim(rt)] == [DESA]
    assert op.datasets(rt.daftar) == ["kependudukan", "fasilitas"]
    data, name = _file(clean, "kependudukan", DESA)
    with pytest.raises(kirim.BukanHak, match="atas nama"):
        kirim.terima(rt, op, "kependudukan", TETANGGA, data, name)
    with pytest.raises(kirim.BukanHak, match="Dataset"):
        kirim.terima(rt, op, "kesehatan_anak", DESA, data, name)
    assert not rt.store.list(layout.inbox_prefix(TAHUN)), "a refused sender writes nothing"


def test_kecamatan_and_opd_operators_scope() -> None:
    rt = Runtime.from_env({"DESA_CANTIK_WILAYAH": "35.07"})
    kec = kirim.Operator("k", "kecamatan", SMALL_REGION)
    assert len(kec.pengirim(rt)) == 10 and all(p.kode.startswith(SMALL_REGION + ".") for p in kec.pengirim(rt))
    opd = kirim.Operator("d", "opd", "35.07-DINKES")
    assert [p.kode for p in opd.pengirim(rt)] == ["35.07-DINKES"] and opd.datasets(rt.daftar) == ["kesehatan_anak"]
    assert kirim.Operator("x", "opd", "35.08-DINKES").pengirim(rt) == [], "another kabupaten's agency sends nothing here"
    assert kirim.Operator("x", "desa", "35.08.01.2001").pengirim(rt) == [], "a desa outside the tier sends nothing here"


def test_good_file_is_queued_bad_file_kept_and_the_gate_has_the_last_word(rt: Runtime, clean: Path) -> None:
    op = kirim.Operator("operator-tulungrejo", "desa", DESA)
    data, name = _file(clean, "kependudukan", DESA)
    t0 = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)
    bad, bad_name = _file(clean, "kependudukan", TETANGGA)  # the neighbour's file: its rows carry another code
    rejected, v_bad = kirim.terima(rt, op, "kependudukan", DESA, bad, bad_name, now=t0)
    assert v_bad.status == DITOLAK and "WIL-02" in {i.aturan for i in v_bad.issues}
    assert rejected.kunci_masuk is None and rt.store.get(rejected.kunci_berkas) == bad, "kept byte for byte"
    good, v_good = kirim.terima(rt, op, "kependudukan", DESA, data, name, now=t0 + timedelta(minutes=5))
    assert v_good.status == DITERIMA and good.kunci_masuk and good.kunci_masuk.startswith(f"masuk/{TAHUN}/kependudukan/{DESA}/")
    [queued] = rt.store.list(layout.inbox_prefix(TAHUN))
    assert queued.key == good.kunci_masuk, "only the accepted file is queued"
    record = json.loads(rt.store.get(layout.submitted_record(TAHUN, DESA, good.id)))
    assert record["username"] == "operator-tulungrejo" and record["sha256"] == v_good.submission.provenance.sha256
    report = kirim.laporan(rt, kirim.satu(rt, op, DESA, rejected.id), "txt")  # type: ignore[arg-type]
    assert report is not None and "WIL-02" in report.decode() and "DITOLAK" in report.decode()

    hasil = kirim.kiriman_saya(rt, op)
    assert [h.status_akhir for h in hasil] == [MENUNGGU, TIDAK_DIKIRIM]
    status = kirim.status_pengirim(rt, op, hasil)
    assert status[0].status == {"kependudukan": MENUNGGU, "fasilitas": "belum"}

    gate_and_store(rt, "jam-1")  # the hourly gate picks the queued file up
    hasil = kirim.kiriman_saya(rt, op)
    assert hasil[0].status_akhir == DITERIMA and hasil[0].baris_tersimpan == 1 and hasil[0].kunci_arsip
    gate_report = kirim.laporan(rt, hasil[0], "json")
    assert gate_report is not None and json.loads(gate_report)["status"] == DITERIMA
    [stored] = kirim.data_tersimpan(rt, op)[:1]
    assert stored.dataset == "kependudukan" and [r[0] for r in stored.baris] == [DESA]
    assert kirim.status_pengirim(rt, op, hasil)[0].belum == ["fasilitas"]


def test_a_resubmission_replaces_the_earlier_file(rt: Runtime, clean: Path) -> None:
    op = kirim.Operator("op", "desa", DESA)
    data, name = _file(clean, "fasilitas", DESA)
    t0 = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)
    first, _ = kirim.terima(rt, op, "fasilitas", DESA, data, name, now=t0)
    second, _ = kirim.terima(rt, op, "fasilitas", DESA, data, "perbaikan.xlsx", now=t0 + timedelta(hours=1))
    newest, older = kirim.kiriman_saya(rt, op)
    assert (newest.kiriman.id, newest.mengganti, newest.diganti_oleh) == (second.id, first.id, None)
    assert (older.kiriman.id, older.diganti_oleh) == (first.id, second.id)


def test_two_files_in_one_second_keep_their_order(rt: Runtime, clean: Path) -> None:
    """An operator who fixes a file at once: the fix is the newest even within the same second (the ids, by
    second and content hash, would order them by chance)."""
    op = kirim.Operator("op", "desa", DESA)
    data, _ = _file(clean, "fasilitas", DESA)
    csv = pd.read_excel(io.BytesIO(data), header=None, dtype=str).to_csv(index=False, header=False).encode()
    t0 = datetime(2026, 2, 1, 3, 0, 0, 900_000, tzinfo=UTC)
    sent = [kirim.terima(rt, op, "fasilitas", DESA, csv + b"\n" * i, f"kiriman-{i}.csv",  # 4 contents, 4 ids
                         now=t0 + timedelta(microseconds=10_000 * i))[0] for i in range(4)]
    assert len({k.id[:16] for k in sent}) == 1, "same second"
    hasil = kirim.kiriman_saya(rt, op)
    assert [h.kiriman.id for h in hasil] == [k.id for k in reversed(sent)]


def test_another_desas_submission_is_not_found(rt: Runtime, clean: Path) -> None:
    kec = kirim.Operator("kec", "kecamatan", SMALL_REGION)
    data, name = _file(clean, "kependudukan", TETANGGA)
    k, _ = kirim.terima(rt, kec, "kependudukan", TETANGGA, data, name)
    assert kirim.satu(rt, kec, TETANGGA, k.id) is not None
    assert kirim.satu(rt, kirim.Operator("op", "desa", DESA), TETANGGA, k.id) is None
    assert kirim.kiriman_saya(rt, kirim.Operator("op", "desa", DESA)) == []
    assert len(kirim.kiriman_saya(rt, kec)) == 1


def test_operator_users_need_a_code_of_their_kind() -> None:
    daftar = DaftarPeran.load()
    head = "username,nama_depan,nama_belakang,email,peran,kode_wilayah\n"
    ok = read_users(head + "aa,A,B,a@x.id,operator_desa,35.07.01.2001\nbb,B,C,b@x.id,operator_opd,35.07-DINKES\n", daftar)
    assert [u.peran for u in ok] == ["Operator Desa", "Operator OPD"]
    with pytest.raises(PeranError) as err:
        read_users(head + "aa,A,B,a@x.id,operator_desa,35.07.01\nbb,B,C,b@x.id,operator_kecamatan,\n"
                          "cc,C,D,c@x.id,operator_opd,35.07.01.2001\n", daftar)
    assert all(f"baris {n}" in str(err.value) for n in (2, 3, 4)), str(err.value)
    assert daftar.cakupan(["Operator Kecamatan"]) == "kecamatan" and daftar.cakupan(["BPS"]) == ""


def test_days_left_until_the_deadline(rt: Runtime) -> None:
    deadline = rt.daftar.batas_akhir
    assert kirim.hari_tersisa(rt.daftar, deadline - timedelta(days=3, hours=2)) == 3
    assert kirim.hari_tersisa(rt.daftar, deadline + timedelta(days=1, hours=1)) < 0


@pytest.mark.integration
def test_an_agency_uploads_a_large_file_straight_to_s3_for_one_key(s3_url: str, tmp_path: Path) -> None:
    """The browser form of Kirim data's *unggah langsung*: POST to the S3 server with the signed fields, then
    back to the tier, which records it as waiting for the gate. (moto does not re-verify POST policies; MinIO
    and S3 do: the policy names one key, the redirect and a size range.)"""
    import base64

    import httpx

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07",
                           "DESA_CANTIK_GUDANG": f"sqlite:///{tmp_path / 'gudang.sqlite'}", "DESA_CANTIK_OBJEK": s3_url})
    op = kirim.Operator("operator-dinkes", "opd", "35.07-DINKES")
    key = kirim.kunci_langsung(rt, op, "kesehatan_anak", "../kes besar.xlsx")
    assert key.startswith(f"masuk/{TAHUN}/kesehatan_anak/35.07-DINKES/") and key.endswith("-_kes_besar.xlsx")
    back = "http://tier.example/desa-cantik/kirim/langsung/selesai?dataset=kesehatan_anak"
    url, fields = rt.store.presigned_post(key, timedelta(hours=1), 50 * 1024 * 1024, back)  # type: ignore[attr-defined]
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["eq", "$key", key] in policy["conditions"] and ["content-length-range", 1, 50 * 1024 * 1024] in policy["conditions"]
    assert ["starts-with", "$success_action_redirect", back] in policy["conditions"]
    r = httpx.post(url, data=fields, files={"file": ("kes.xlsx", b"PK fake xlsx")}, follow_redirects=False, timeout=10)
    assert r.status_code in (200, 201, 204, 303), r.text[:300]
    assert rt.store.get(key) == b"PK fake xlsx"
    secret = b"rahasia-tingkat"
    with pytest.raises(kirim.BukanHak):  # no token of this form for this user and key: nothing recorded
        kirim.catat_langsung(rt, op, key, "0" * 64, secret)
    with pytest.raises(kirim.BukanHak):  # another user's token for the same key
        kirim.catat_langsung(rt, op, key, kirim.tanda_langsung(secret, kirim.Operator("lain", "opd", "35.07-DINKES"),
                                                               key), secret)
    assert not rt.store.list(layout.submitted_prefix(TAHUN)), "a refused token writes nothing"
    token = kirim.tanda_langsung(secret, op, key)
    k = kirim.catat_langsung(rt, op, key, token, secret)
    [h] = kirim.kiriman_saya(rt, op)
    assert (h.kiriman.id, h.status_akhir, k.cara, k.ukuran) == (k.id, MENUNGGU, "langsung", len(b"PK fake xlsx"))
    [record] = [o for o in rt.store.list(layout.submitted_prefix(TAHUN)) if o.key.endswith(".json")]
    before = rt.store.get(record.key)
    assert kirim.catat_langsung(rt, op, key, token, secret) == k, "a replay answers the same record"
    assert rt.store.get(record.key) == before and len(kirim.kiriman_saya(rt, op)) == 1, "and writes nothing"
    other = f"masuk/{TAHUN}/kependudukan/{DESA}/x.csv"
    with pytest.raises(kirim.BukanHak):  # a key outside the agency's own folder is never recorded
        kirim.catat_langsung(rt, op, other, kirim.tanda_langsung(secret, op, other), secret)
    with pytest.raises(kirim.BukanHak):  # a desa operator gets no key for an agency dataset
        kirim.kunci_langsung(rt, kirim.Operator("op", "desa", DESA), "kesehatan_anak", "x.xlsx")


def test_the_pre_check_tells_an_agency_that_a_row_names_another_agency(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """KES-06 in ``python -m desa_cantik validate``: the ``{dataset}/{kode OPD}/`` folder names the sender."""
    from desa_cantik.cli import main

    folder = tmp_path / "kesehatan_anak" / "35.07-DINKES"
    folder.mkdir(parents=True)
    path = folder / "kes.csv"
    path.write_text("kode_desa,tahun,kode_opd,jumlah_balita,balita_ditimbang,balita_stunting,jumlah_ibu_hamil\n"
                    f"{DESA},{TAHUN},35.07-DINSOS,100,90,10,12\n{TETANGGA},{TAHUN},35.07-DINKES,80,70,5,9\n")
    main(["validate", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    [issue] = [i for i in report["issues"] if i["rule"] == "KES-06"]
    assert (issue["row"], issue["severity"]) == (2, "error") and "35.07-DINSOS" in issue["message"], issue
    assert report["rows_accepted"] == 1, "the other agency's row is not taken as the sender's"


def test_the_gate_rejects_a_row_naming_another_agency_not_stored_under_the_sender(rt: Runtime) -> None:
    """KES-06 at the gate: the inbox folder names the sender; the DINSOS row is quarantined with its reason."""
    text = ("kode_desa,tahun,kode_opd,jumlah_balita,balita_ditimbang,balita_stunting,jumlah_ibu_hamil\n"
            f"{DESA},{TAHUN},35.07-dinsos,100,90,10,12\n{TETANGGA},{TAHUN},35.07-DINKES,80,70,5,9\n")
    rt.store.put(layout.inbox_key(TAHUN, "kesehatan_anak", "35.07-DINKES", "kes.csv"), text.encode())
    gate_and_store(rt, "manual__2026-03-01T08:00:00+00:00")
    [row] = rt.warehouse.submissions(TAHUN).to_dict("records")
    report = rt.store.get(layout.report_key(row["kunci_arsip"], "txt")).decode()
    assert "KES-06" in report and "35.07-dinsos" in report, report  # the value as the sender wrote it
    stored = rt.warehouse.rows_inside("kesehatan_anak", TAHUN, SMALL_REGION)
    assert stored["kode_desa"].tolist() == [TETANGGA] and set(stored["kode_opd"]) == {"35.07-DINKES"}
