"""The second year in one deployment, fast (SQLite + a folder, the stages called directly): 2025 gated, stored,
closed and published; the Daftar Data rolled with ``gulir-tahun``; 2026's files made from the pre-filled templates of
2025's stored values, two desa with jumlah penduduk changed by more than 10 %. KEP-08 (``_penduduk_tahun_lalu``) is
fed by 2025's rows in the same warehouse, at the gate and at the close. The same through Airflow:
tests/test_tahun_kedua_airflow.py."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.pantau import nilai
from desa_cantik.peran import HALAMAN
from desa_cantik.precheck import Berkas, precheck_many
from desa_cantik.template import build_template, nilai_tahun_lalu, templat_csv
from desa_cantik.web import auth, deps

from .conftest import ROOT, SMALL_REGION, TAHUN
from .stages import gate_and_store
from .tahun_kedua import BARU, BERUBAH, DESA, FAKTOR, berkas_tahun_berikut
from .test_halaman import load_plugin


def _close(rt: Runtime, run: str, when: str) -> None:
    """The close as the yearly DAG runs it: cross-check, indicators, Bappeda's approval recorded, the signed package."""
    from desa_cantik.bags import generate_key
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.persetujuan import record_decision
    from desa_cantik.cycle.publish import publish

    cross_check(rt, run)
    coordinate(rt)
    if not (rt.settings.kunci / f"{rt.settings.kode_paket}.key").exists():
        generate_key(rt.settings.kunci, rt.settings.kode_paket)
    record_decision(rt, {"keputusan": "disetujui", "oleh": "bappeda", "pada": when, "alasan": "uji",
                         "batas_waktu_habis": False, "run_id": run})
    publish(rt, when)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("tahun-kedua")
    daftar = home / "daftar_data.yaml"
    daftar.write_text((ROOT / "config" / "daftar_data.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return {"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": SMALL_REGION,
            "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}", "DESA_CANTIK_DAFTAR_DATA": str(daftar)}


def rows_of_year(rt: Runtime, tahun: int) -> dict[str, pd.DataFrame]:
    """Every warehouse table's rows of one year (the tables that hold a year), in a fixed order."""
    out = {}
    for name, table in rt.warehouse.metadata.tables.items():
        if "tahun" not in table.c:
            continue
        frame = rt.warehouse.table_frame(name)
        frame = frame[frame["tahun"] == tahun]
        out[name] = frame.sort_values(list(frame.columns), ignore_index=True) if len(frame) else frame
    return out


KEMARIN: dict[str, pd.DataFrame] = {}  # 2025's rows as the year closed, before anything of 2026 ran


@pytest.fixture(scope="module")
def tahun_pertama(env: dict[str, str], clean: Path) -> Runtime:
    from desa_cantik.cycle.inbox import upload_folder

    rt = Runtime.from_env(env)
    upload_folder(rt.store, clean, TAHUN)
    gate_and_store(rt, "manual__2026-03-01T08:00:00+00:00")
    _close(rt, "scheduled__2026-03-31T16:59:00+00:00", "2026-03-31T23:59:00+07:00")
    KEMARIN.update(rows_of_year(rt, TAHUN))
    return rt


@pytest.fixture(scope="module")
def dua_tahun(env: dict[str, str], tahun_pertama: Runtime, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Runtime, Runtime]:
    from desa_cantik.cycle.inbox import upload_folder
    from desa_cantik.gulir import jalankan

    code, review = jalankan(None, True, False, env)  # 2025 is closed: written without --paksa
    assert code == 0, review
    rt = Runtime.from_env(env)
    assert rt.tahun == BARU
    folder = berkas_tahun_berikut(rt, tmp_path_factory.mktemp("berkas-2026"), FAKTOR)
    assert upload_folder(rt.store, folder, BARU) == 22
    gate_and_store(rt, "manual__2027-03-01T08:00:00+00:00")
    _close(rt, "scheduled__2027-03-31T16:59:00+00:00", "2027-03-31T23:59:00+07:00")
    return tahun_pertama, rt


def _hits(frame: pd.DataFrame, tahun: int, aturan: str, kolom: str = "kode_desa") -> set[str]:
    return set(frame.loc[(frame["tahun"] == tahun) & (frame["aturan"] == aturan), kolom])


def test_the_previous_year_reference_is_the_stored_year_before(dua_tahun: tuple[Runtime, Runtime]) -> None:
    from desa_cantik.cycle.checks import load_references

    old, new = dua_tahun
    refs = load_references(new)
    stored = old.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa")["jumlah_penduduk"]
    assert refs["_penduduk_tahun_lalu"].set_index("kode_desa")["nilai"].to_dict() == stored.to_dict()
    assert len(stored) == 10
    assert "_penduduk_tahun_lalu" not in load_references(old)  # 2024 was never stored: KEP-08 skipped in 2025


def test_kep_08_fires_on_exactly_the_changed_desa_at_the_gate_and_at_the_close(dua_tahun: tuple[Runtime, Runtime]) -> None:
    _, new = dua_tahun
    summary = new.warehouse.table_frame("ringkasan_validasi")
    issues = new.warehouse.table_frame("isu_validasi")
    assert _hits(summary, BARU, "KEP-08") == set(BERUBAH)
    assert _hits(issues, BARU, "KEP-08", "pengirim") == set(BERUBAH)
    assert _hits(summary, TAHUN, "KEP-08") == set()
    stored = new.warehouse.dataset_rows("kependudukan", BARU).set_index("kode_desa")["jumlah_penduduk"]
    before = new.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa")["jumlah_penduduk"]
    change = (100 * (stored / before - 1)).abs()
    assert set(change[change > 10].index) == set(BERUBAH) and len(change) == 10
    assert (change[~change.index.isin(list(BERUBAH))] <= 5.1).all()


def test_the_first_year_is_untouched_by_the_second(dua_tahun: tuple[Runtime, Runtime]) -> None:
    old, _ = dua_tahun
    now = rows_of_year(old, TAHUN)
    assert sum(len(f) for f in KEMARIN.values()) > 100
    for name, before in KEMARIN.items():
        assert now[name].to_csv(index=False) == before.to_csv(index=False), name


def test_templates_sent_back_unchanged_pass_as_the_new_year(dua_tahun: tuple[Runtime, Runtime]) -> None:
    old, new = dua_tahun
    subs = new.warehouse.submissions(BARU)
    assert len(subs) == 22 and not (subs["status"] == "ditolak").any()
    for ds in ("fasilitas", "kesehatan_anak", "proyeksi_penduduk"):
        cols = [c for c in old.warehouse.dataset_rows(ds, TAHUN).columns if c not in
                ("tahun", "sha256_berkas", "baris_berkas", "diterima_pada")]
        a = old.warehouse.dataset_rows(ds, TAHUN)[cols].reset_index(drop=True)
        b = new.warehouse.dataset_rows(ds, BARU)[cols].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)  # last year's values, now this year's rows
    assert len(old.warehouse.dataset_rows("kependudukan", TAHUN)) == 10  # 2025 is still there, untouched


