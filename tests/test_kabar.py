"""Kabar (notifications) on real components: the gate's stages on the embedded deployment (SQLite + a folder), a real
SMTP server in the test process (aiosmtpd) and a local HTTP receiver for a webhook channel (Apprise ``json://``).

Each sender of the hourly gate hears its verdicts in exactly one mail; a retried store queues and sends nothing
twice; a dead SMTP server leaves the outbox waiting (the stage succeeds) and the next drain delivers; limits make
one digest, quiet hours hold reminders, an opt-out silences non-essential kinds only; no NIK leaves in clear.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle
from desa_cantik.kabar import AturanKabar, BukuAlamat, HasilKirim, Kabar, KabarError, kirim_antrean, peristiwa
from desa_cantik.kabar.alamat import pengirim, peran
from desa_cantik.peran import DaftarPeran, PeranError, read_users
from desa_cantik.storage.kotak import DILEWATI, GAGAL, MENUNGGU_KIRIM, SEMUA_JENIS, TERKIRIM

from .conftest import TAHUN
from .penerima_kabar import apprise_mailto, free_port, smtp_server, webhook_server
from .stages import embedded_with_uploads, gate_and_store

NIK = "3507014108900003"
NO_PERSONAL_ID = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
DESA = ("35.07.01.2001", "35.07.01.2002", "35.07.01.2003")
ZONA = "Asia/Jakarta"
SIANG = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)  # 11.00 WIB: outside the quiet hours
USERS = """username,nama_depan,nama_belakang,email,peran,kode_wilayah,alamat_webhook
op-2001,Operator,Satu,op2001@desa.invalid,operator_desa,35.07.01.2001,
op-2002,Operator,Dua,op2002@desa.invalid,operator_desa,35.07.01.2002,
op-2003,Operator,Tiga,op2003@desa.invalid,operator_desa,35.07.01.2003,
bappeda,Petugas,Bappeda,bappeda@pemda.invalid,bappeda,,
diskominfo,Petugas,Kominfo,kominfo@pemda.invalid,diskominfo,,json://127.0.0.1:{port}/kabar
"""


@pytest.fixture(scope="module")
def daftar() -> DaftarPeran:
    return DaftarPeran.load()


@pytest.fixture(scope="module")
def aturan() -> AturanKabar:
    return AturanKabar.load()


def _buku(daftar: DaftarPeran, hook_port: int = 9) -> BukuAlamat:
    return BukuAlamat.from_users(read_users(USERS.format(port=hook_port), daftar))


@pytest.fixture
def three_desa(tmp_path: Path, small_generated: Path) -> Runtime:
    """The inbox holds both desa datasets of three desa; one file name carries a NIK-shaped number."""
    folder = tmp_path / "kiriman"
    for ds in ("kependudukan", "fasilitas"):
        for kode in DESA:
            shutil.copytree(small_generated / ds / kode, folder / ds / kode)
    [named] = list((folder / "fasilitas" / DESA[0]).iterdir())
    named.rename(named.with_name(f"fasilitas {NIK}{named.suffix}"))
    return embedded_with_uploads(tmp_path / "home", folder)


def _drain(rt: Runtime, aturan: AturanKabar, buku: BukuAlamat, daftar: DaftarPeran, env: dict[str, str],
           now: datetime | None = None) -> HasilKirim:
    """One drain at ``now`` (default: the real clock, as the gate's store queued its verdicts then)."""
    return kirim_antrean(rt.warehouse, aturan, buku, daftar, ZONA, now=now or datetime.now(UTC) + timedelta(seconds=1),
                         env=env)


def test_the_hourly_gate_sends_each_sender_one_verdict_mail_and_a_retry_sends_nothing_twice(
        three_desa: Runtime, aturan: AturanKabar, daftar: DaftarPeran) -> None:
    rt, buku = three_desa, _buku(daftar)
    validated = gate_and_store(rt, "scheduled__2026-02-10T04:00:00+00:00")
    queued = rt.warehouse.queued_kabar()
    assert len(queued) == 6 and {q[2] for q in queued} == {pengirim(k) for k in DESA}, queued
    with smtp_server() as smtp:
        env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port)}
        hasil = _drain(rt, aturan, buku, daftar, env)
        assert (hasil.dikirim, hasil.kabar_selesai, hasil.gagal) == (3, 6, 0), hasil
        for i, kode in enumerate(DESA, start=1):
            [mail] = smtp.untuk(f"op200{i}@desa.invalid")  # both files' verdicts in one digest
            assert mail.subjek.startswith("[Desa Cantik] 2 kabar Desa Cantik"), mail.subjek
            body = mail.isi
            assert body.splitlines()[0] == f"{aturan.alamat_web}/desa-cantik/kirim/berkas", "the page link first"
            assert "kependudukan" in body and "fasilitas" in body and kode not in mail.ke
            assert not NO_PERSONAL_ID.search(body + mail.subjek), body
        assert "3507********0003" in smtp.untuk("op2001@desa.invalid")[0].isi, "the NIK in the name is masked"
        # the gate's store task retried (a worker lost after the commit): the same verdicts, queued and sent once
        for v in validated:
            store_bundle(rt, v)
        assert len(rt.warehouse.queued_kabar()) == 6
        again = _drain(rt, aturan, buku, daftar, env, datetime.now(UTC) + timedelta(minutes=5))
        assert (again.dikirim, len(smtp.surat)) == (0, 3)
    assert {q[3] for q in rt.warehouse.queued_kabar()} == {TERKIRIM}
    log = rt.warehouse.kabar_log()
    assert len(log) == 6 and {a.hasil for a in log} == {TERKIRIM} and {a.digabung for a in log} == {2}
    assert {a.alamat for a in log} == {"op***@desa.invalid"}, "the log keeps a masked address"


