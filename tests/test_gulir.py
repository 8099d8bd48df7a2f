"""``python -m desa_cantik gulir-tahun``: the Daftar Data rolled over to the next year, reviewed before it is written."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from desa_cantik.cli import main
from desa_cantik.config import DaftarData
from desa_cantik.gulir import GulirGagal, geser_tahun, gulir

from .conftest import ROOT

CONFIG = (ROOT / "config" / "daftar_data.yaml").read_text(encoding="utf-8")


def test_the_projects_daftar_data_rolls_to_the_next_year_with_only_three_lines_changed() -> None:
    g = gulir(CONFIG)
    assert (g.dari, g.ke) == (2025, 2026)
    assert g.baru.mulai == datetime.fromisoformat("2027-01-05T00:00:00+07:00")
    assert g.baru.batas_akhir == datetime.fromisoformat("2027-03-31T23:59:00+07:00")
    assert (g.baru.datasets, g.baru.produsen, g.baru.opd) == (g.lama.datasets, g.lama.produsen, g.lama.opd)
    assert (g.baru.batas, g.baru.batas_persetujuan_jam, g.baru.zona_waktu) == \
        (g.lama.batas, g.lama.batas_persetujuan_jam, g.lama.zona_waktu)
    changed = [(a, b) for a, b in zip(CONFIG.splitlines(), g.teks_baru.splitlines(), strict=True) if a != b]
    assert changed == [("tahun: 2025", "tahun: 2026"),
                       ('  mulai: "2026-01-05T00:00:00+07:00"', '  mulai: "2027-01-05T00:00:00+07:00"'),
                       ('  batas_akhir: "2026-03-31T23:59:00+07:00"   # the yearly cycle closes here',
                        '  batas_akhir: "2027-03-31T23:59:00+07:00"   # the yearly cycle closes here')]
    assert g.lama.closing_cron() == g.baru.closing_cron() == "59 23 31 3 *"


def test_29_february_becomes_28_february_in_a_year_without_it() -> None:
    assert geser_tahun(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert geser_tahun(date(2024, 2, 29), 4) == date(2028, 2, 29)  # a leap year again: kept
    assert geser_tahun(date(2027, 2, 28), 1) == date(2028, 2, 28)  # never moved to the 29th
    text = CONFIG.replace("tahun: 2025", "tahun: 2027").replace("2026-01-05", "2028-01-05") \
        .replace("2026-03-31T23:59", "2028-02-29T23:59")
    g = gulir(text)
    assert g.baru.batas_akhir == datetime.fromisoformat("2029-02-28T23:59:00+07:00")
    assert g.lama.closing_cron() == "59 23 29 2 *" and g.baru.closing_cron() == "59 23 28 2 *"


def test_several_years_at_once_unquoted_dates_and_comments_kept() -> None:
    text = ("# komentar di atas\ntahun: 2025  # tahun data\npengumpulan:\n  mulai: 2026-01-05T00:00:00+07:00\n"
            "  batas_akhir: '2026-03-31T23:59:00+07:00'\ndataset:\n  - nama: kependudukan\n    produsen: pemerintah_desa\n")
    g = gulir(text, ke=2028)
    assert g.teks_baru == text.replace("2025  #", "2028  #").replace("2026-01-05", "2029-01-05") \
        .replace("2026-03-31", "2029-03-31")
    assert [p.kunci for p in g.perubahan] == ["tahun", "pengumpulan.mulai", "pengumpulan.batas_akhir"]


@pytest.mark.parametrize(("text", "ke", "says"), [
    (CONFIG, 2025, "Tahun tujuan 2025 tidak setelah tahun Daftar Data 2025"),
    (CONFIG, 2024, "gulir-tahun hanya maju"),
    (CONFIG.replace('  mulai: "2026-01-05T00:00:00+07:00"\n', '  mulai: "2026-01-05T00:00:00+07:00"\n  mulai: '
                    '"2026-01-06T00:00:00+07:00"\n'), None, "harus masing-masing tepat satu"),
    ("tahun: 2025\npengumpulan: {mulai: '2026-01-05T00:00:00+07:00', batas_akhir: '2026-03-31T23:59:00+07:00'}\n"
     "dataset:\n  - nama: kependudukan\n    produsen: pemerintah_desa\n", None, "Ubah tahun dan tanggal pengumpulan dengan tangan"),
    ("tahun: [", None, "Daftar Data saat ini tidak dapat dibaca"),
])
def test_what_cannot_be_rolled_is_said_and_nothing_is_made(text: str, ke: int | None, says: str) -> None:
    with pytest.raises(GulirGagal, match=says):
        gulir(text, ke)


@pytest.fixture
def tier(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An embedded tier whose Daftar Data is a copy of the project's."""
    path = tmp_path / "daftar_data.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    for key, value in {"DESA_CANTIK_HOME": str(tmp_path / "home"), "DESA_CANTIK_WILAYAH": "35.07.01",
                       "DESA_CANTIK_DAFTAR_DATA": str(path)}.items():
        monkeypatch.setenv(key, value)
    return path