def test_the_prefilled_template_is_marked_as_last_years_until_changed(dua_tahun: tuple[Runtime, Runtime]) -> None:
    old, new = dua_tahun
    desa = DESA[3]
    lalu = nilai_tahun_lalu(new.warehouse, "kependudukan", BARU, desa)
    wb = openpyxl.load_workbook(io.BytesIO(build_template(desa, "kependudukan", BARU, lalu)))
    ws = wb["kependudukan"]
    header = [c.value for c in ws[3]]
    row = {h: c.value for h, c in zip(header, ws[4], strict=False)}
    stored = old.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa").loc[desa]
    assert row["tahun"] == BARU and row["kode_desa"] == desa
    assert row["jumlah_penduduk"] == stored["jumlah_penduduk"] and row["kematian"] == stored["kematian"]
    assert f"Sel biru berisi nilai {TAHUN}" in ws["A1"].value
    hidden = wb[f"nilai_{TAHUN}"]
    assert hidden.sheet_state == "hidden" and hidden.cell(4, header.index("jumlah_penduduk") + 1).value == \
        stored["jumlah_penduduk"]
    rules = [(str(cf.sqref), r.formula[0]) for cf in ws.conditional_formatting for r in cf.rules]
    e = "ABCDEFGHIJ"[header.index("jumlah_penduduk")]
    assert (f"{e}4", f"AND({e}4<>\"\",{e}4='nilai_{TAHUN}'!{e}4)") in rules
    assert len(rules) == len(header) - 3  # each value column; not kode_desa, tahun, nama_desa
    # no year before: the template as it always was
    empty = openpyxl.load_workbook(io.BytesIO(build_template(desa, "kependudukan", TAHUN,
                                                               nilai_tahun_lalu(old.warehouse, "kependudukan", TAHUN, desa))))
    assert empty.sheetnames == ["kependudukan"] and empty.active.cell(4, 5).value is None
    assert not list(empty.active.conditional_formatting)