def test_one_verdict_reads_as_a_sender_needs_it(aturan: AturanKabar) -> None:
    f = peristiwa.BerkasDiputus("masuk/2025/kependudukan/35.07.01.2001/20260210T040000Z-abcdefabcdef-data.csv", "abcdefabcdef" + "0" * 52,
                                "kependudukan", "35.07.01.2001", f"data {NIK}.csv", "2026-02-10T04:00:00+00:00",
                                "ditolak", 1234, 1000, 234)
    [k] = peristiwa.putusan(aturan, ZONA, [f], {f.sha256: [f"KEP-03: jumlah tidak cocok untuk NIK {NIK}", "KEP-01: kosong"]})
    assert k.penerima == pengirim("35.07.01.2001") and k.penting
    assert k.subjek == "[Desa Cantik] kependudukan: berkas DITOLAK (2 hal perlu diperbaiki)"
    lines = k.isi.splitlines()
    assert lines[0] == f"{aturan.alamat_web}/desa-cantik/kirim/berkas/35.07.01.2001/20260210T040000Z-abcdefabcdef"
    assert "Tulungrejo" in k.isi and "10 Feb 2026 11.00 WIB" in k.isi and "1.234" in k.isi
    assert "- KEP-01: kosong" in lines and "Yang harus diperbaiki sebelum mengirim ulang:" in lines
    assert not NO_PERSONAL_ID.search(k.isi + k.subjek + k.ringkas)


def test_a_dead_smtp_server_leaves_the_outbox_waiting_and_the_next_drain_delivers(
        three_desa: Runtime, aturan: AturanKabar, daftar: DaftarPeran) -> None:
    rt, buku = three_desa, _buku(daftar)
    gate_and_store(rt, "scheduled__2026-02-10T04:00:00+00:00")  # the stage succeeds whatever the channel's state
    port = free_port()  # nothing listens here yet
    env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(port)}
    t0 = datetime.now(UTC) + timedelta(seconds=1)
    down = _drain(rt, aturan, buku, daftar, env, t0)
    assert (down.dikirim, down.gagal, down.kabar_selesai) == (0, 6, 0), down
    queued = rt.warehouse.queued_kabar()
    assert {(q[3], q[4]) for q in queued} == {(MENUNGGU_KIRIM, 1)}
    assert {a.hasil for a in rt.warehouse.kabar_log()} == {GAGAL}
    assert _drain(rt, aturan, buku, daftar, env, t0 + timedelta(seconds=30)).dikirim == 0, "backoff: not yet due"
    with smtp_server(port) as smtp:
        up = _drain(rt, aturan, buku, daftar, env, t0 + aturan.jeda(1) + timedelta(seconds=1))
        assert (up.dikirim, up.kabar_selesai, len(smtp.surat)) == (3, 6, 3), up
    assert {q[3] for q in rt.warehouse.queued_kabar()} == {TERKIRIM}


def test_the_smtp_way_is_the_fallback_when_apprise_fails(three_desa: Runtime, aturan: AturanKabar,
                                                           daftar: DaftarPeran) -> None:
    rt, buku = three_desa, _buku(daftar)
    gate_and_store(rt, "scheduled__2026-02-10T04:00:00+00:00")
    with smtp_server() as smtp:
        env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(free_port()),
               "DESA_CANTIK_KABAR_SMTP": f"smtp://127.0.0.1:{smtp.port}?dari=kabar@pemda.invalid"}
        hasil = _drain(rt, aturan, buku, daftar, env)
        assert (hasil.dikirim, hasil.gagal) == (3, 0)
        assert {s.dari for s in smtp.surat} == {"kabar@pemda.invalid"}
        # read back as written: a long subject folded after "Subject: ", not before its first word
        assert all(s.subjek.startswith("[Desa Cantik] 2 kabar Desa Cantik: ") for s in smtp.surat), smtp.surat