def test_without_tulis_nothing_is_written_and_the_review_is_printed(tier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gulir-tahun"]) == 0
    out = capsys.readouterr().out
    assert tier.read_text(encoding="utf-8") == CONFIG
    assert "tahun 2025 → 2026" in out and "Belum ditulis (uji coba)" in out
    assert "pengumpulan.batas_akhir  2026-03-31T23:59:00+07:00 → 2027-03-31T23:59:00+07:00" in out
    assert "KEP-08 (kependudukan)" in out  # the rule that will compare 2026 with 2025
    assert "Penutupan 2025: BELUM DITUTUP" in out
    assert '-tahun: 2025\n+tahun: 2026' in out  # the file's diff
    assert not list(tier.parent.glob("*.bak"))


def test_tulis_refuses_an_unclosed_year_unless_forced(tier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gulir-tahun", "--tulis"]) == 1
    assert "Tidak ditulis: tahun 2025 belum ditutup" in capsys.readouterr().out
    assert tier.read_text(encoding="utf-8") == CONFIG
    assert main(["gulir-tahun", "--tulis", "--paksa"]) == 0
    assert DaftarData.load(tier).tahun == 2026


def test_tulis_writes_once_the_year_is_closed_and_keeps_the_old_file(tier: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from desa_cantik.cycle.persetujuan import record_decision
    from desa_cantik.cycle.runtime import Runtime

    record_decision(Runtime.from_env(), {"keputusan": "disetujui", "oleh": "bappeda", "pada": "2026-03-31T10:30:00+00:00",
                                         "alasan": "cakupan cukup", "batas_waktu_habis": False, "run_id": "r1"})
    assert main(["gulir-tahun", "--tulis"]) == 0
    out = capsys.readouterr().out
    assert "Sudah ditulis." in out and "Penutupan 2025: Publikasi DISETUJUI oleh bappeda" in out
    new = DaftarData.load(tier)
    assert (new.tahun, new.batas_akhir.year) == (2026, 2027)
    assert (tier.parent / "daftar_data.yaml.2025.bak").read_text(encoding="utf-8") == CONFIG
    assert main(["gulir-tahun", "--ke", "2026"]) == 2  # already there: refused, said on stderr
    assert "tidak setelah tahun Daftar Data 2026" in capsys.readouterr().err


def test_a_year_closed_without_publishing_is_said_before_rolling(tier: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desa_cantik.cycle.persetujuan import record_decision
    from desa_cantik.cycle.runtime import Runtime

    record_decision(Runtime.from_env(), {"keputusan": "ditolak", "oleh": "bappeda", "pada": "2026-03-31T10:30:00+00:00",
                                         "alasan": "cakupan kurang", "batas_waktu_habis": False, "run_id": "r1"})
    assert main(["gulir-tahun"]) == 0
    out = capsys.readouterr().out
    assert "Penutupan 2025: Publikasi DITOLAK oleh bappeda" in out and "Paket 2025 tidak terbit" in out


def test_a_running_server_opens_the_new_year_without_a_restart(tier: Path) -> None:
    """The api-server reads the Daftar Data once, and again when its file changes (``web.deps.runtime``)."""
    from fastapi.testclient import TestClient

    from desa_cantik.peran import HALAMAN
    from desa_cantik.web import auth, deps, hangat

    from .test_halaman import load_plugin

    plugin = load_plugin()
    deps.forget()
    plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses("uji", frozenset(HALAMAN))
    c = TestClient(plugin.app, root_path="/desa-cantik")
    try:
        assert "Desa Cantik 2025" in c.get("/pantau").text
        hangat.RUJUKAN.clear()
        hangat.rujukan()
        assert main(["gulir-tahun", "--tulis", "--paksa"]) == 0
        assert "Desa Cantik 2026" in c.get("/pantau").text and deps.runtime().tahun == 2026
        assert hangat.RUJUKAN.get()[0] == 2025 and hangat.rujukan() == {} and hangat.RUJUKAN.get()[0] == 2026
        tier.write_text("tahun: [", encoding="utf-8")  # a broken edit: the last good Daftar Data stays
        assert "Desa Cantik 2026" in c.get("/pantau").text
    finally:
        plugin.app.dependency_overrides.clear()
        deps.forget()