def test_the_csv_template_says_it_in_a_title_line_the_gate_skips(dua_tahun: tuple[Runtime, Runtime]) -> None:
    from desa_cantik.cycle.checks import load_references

    old, new = dua_tahun
    desa = DESA[5]
    data = templat_csv(desa, "kependudukan", BARU, nilai_tahun_lalu(new.warehouse, "kependudukan", BARU, desa))
    title, header, row = data.decode().splitlines()
    assert title.startswith(f"# Nilai {TAHUN} yang sudah diterima gudang — disiapkan untuk tahun {BARU}.")
    stored = old.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa").loc[desa]
    assert row.startswith(f"{desa},{BARU},{stored['penduduk_laki']},") and header.endswith(",nama_desa")
    v = precheck_many([Berkas(data, "t.csv")], "kependudukan", BARU, desa, load_references(new), new.daftar)[0][0]
    assert v.status in ("diterima", "diterima_dengan_catatan") and v.rows_accepted == 1
    rules = {i.aturan for i in v.issues}
    assert "STR-JUDUL" in rules and "KEP-08" not in rules and "tidak diperiksa" not in str([i.pesan for i in v.issues])
    empty = templat_csv(desa, "kependudukan", TAHUN, None).decode().splitlines()  # no year before: no title line
    assert empty[0].startswith("kode_desa,tahun,") and empty[1].startswith(f"{desa},{TAHUN},,,")


# --- the pages: the year to show ------------------------------------------------------------------------------


@pytest.fixture
def client(env: dict[str, str], dua_tahun: tuple[Runtime, Runtime]) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        plugin: ModuleType = load_plugin()
        deps.forget()
        plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses("uji", frozenset(HALAMAN))
        yield TestClient(plugin.app, root_path="/desa-cantik")
        plugin.app.dependency_overrides.clear()
        deps.forget()


def test_pages_open_the_daftar_data_year_and_offer_the_years_the_warehouse_holds(client: TestClient) -> None:
    page = client.get("/pantau")
    assert page.status_code == 200 and f"Desa Cantik {BARU}" in page.text
    assert f'<option value="{BARU}" selected>{BARU} (berjalan)</option>' in page.text
    assert f'<option value="{TAHUN}">{TAHUN}</option>' in page.text
    assert "Batas akhir pengumpulan" in page.text
    lalu = client.get(f"/pantau?tahun={TAHUN}")
    assert f"Desa Cantik {TAHUN}" in lalu.text and f"Anda melihat data tahun <b>{TAHUN}</b>" in lalu.text
    assert "Batas akhir pengumpulan" not in lalu.text  # a past year has no deadline
    assert f"/pantau/desa/{DESA[0]}?tahun={TAHUN}" in client.get(f"/pantau/wilayah/{SMALL_REGION}?tahun={TAHUN}").text
    missing = client.get("/pantau?tahun=1999")
    assert missing.status_code == 404 and "Tahun &#39;1999&#39; tidak ada di gudang data" in missing.text
    assert client.get("/pantau?tahun=abc").status_code == 404


def test_temuan_indikator_and_paket_of_each_year(client: TestClient, dua_tahun: tuple[Runtime, Runtime]) -> None:
    assert "KEP-08" in client.get("/temuan").text
    assert "KEP-08" not in client.get(f"/temuan?tahun={TAHUN}").text
    assert f'<input type="hidden" name="tahun" value="{TAHUN}">' in client.get(f"/temuan?tahun={TAHUN}").text
    ind = dua_tahun[1].warehouse.table_frame("indikator")
    total = ind[(ind["indikator"] == "jumlah_penduduk") & (ind["tingkat"] == "kecamatan")].set_index("tahun")["nilai"]
    assert total[TAHUN] != total[BARU]
    for year, other in ((TAHUN, BARU), (BARU, TAHUN)):
        paket = client.get(f"/paket?tahun={year}")
        assert paket.status_code == 200 and f"publikasi/{year}/{SMALL_REGION}/" in paket.text
        page = client.get(f"/indikator?tahun={year}").text
        assert nilai(total[year]) in page and nilai(total[other]) not in page


# --- Kirim data in the second year: the template, the page's pre-check against last year, Berkas saya per year ----