def test_a_webhook_channel_and_a_task_failure_for_diskominfo(tmp_path: Path, aturan: AturanKabar,
                                                            daftar: DaftarPeran) -> None:
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path)})
    now = SIANG
    with webhook_server() as hook, smtp_server() as smtp:
        buku = _buku(daftar, hook.port)
        news = peristiwa.tugas_gagal(aturan, ZONA, "desa_cantik_gerbang_masuk", "simpan_ke_gudang", "scheduled__x", 3,
                                     f"OperationalError: could not connect\nTraceback (most recent call last):\n  NIK {NIK}",
                                     now, "http://localhost:8080/dags/desa_cantik_gerbang_masuk")
        assert {k.penerima for k in news} == {peran("diskominfo"), peran("admin")}
        rt.warehouse.queue_kabar(news, now.isoformat())
        rt.warehouse.queue_kabar(news, now.isoformat())  # the same failure again: queued once
        env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port), "DESA_CANTIK_KABAR_WEBHOOK": "{alamat}"}
        hasil = _drain(rt, aturan, buku, daftar, env, now)
        assert hasil.dikirim == 2, hasil  # diskominfo: e-mail and webhook; admin has no account in this book
        [(path, body)] = hook.diterima
        assert path == "/kabar" and body["title"].startswith("[Desa Cantik] Tugas gagal: simpan_ke_gudang")
        assert "Traceback" not in body["message"] and not NO_PERSONAL_ID.search(body["message"])
        assert [m.ke for m in smtp.surat] == [["kominfo@pemda.invalid"]]
    assert {q[3] for q in rt.warehouse.queued_kabar()} == {TERKIRIM, DILEWATI}  # admin: nobody to reach


def _news(n: int, kode: str = DESA[0], jenis: str = "putusan", penting: bool = True, tenang: bool = False) -> list[Kabar]:
    return [Kabar(f"uji/{jenis}/{kode}/{i}", pengirim(kode), jenis, f"[Desa Cantik] kabar {i}", f"http://x/{i}\n\nisi {i}\n",
                  f"http://x/{i}", f"kabar {i}", penting, tenang) for i in range(n)]


def test_ten_files_in_an_hour_make_one_digest_and_the_limit_holds_the_rest(tmp_path: Path, aturan: AturanKabar,
                                                                          daftar: DaftarPeran) -> None:
    rt, buku = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path)}), _buku(daftar)
    with smtp_server() as smtp:
        env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port)}
        rt.warehouse.queue_kabar(_news(10), SIANG.isoformat())
        assert _drain(rt, aturan, buku, daftar, env, SIANG).dikirim == 1
        [mail] = smtp.surat
        assert mail.subjek == "[Desa Cantik] 10 kabar Desa Cantik: kabar 0 dan lainnya" and mail.isi.count("- kabar") == 10
        # the account's limit reached within the window: the next events wait, then go as one digest
        for hour in range(1, aturan.per_akun):
            rt.warehouse.queue_kabar(_news(1, jenis=f"j{hour}"), SIANG.isoformat())
            assert _drain(rt, aturan, buku, daftar, env, SIANG + timedelta(minutes=hour)).dikirim == 1
        rt.warehouse.queue_kabar(_news(3, jenis="lagi"), SIANG.isoformat())
        held = _drain(rt, aturan, buku, daftar, env, SIANG + timedelta(minutes=10))
        assert (held.dikirim, held.ditunda) == (0, 3) and len(smtp.surat) == aturan.per_akun
        later = _drain(rt, aturan, buku, daftar, env, SIANG + timedelta(minutes=10) + aturan.jendela)
        assert later.dikirim == 1 and smtp.surat[-1].subjek.startswith("[Desa Cantik] 3 kabar")


