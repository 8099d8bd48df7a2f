"""The notifications no single stage announces, on real components: the embedded tier (SQLite + a folder) filled by
the gate's own stages, a real SMTP server in the test process (aiosmtpd), each mail read back as its reader gets it
(subject, recipient, the page link first, no NIK).

- reminders (``pengingat``) go only to the expected senders with no file yet, once per reminder day, held through the
  quiet hours, and on the deadline day say what happens now;
- BPS's daily digest (``penolakan_harian``) lists the day's rejected files per kecamatan with their rules;
- Bappeda's last call (``persetujuan_terakhir``) comes ``jam_sebelum`` hours before the approval times out, once;
- the close tells Diskominfo of low coverage (``cakupan_rendah``); a province of refused and late child packages
  (``paket_ditolak``, ``paket_terlambat``);
- an account stops its non-essential kinds itself (the page, the command line), never an essential one.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.kabar import AturanKabar, BukuAlamat, HasilKirim, kirim_antrean
from desa_cantik.kabar.alamat import pengirim, peran
from desa_cantik.kabar.jadwal import belum_mengirim, buka_persetujuan, rencanakan, tutup_persetujuan
from desa_cantik.peran import DaftarPeran, read_users
from desa_cantik.storage.kotak import DILEWATI, TERKIRIM

from .conftest import TAHUN
from .penerima_kabar import KotakSurat, Surat, apprise_mailto, smtp_server
from .stages import embedded_with_uploads, gate_and_store

WIB = ZoneInfo("Asia/Jakarta")
NO_PERSONAL_ID = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
SENT = ("35.07.01.2001", "35.07.01.2002", "35.07.01.2003")  # both desa datasets gated
IN_INBOX = "35.07.01.2004"  # kependudukan waiting in the inbox, not yet gated: counts as sent
USERS = """username,nama_depan,nama_belakang,email,peran,kode_wilayah
op-2001,Operator,Tulungrejo,op2001@desa.invalid,operator_desa,35.07.01.2001
op-2004,Operator,Tlogosari,op2004@desa.invalid,operator_desa,35.07.01.2004
op-2005,Operator,Tempursari,op2005@desa.invalid,operator_desa,35.07.01.2005
dinkes,Operator,Dinkes,dinkes@pemda.invalid,operator_opd,35.07-DINKES
bps,Petugas,BPS,bps@bps.invalid,bps,
bappeda,Petugas,Bappeda,bappeda@pemda.invalid,bappeda,
diskominfo,Petugas,Kominfo,kominfo@pemda.invalid,diskominfo,
"""
BAD_KEPENDUDUKAN = b"kode_desa,tahun,penduduk_laki\n{kode},2025,10\n"  # STR-01: the other columns are missing


class Dunia(NamedTuple):
    """What every notification here is made and sent with: the config, the roles, the accounts."""

    aturan: AturanKabar
    daftar: DaftarPeran
    buku: BukuAlamat


@pytest.fixture(scope="module")
def dunia() -> Dunia:
    daftar = DaftarPeran.load()
    return Dunia(AturanKabar.load(), daftar, BukuAlamat.from_users(read_users(USERS, daftar)))


@pytest.fixture
def smtp() -> Iterator[KotakSurat]:
    with smtp_server() as box:
        yield box


def _arrived(folder: Path, when: datetime) -> None:
    """Every file under the folder arrived at ``when`` (the gate reads a file's arrival from the store)."""
    for p in folder.rglob("*"):
        if p.is_file():
            os.utime(p, (when.timestamp(), when.timestamp()))


@pytest.fixture(scope="module")
def desa_home(tmp_path_factory: pytest.TempPathFactory, clean: Path) -> Path:
    """Donomulyo (10 desa): three desa sent both datasets (gated 9 Feb, 10.00 WIB), a fourth's kependudukan waits in
    the inbox; Dinkes sent nothing. Gated once; each test gets a copy (``desa_tier``)."""
    tmp = tmp_path_factory.mktemp("desa")
    folder = tmp / "kiriman"
    for ds in ("kependudukan", "fasilitas"):
        for kode in SENT:
            shutil.copytree(clean / ds / kode, folder / ds / kode)
    rt = embedded_with_uploads(tmp / "home", folder)
    _arrived(Path(rt.store.location("masuk")), datetime(2026, 2, 9, 10, tzinfo=WIB))
    gate_and_store(rt, "scheduled__2026-02-09T03:00:00+00:00")
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{IN_INBOX}/3507012004_kependudukan_2025.csv",
                 (clean / "kependudukan" / "35.07.01.2002" / "3507012002_kependudukan_2025.csv").read_bytes()
                 .replace(b"35.07.01.2002", IN_INBOX.encode()))
    return tmp / "home"