def test_kirim_data_offers_last_years_values_and_checks_against_them(env: dict[str, str],
                                                                    dua_tahun: tuple[Runtime, Runtime]) -> None:
    from desa_cantik.web import hangat

    old, _ = dua_tahun
    desa = DESA[0]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        plugin: ModuleType = load_plugin()
        deps.forget()
        hangat.RUJUKAN.clear()
        mp.setattr(auth, "wilayah_pengguna", lambda: {"op-desa": desa})
        plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses("op-desa", frozenset({"kirim"}),
                                                                         ("Operator Desa",), False)
        c = TestClient(plugin.app, root_path="/desa-cantik", headers={"Origin": "http://testserver"})
        page = c.get("/kirim")
        assert f"nilai {TAHUN} yang diterima" in page.text and "format=csv" in page.text
        xlsx = c.get(f"/kirim/templat/kependudukan?pengirim={desa}")
        assert xlsx.status_code == 200 and f'_{BARU}.xlsx"' in xlsx.headers["content-disposition"]
        assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["kependudukan", f"nilai_{TAHUN}"]
        csv = c.get(f"/kirim/templat/kependudukan?pengirim={desa}&format=csv")
        assert csv.headers["content-type"].startswith("text/csv") and csv.content == templat_csv(
            desa, "kependudukan", BARU, nilai_tahun_lalu(old.warehouse, "kependudukan", BARU, desa))
        # jumlah penduduk doubled against 2025's stored value: the page's own pre-check (hangat.rujukan) warns, KEP-08
        before = old.warehouse.dataset_rows("kependudukan", TAHUN).set_index("kode_desa").loc[desa]
        lines = csv.text.splitlines()
        cells = lines[2].split(",")
        header = lines[1].split(",")
        for col in ("penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk", "kelahiran", "kematian"):
            cells[header.index(col)] = str(2 * int(before[col]))
        sent = c.post("/kirim", data={"pengirim": desa, "dataset": "kependudukan"},
                      files={"berkas": ("naik.csv", "\n".join([lines[0], lines[1], ",".join(cells)]).encode())},
                      follow_redirects=True)
        was = int(before["jumlah_penduduk"])
        assert sent.status_code == 200 and "KEP-08" in sent.text  # a warning: the verdict stays the file's own
        assert f"jumlah_penduduk {2 * was} berubah 100% dibanding tahun lalu ({was}); batas ±10%." in sent.text
        mine = c.get("/kirim/berkas")
        assert f"Desa Cantik {BARU}" in mine.text and "naik.csv" in mine.text
        lalu = c.get(f"/kirim/berkas?tahun={TAHUN}")
        assert f"Berkas dan data tahun {TAHUN}." in lalu.text and "naik.csv" not in lalu.text
        assert nilai(float(before["jumlah_penduduk"])) in lalu.text  # 2025's stored row, under Data yang tersimpan
        plugin.app.dependency_overrides.clear()
        deps.forget()


def test_a_files_sha256_opens_its_own_years_page(client: TestClient, dua_tahun: tuple[Runtime, Runtime]) -> None:
    old, _ = dua_tahun
    sha = str(old.warehouse.submissions(TAHUN)["sha256"].iloc[0])
    r = client.get(f"/cari?q={sha}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/berkas/{TAHUN}/{sha}")


def test_the_template_command_prefills_from_the_tiers_warehouse(env: dict[str, str], dua_tahun: tuple[Runtime, Runtime],
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from desa_cantik.cli import main

    old, _ = dua_tahun
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["template", "--region", SMALL_REGION, "--dataset", "kependudukan", "--out", str(tmp_path / "k.csv")]) == 0
    assert f"tahun {BARU}: {tmp_path / 'k.csv'}; terisi nilai {TAHUN} yang diterima untuk 10 desa" in capsys.readouterr().out
    assert (tmp_path / "k.csv").read_bytes() == templat_csv(
        SMALL_REGION, "kependudukan", BARU, nilai_tahun_lalu(old.warehouse, "kependudukan", BARU, SMALL_REGION))
    assert main(["template", "--region", SMALL_REGION, "--dataset", "fasilitas", "--kosong",
                 "--out", str(tmp_path / "f.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "f.xlsx").sheetnames == ["fasilitas"]
    assert main(["template", "--region", "99.99", "--dataset", "fasilitas", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "wilayah tidak dikenal" in capsys.readouterr().err