def test_quiet_hours_hold_reminders_and_an_opt_out_silences_only_non_essential_kinds(
        tmp_path: Path, aturan: AturanKabar, daftar: DaftarPeran) -> None:
    rt, buku = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path)}), _buku(daftar)
    malam = datetime(2026, 2, 10, 16, 0, tzinfo=UTC)  # 23.00 WIB
    assert aturan.tenang_sampai(malam, ZONA) == datetime(2026, 2, 11, 6, 0, tzinfo=malam.astimezone().tzinfo).replace(
        tzinfo=aturan.tenang_sampai(malam, ZONA).tzinfo)  # type: ignore[union-attr]
    assert aturan.tenang_sampai(SIANG, ZONA) is None
    with smtp_server() as smtp:
        env = {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port)}
        rt.warehouse.queue_kabar(_news(1, DESA[0], "pengingat", penting=False, tenang=True), malam.isoformat())
        rt.warehouse.queue_kabar(_news(1, DESA[1], "putusan"), malam.isoformat())
        night = _drain(rt, aturan, buku, daftar, env, malam)
        assert (night.dikirim, night.ditunda) == (1, 1) and smtp.surat[0].ke == ["op2002@desa.invalid"]
        morning = datetime(2026, 2, 10, 23, 1, tzinfo=UTC)  # 06.01 WIB
        assert _drain(rt, aturan, buku, daftar, env, morning).dikirim == 1 and smtp.surat[1].ke == ["op2001@desa.invalid"]
        rt.warehouse.set_opt_out("op-2003", SEMUA_JENIS, True, SIANG.isoformat())
        rt.warehouse.queue_kabar(_news(1, DESA[2], "pengingat", penting=False) + _news(1, DESA[2], "putusan"),
                                 SIANG.isoformat())
        out = _drain(rt, aturan, buku, daftar, env, morning + timedelta(hours=2))
        assert (out.dikirim, out.dilewati) == (1, 1) and smtp.surat[2].subjek == "[Desa Cantik] kabar 0"
    skipped = [a for a in rt.warehouse.kabar_log() if a.hasil == DILEWATI]
    assert [(a.akun, a.jenis) for a in skipped] == [("op-2003", "pengingat")]


def test_accounts_reach_their_senders_and_a_wrong_config_fails_in_indonesian(tmp_path: Path, daftar: DaftarPeran) -> None:
    csv = ("username,nama_depan,nama_belakang,email,peran,kode_wilayah,alamat_telegram\n"
           "kec,Op,Kec,kec@x.invalid,operator_kecamatan,35.07.01,12345\n"
           "dinkes,Op,Dinkes,dinkes@x.invalid,operator_opd,35.07-DINKES,\n"
           "desa,Op,Desa,desa@x.invalid,operator_desa,35.07.02.2001,\n")
    buku = BukuAlamat.from_users(read_users(csv, daftar))
    assert [a.username for a in buku.penerima(pengirim("35.07.01.2005"), daftar)] == ["kec"]
    assert [a.username for a in buku.penerima(pengirim("35.07-DINKES"), daftar)] == ["dinkes"]
    assert buku.penerima(pengirim("35.07.03.2001"), daftar) == []
    def view(b: BukuAlamat) -> dict[str, tuple[str, str, dict[str, str]]]:
        return {a.username: (a.peran, a.kode_wilayah, dict(a.alamat)) for a in b.akun}

    assert view(BukuAlamat.from_json(buku.to_json())) == view(buku) and buku.akun[0].alamat_untuk("alamat_telegram") == "12345"
    with pytest.raises(PeranError, match="alamat tidak sah"):
        read_users(csv.replace(",12345", ",12 345"), daftar)
    bad = tmp_path / "kabar.yaml"
    bad.write_text("peristiwa:\n  putusan: {penerima: [pengirim], kanal: [merpati], templat: putusan}\nkanal: {}\n")
    with pytest.raises(KabarError, match="kanal tidak dikenal"):
        AturanKabar.load(bad)
    assert TAHUN == 2025


def test_the_log_page_shows_diskominfo_every_attempt_and_refuses_bps(three_desa: Runtime, aturan: AturanKabar,
                                                                     daftar: DaftarPeran) -> None:
    from fastapi.testclient import TestClient

    from desa_cantik.web import auth, deps
    from desa_cantik.web.app import create_app

    rt = three_desa
    gate_and_store(rt, "scheduled__2026-02-10T04:00:00+00:00")
    _drain(rt, aturan, _buku(daftar), daftar, {"DESA_CANTIK_KABAR_SUREL": apprise_mailto(free_port())})  # all fail
    app = create_app()
    with deps.serving(rt):
        app.dependency_overrides[auth.akses] = lambda: auth.Akses("diskominfo", frozenset({"pantau", "kabar"}))
        page = TestClient(app, root_path="/desa-cantik").get("/kabar")
        app.dependency_overrides[auth.akses] = lambda: auth.Akses("bps", frozenset({"pantau"}))
        refused = TestClient(app, root_path="/desa-cantik").get("/kabar")
    assert page.status_code == 200, page.text[:300]
    assert page.text.count(">gagal</span>") == 6 and "menunggu: 6" in page.text and "op***@desa.invalid" in page.text
    assert "op2001@desa.invalid" not in page.text and not NO_PERSONAL_ID.search(page.text)
    assert refused.status_code == 403