@pytest.fixture
def desa_tier(tmp_path: Path, desa_home: Path) -> Runtime:
    home = tmp_path / "home"
    shutil.copytree(desa_home, home)
    return Runtime.from_env({"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": "35.07.01",
                             "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}"})


def _drain(rt: Runtime, d: Dunia, smtp: KotakSurat, now: datetime) -> HasilKirim:
    return kirim_antrean(rt.warehouse, d.aturan, d.buku, d.daftar, "Asia/Jakarta", now=now,
                         env={"DESA_CANTIK_KABAR_SUREL": apprise_mailto(smtp.port)})


def _read(mail: Surat, link: str) -> str:
    """A mail as its reader gets it: the page link on the first line, no NIK anywhere."""
    assert mail.isi.splitlines()[0] == link, mail.isi
    assert not NO_PERSONAL_ID.search(mail.subjek + mail.isi), mail.isi
    return mail.isi


def test_reminders_go_only_to_senders_without_a_file_once_a_reminder_day(
        desa_tier: Runtime, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    rt = desa_tier
    missing = belum_mengirim(rt)
    assert set(missing) == {f"35.07.01.{2000 + i}" for i in range(4, 11)} | {"35.07-DINKES"}, missing
    assert missing[IN_INBOX] == ["fasilitas"] and missing["35.07.01.2005"] == ["kependudukan", "fasilitas"]
    assert missing["35.07-DINKES"] == ["kesehatan_anak"]
    # H-3, before the reminders' hour: nothing yet; at 08.00: one reminder per sender still missing something
    assert "pengingat" not in rencanakan(rt, datetime(2026, 3, 28, 7, 0, tzinfo=WIB), aturan).antre
    planned = rencanakan(rt, datetime(2026, 3, 28, 8, 0, tzinfo=WIB), aturan)
    assert planned.antre == {"pengingat": 8}, planned  # BPS's digest was planned at 07.00 (nothing rejected)
    assert {q[2] for q in rt.warehouse.queued_kabar() if q[1].startswith("pengingat/")} == {pengirim(k) for k in missing}
    assert rencanakan(rt, datetime(2026, 3, 28, 9, 0, tzinfo=WIB), aturan).antre == {}, "once a day"
    assert "pengingat" not in rencanakan(rt, datetime(2026, 3, 29, 8, 0, tzinfo=WIB), aturan).antre, "H-2: no reminder"
    sent = _drain(rt, dunia, smtp, datetime(2026, 3, 28, 8, 1, tzinfo=WIB))
    assert sent.dikirim == 3 and sorted(m.ke[0] for m in smtp.surat) == [
        "dinkes@pemda.invalid", "op2004@desa.invalid", "op2005@desa.invalid"], "never to a desa that sent"
    [tlogosari] = smtp.untuk("op2004@desa.invalid")
    assert tlogosari.subjek == "[Desa Cantik] Pengingat: fasilitas belum dikirim, batas 31 Mar 2026 23.59 WIB"
    body = _read(tlogosari, f"{aturan.alamat_web}/desa-cantik/kirim")
    assert "Tinggal 3 hari lagi" in body and "- fasilitas" in body and "- kependudukan" not in body
    assert f"{aturan.alamat_web}/desa-cantik/kabar/berhenti" in body
    assert "kependudukan, fasilitas belum dikirim" in smtp.untuk("op2005@desa.invalid")[0].subjek


def test_the_deadline_days_reminder_waits_out_the_quiet_hours_and_says_what_happens_now(
        desa_tier: Runtime, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    rt = desa_tier
    late = datetime(2026, 3, 30, 22, 0, tzinfo=WIB)  # H-1, in the quiet hours (21.00-06.00)
    assert rencanakan(rt, late, aturan).antre == {"pengingat": 8, "penolakan_harian": 0}
    night = _drain(rt, dunia, smtp, late)
    assert (night.dikirim, night.ditunda, len(smtp.surat)) == (0, 8, 0), night
    morning = _drain(rt, dunia, smtp, datetime(2026, 3, 31, 6, 1, tzinfo=WIB))
    assert morning.dikirim == 3 and "Tinggal 1 hari lagi" in smtp.surat[0].isi
    assert rencanakan(rt, datetime(2026, 3, 31, 8, 0, tzinfo=WIB), aturan).antre["pengingat"] == 8  # H-0
    _drain(rt, dunia, smtp, datetime(2026, 3, 31, 8, 1, tzinfo=WIB))
    [last] = [m for m in smtp.untuk("op2005@desa.invalid") if "Hari ini" in m.subjek]
    assert last.subjek == ("[Desa Cantik] Hari ini batas akhir: kependudukan, fasilitas belum dikirim, batas 31 Mar "
                           "2026 23.59 WIB")
    body = _read(last, f"{aturan.alamat_web}/desa-cantik/kirim")
    assert "Yang terjadi sekarang" in body and "run koreksi" in body and "desa tanpa data diterima" in body
    assert rencanakan(rt, datetime(2026, 4, 1, 8, 0, tzinfo=WIB), aturan).antre == {}, "the window has closed"


def test_bps_hears_the_days_rejected_files_per_kecamatan_once_a_day(
        tmp_path: Path, clean: Path, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    folder = tmp_path / "kiriman"
    for kode in ("35.07.01.2002", "35.07.01.2003"):  # two rejected files, one accepted
        (folder / "kependudukan" / kode).mkdir(parents=True)
        (folder / "kependudukan" / kode / "kependudukan.csv").write_bytes(BAD_KEPENDUDUKAN.replace(b"{kode}", kode.encode()))
    shutil.copytree(clean / "fasilitas" / "35.07.01.2003", folder / "fasilitas" / "35.07.01.2003")
    rt = embedded_with_uploads(tmp_path / "home", folder)
    _arrived(Path(rt.store.location("masuk")), datetime(2026, 2, 9, 10, tzinfo=WIB))
    gate_and_store(rt, "scheduled__2026-02-09T03:00:00+00:00")
    late = tmp_path / "telat" / "kependudukan" / "35.07.01.2005"  # arrives after 06.00: tomorrow's digest
    late.mkdir(parents=True)
    (late / "k.csv").write_bytes(BAD_KEPENDUDUKAN.replace(b"{kode}", b"35.07.01.2005"))
    from desa_cantik.cycle.inbox import upload_folder

    upload_folder(rt.store, tmp_path / "telat", TAHUN)
    _arrived(Path(rt.store.location("masuk/2025/kependudukan/35.07.01.2005")), datetime(2026, 2, 10, 6, 30, tzinfo=WIB))
    gate_and_store(rt, "scheduled__2026-02-10T00:00:00+00:00")
    assert rencanakan(rt, datetime(2026, 2, 10, 6, 0, tzinfo=WIB), aturan).antre == {}, "before 07.00"
    at = datetime(2026, 2, 10, 7, 0, tzinfo=WIB)
    assert rencanakan(rt, at, aturan).antre == {"penolakan_harian": 1}
    assert rencanakan(rt, at + timedelta(hours=1), aturan).antre == {}, "once a day"
    assert _drain(rt, dunia, smtp, at).dikirim == 1
    [mail] = smtp.surat
    assert mail.ke == ["bps@bps.invalid"]
    assert mail.subjek == "[Desa Cantik] 2 berkas ditolak (10 Feb 2026), terbanyak: Kecamatan Donomulyo (35.07.01)"
    body = _read(mail, f"{aturan.alamat_web}/desa-cantik/pantau")
    assert "tiba 9 Feb 2026 06.00 WIB s.d. 10 Feb 2026 06.00 WIB: 2 berkas" in body
    assert "Kecamatan Donomulyo (35.07.01): 2 berkas ditolak" in body
    assert "Pengirim: Banjarejo (kependudukan), Kedungsalam (kependudukan)" in body and "Tempursari" not in body
    assert "Aturan terbanyak: STR-01 (2 berkas)" in body
    assert f"{aturan.alamat_web}/desa-cantik/pantau/wilayah/35.07.01" in body


def test_bappeda_hears_a_last_call_before_the_approval_times_out_once(
        tmp_path: Path, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": "35.07.01"})
    mulai = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
    batas = mulai + timedelta(hours=rt.daftar.batas_persetujuan_jam)
    buka_persetujuan(rt, "scheduled__2026-03-31T16:59:00+00:00", mulai, batas, "Donomulyo", "http://x/required_actions")
    jam = aturan.jenis("persetujuan_terakhir").jam_sebelum
    assert rencanakan(rt, batas - timedelta(hours=jam + 1), aturan).antre == {}
    at = batas - timedelta(hours=jam - 0.5)
    assert rencanakan(rt, at, aturan).antre == {"persetujuan_terakhir": 1}
    assert rencanakan(rt, at + timedelta(hours=1), aturan).antre == {"persetujuan_terakhir": 0}, "queued once"
    assert _drain(rt, dunia, smtp, at).dikirim == 1
    [mail] = smtp.surat
    assert mail.ke == ["bappeda@pemda.invalid"]
    assert mail.subjek == "[Desa Cantik] Tinggal 12 jam: persetujuan paket Desa Cantik 2025 Donomulyo belum dijawab"
    body = _read(mail, "http://x/required_actions")
    assert "Batas waktu menjawab: 4 Apr 2026 07.30 WIB" in body and "TIDAK diterbitkan" in body
    tutup_persetujuan(rt, "scheduled__2026-03-31T16:59:00+00:00", at)  # answered: no further call
    assert rencanakan(rt, at + timedelta(hours=2), aturan).antre == {}


def test_a_scheduled_kind_that_fails_costs_the_others_nothing_and_is_planned_again(
        desa_tier: Runtime, dunia: Dunia, monkeypatch: pytest.MonkeyPatch) -> None:
    aturan = dunia.aturan
    rt, at = desa_tier, datetime(2026, 3, 28, 8, 0, tzinfo=WIB)
    buka_persetujuan(rt, "manual__x", at - timedelta(hours=65), at + timedelta(hours=7), "Donomulyo", "http://x/ra")
    with monkeypatch.context() as m:
        m.setattr(type(rt.warehouse), "senders_with_files", lambda *_: (_ for _ in ()).throw(OSError("gudang putus")))
        planned = rencanakan(rt, at, aturan)
    assert planned.gagal == ("pengingat",) and planned.antre == {"penolakan_harian": 0, "persetujuan_terakhir": 1}
    assert "gagal, dicoba lagi jam berikutnya: pengingat" in planned.teks()
    assert rencanakan(rt, at + timedelta(hours=1), aturan).antre == {"pengingat": 8, "persetujuan_terakhir": 0}


def test_a_close_under_the_coverage_threshold_tells_diskominfo(
        desa_tier: Runtime, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    from desa_cantik.cycle.persetujuan import approval_summary
    from desa_cantik.kabar.penutupan import kabar_penutupan

    rt = desa_tier
    summary = approval_summary(rt)
    news = kabar_penutupan(rt, aturan, "scheduled__2026-03-31T16:59:00+00:00", datetime(2026, 4, 1, tzinfo=UTC),
                           summary["nama_wilayah"], summary["belum_mengirim"], summary["cakupan"])
    assert {k.penerima for k in news} == {peran("diskominfo"), peran("admin")}
    rt.warehouse.queue_kabar(news, "2026-04-01T00:00:00+00:00")
    assert _drain(rt, dunia, smtp, datetime(2026, 4, 1, 8, tzinfo=WIB)).dikirim == 1
    [mail] = smtp.surat
    assert mail.ke == ["kominfo@pemda.invalid"] and mail.subjek.startswith("[Desa Cantik] Cakupan rendah saat penutupan 2025: ")
    body = _read(mail, f"{aturan.alamat_web}/desa-cantik/pantau")
    assert "- kependudukan: 30,0 % (3 dari 10 desa)" in body and "- kesehatan_anak: 0,0 % (0 dari 10 desa)" in body
    assert "di bawah 95 % desa" in body


def test_a_province_hears_of_refused_and_late_child_packages(
        tmp_path: Path, dunia: Dunia, smtp: KotakSurat) -> None:
    aturan = dunia.aturan
    from desa_cantik.cycle.persetujuan import approval_summary
    from desa_cantik.kabar.penutupan import kabar_penutupan

    from .test_packages_hostile import GOOD, HOSTILE, KODE, deliver, kabupaten_and_province, signed

    child, prov = kabupaten_and_province(tmp_path)  # Kabupaten Malang and Jawa Timur
    deliver(prov, signed(child, GOOD), GOOD)
    deliver(prov, {**signed(child, HOSTILE), "data/tambahan.csv": b"x\n"}, HOSTILE)
    gate_and_store(prov, "uji__paket")
    queued = prov.warehouse.queued_kabar()
    assert [q[1] for q in queued] == [f"paket_ditolak/{TAHUN}/{KODE}/{HOSTILE}"] * 2, "the refusal only"
    gate_and_store(prov, "uji__paket-lagi")  # judged once: nothing queued twice
    assert len(prov.warehouse.queued_kabar()) == 2
    now = datetime.now(UTC) + timedelta(seconds=1)  # queued by the store stage at the real clock's time
    assert _drain(prov, dunia, smtp, now).dikirim == 1
    [refused] = smtp.surat
    assert refused.subjek == f"[Desa Cantik] Paket Kabupaten Malang ({KODE}) versi {HOSTILE} ditolak"
    assert "tidak tercantum di manifest" in _read(refused, f"{aturan.alamat_web}/desa-cantik/paket")
    summary = approval_summary(prov)
    assert len(summary["belum_mengirim"]) == 37  # Jawa Timur's other kabupaten/kota
    early = kabar_penutupan(prov, aturan, "manual__x", datetime(2026, 3, 1, tzinfo=UTC), summary["nama_wilayah"],
                            summary["belum_mengirim"])
    assert early == [], "before batas_akhir nobody is late"
    late = kabar_penutupan(prov, aturan, "scheduled__x", datetime(2026, 4, 1, tzinfo=UTC), summary["nama_wilayah"],
                           summary["belum_mengirim"])
    prov.warehouse.queue_kabar(late, "2026-04-02T03:00:00+00:00")
    _drain(prov, dunia, smtp, now + aturan.jendela)
    mail = smtp.surat[-1]
    assert mail.ke == ["kominfo@pemda.invalid"]
    assert mail.subjek == "[Desa Cantik] 37 wilayah belum mengirim paket Desa Cantik 2025 saat batas akhir"
    body = _read(mail, f"{aturan.alamat_web}/desa-cantik/paket")
    assert "- Kota Surabaya (35.78)" in body and "(35.07)" not in body
    assert {q[3] for q in prov.warehouse.queued_kabar()} == {TERKIRIM, DILEWATI}  # admin: no account here


def test_an_account_stops_its_reminders_and_never_an_essential_kind(
        desa_tier: Runtime, dunia: Dunia, smtp: KotakSurat,
        monkeypatch: pytest.MonkeyPatch) -> None:
    aturan = dunia.aturan
    from desa_cantik.cli import main
    from desa_cantik.kabar import KabarError
    from desa_cantik.kabar.berhenti import atur, pilihan

    rt = desa_tier
    atur(rt.warehouse, aturan, "op-2005", ["pengingat"], "2026-03-01T00:00:00+00:00")
    with pytest.raises(KabarError, match="kabar penting tidak dapat dihentikan: putusan"):
        atur(rt.warehouse, aturan, "op-2005", ["putusan"], "2026-03-01T00:00:00+00:00")
    stopped = {p.jenis: p.berhenti for p in pilihan(rt.warehouse, aturan, "op-2005")}
    assert stopped["pengingat"] and not stopped["putusan"] and not stopped["penolakan_harian"]
    rencanakan(rt, datetime(2026, 3, 28, 8, 0, tzinfo=WIB), aturan)
    hasil = _drain(rt, dunia, smtp, datetime(2026, 3, 28, 8, 1, tzinfo=WIB))
    assert hasil.dikirim == 2 and not smtp.untuk("op2005@desa.invalid"), "stopped: no reminder"
    # the command line, on the same warehouse: an essential kind or an unknown one refused (exit 2), then receive again
    monkeypatch.setenv("DESA_CANTIK_HOME", str(Path(rt.store.location("")).parent))
    monkeypatch.setenv("DESA_CANTIK_GUDANG", rt.settings.gudang_url)
    assert main(["kabar-berhenti", "op-2005", "--jenis", "putusan"]) == 2
    assert main(["kabar-berhenti", "op-2005", "--jenis", "merpati"]) == 2
    assert {p.jenis: p.berhenti for p in pilihan(rt.warehouse, aturan, "op-2005")}["pengingat"], "refused: unchanged"
    assert main(["kabar-berhenti", "op-2005", "--jenis", "pengingat", "--terima-lagi"]) == 0
    assert not {p.jenis: p.berhenti for p in pilihan(rt.warehouse, aturan, "op-2005")}["pengingat"]
    assert main(["kabar-berhenti", "op-2005"]) == 0  # every non-essential kind
    assert {p.jenis for p in pilihan(rt.warehouse, aturan, "op-2005") if p.berhenti} == {"pengingat", "penolakan_harian"}


def test_the_settings_page_saves_the_users_own_choice_only(desa_tier: Runtime, dunia: Dunia) -> None:
    aturan = dunia.aturan
    from fastapi.testclient import TestClient

    from desa_cantik.kabar.berhenti import pilihan
    from desa_cantik.web import auth, deps
    from desa_cantik.web.app import create_app

    rt, app = desa_tier, create_app()
    with deps.serving(rt):
        app.dependency_overrides[auth.akses] = lambda: auth.Akses("op-2005", frozenset({"kirim"}), ("Operator Desa",),
                                                                  token=True)
        c = TestClient(app, root_path="/desa-cantik")
        page = c.get("/kabar/berhenti")
        assert page.status_code == 200 and "Pengaturan kabar akun op-2005" in page.text
        assert 'value="pengingat"' in page.text and "Putusan gerbang mutu" in page.text
        assert "Ringkasan harian" not in page.text, "BPS's digest is no operator's"
        saved = c.post("/kabar/berhenti", data={"berhenti": "pengingat", "akun": "op-2001"}, follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"] == "/desa-cantik/kabar/berhenti?tersimpan=1"
        assert "Pengaturan kabar Anda tersimpan." in c.get(saved.headers["location"].removeprefix("/desa-cantik")).text
        refused = c.post("/kabar/berhenti", data={"berhenti": "putusan"})
        assert refused.status_code == 400 and "kabar penting tidak dapat dihentikan: putusan" in refused.text
        app.dependency_overrides[auth.akses] = lambda: auth.Akses("op-2005", frozenset({"kirim"}), ("Operator Desa",))
        forged = c.post("/kabar/berhenti", data={}, headers={"Origin": "http://jahat.invalid"})
        assert forged.status_code == 403, "a form from another site changes nothing"
    mine = {p.jenis: p.berhenti for p in pilihan(rt.warehouse, aturan, "op-2005")}
    assert mine["pengingat"] and not any(p.berhenti for p in pilihan(rt.warehouse, aturan, "op-2001"))
