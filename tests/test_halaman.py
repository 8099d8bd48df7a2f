"""The monitoring pages (``desa_cantik.web``, registered by plugins/desa_cantik_halaman.py) on a deployment filled by the real gate.

Fast part: FastAPI's TestClient on a SQLite + folder tier (Kabupaten Malang, with Donomulyo's generated
files, a resubmission, a file with personal data and one with markup in its name), overriding only the
auth dependency; every number is compared with the warehouse's own tables, counted here independently.
Anonymous callers get 401 without any override (Airflow's ``get_user`` finds no session).

``airflow`` part: a real ``airflow api-server`` (FAB, the project's roles and demo users) on the same kind of
deployment: anonymous 401 on every route, each demo role's pages, a role without pages 403.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.findings import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK, WARNING
from desa_cantik.peran import HALAMAN
from desa_cantik.storage import layout
from desa_cantik.storage.rows import Delivery
from desa_cantik.web import auth, deps

from .conftest import ROOT, SMALL_REGION, TAHUN

WILAYAH = "35.07"  # the tier: Kabupaten Malang, with files from one kecamatan (Donomulyo)
OP_DESA, OP_TETANGGA = "35.07.01.2001", "35.07.01.2002"  # the demo desa operator's desa, and its neighbour
NIK = "3507014501900003"  # a 16-digit number shaped like a NIK
PAGES = ("/pantau", f"/pantau/wilayah/{SMALL_REGION}", "/temuan", "/indikator", "/paket")
MARKUP = "<img src=x onerror=alert(1)>.csv"  # a file name a page must show as text
NO_PERSONAL_ID = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
GOOD = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
        "penduduk_datang,penduduk_pindah\n{kode},2025,1510,1490,3000,850,45,20,30,25\n")


# --- the deployment --------------------------------------------------------------------------------


def fill_deployment(home: Path, folder: Path) -> Runtime:
    """A kabupaten tier through the real stages: Donomulyo's files (run 1); a corrected resubmission, a file
    with a NIK (named and inside) and one with markup in its name (run 2); the close (run 3); a signed package."""
    from desa_cantik.bags import generate_key
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.cross_check import cross_check
    from desa_cantik.cycle.persetujuan import record_decision
    from desa_cantik.cycle.publish import publish

    from .stages import embedded_with_uploads, gate_and_store

    rt = embedded_with_uploads(home, folder, WILAYAH)
    gate_and_store(rt, "manual__2026-03-01T08:00:00+00:00")
    subs = rt.warehouse.submissions(TAHUN)
    rejected = sorted(subs.loc[(subs["dataset"] == "kependudukan") & (subs["status"] == DITOLAK), "pengirim"])
    fixed, private = rejected[0], rejected[-1]
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{fixed}/perbaikan.csv", GOOD.format(kode=fixed).encode())
    rt.store.put(f"masuk/{TAHUN}/kependudukan/{private}/{NIK}_kependudukan.csv",
                 (GOOD.format(kode=private).strip() + f",{NIK}\n").replace("penduduk_pindah\n", "penduduk_pindah,nik\n")
                 .encode())
    rt.store.put(f"masuk/{TAHUN}/fasilitas/{SMALL_REGION}.2002/{MARKUP}", b"bukan tabel")
    gate_and_store(rt, "manual__2026-03-05T08:00:00+00:00")
    cross_check(rt, "scheduled__2026-03-31T16:59:00+00:00")
    coordinate(rt)
    generate_key(rt.settings.kunci, rt.settings.kode_paket)
    record_decision(rt, {"keputusan": "disetujui", "oleh": "bappeda", "pada": "2026-03-31T10:30:00+00:00",
                         "alasan": "cakupan cukup untuk terbit", "batas_waktu_habis": False,
                         "run_id": "scheduled__2026-03-31T16:59:00+00:00"})
    publish(rt, "2026-03-31T23:59:00+07:00")
    return rt


def env_of(home: Path) -> dict[str, str]:
    return {"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": WILAYAH,
            "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}"}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> tuple[Path, Runtime]:
    home = tmp_path_factory.mktemp("halaman")
    return home, fill_deployment(home, small_generated)


def load_plugin() -> ModuleType:
    """The plugin module as Airflow's plugin loader imports it."""
    spec = importlib.util.spec_from_file_location("desa_cantik_halaman", ROOT / "plugins" / "desa_cantik_halaman.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def plugin(deployment: tuple[Path, Runtime]) -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_of(deployment[0]).items():
            mp.setenv(key, value)
        mod = load_plugin()
        deps.forget()
        yield mod
        deps.forget()


def client_as(plugin: ModuleType, pages: frozenset[str] | None) -> TestClient:
    """A client whose user holds ``pages`` (None: nobody logged in, Airflow's own dependency answers)."""
    plugin.app.dependency_overrides.clear()
    if pages is not None:
        plugin.app.dependency_overrides[auth.akses] = lambda: auth.Akses("uji", pages)
    return TestClient(plugin.app, root_path="/desa-cantik")


@pytest.fixture
def client(plugin: ModuleType) -> Iterator[TestClient]:
    yield client_as(plugin, frozenset(HALAMAN))
    plugin.app.dependency_overrides.clear()


# --- reading pages ---------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002 - HTMLParser API
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row_starting(html: str, first_cell: str) -> list[str]:
    for table in tables(html):
        for row in table:
            if row and row[0].startswith(first_cell):
                return row
    raise AssertionError(f"no row starting with {first_cell!r}")


def number(text: str) -> int:
    return int(text.replace(".", ""))


# --- what the warehouse says, counted here --------------------------------------------------------------


def expected_status(rt: Runtime, dataset: str, per_desa: bool) -> dict[str, str]:
    """Each desa's verdict for a dataset, from the warehouse's tables with pandas (not the pages' queries)."""
    if per_desa:
        subs = rt.warehouse.submissions(TAHUN)
        subs = subs[(subs["dataset"] == dataset) & (subs["pengirim"].str.len() == 13)]
        newest = subs.sort_values(["diterima_pada", "sha256"]).groupby("pengirim").tail(1)
        return dict(zip(newest["pengirim"], newest["status"], strict=True))
    stored = rt.warehouse.dataset_rows(dataset, TAHUN)
    summary = rt.warehouse.validation_summary(TAHUN)
    warned = summary[(summary["dataset"] == dataset) & (summary["keparahan"] == WARNING)]
    noted = set(zip(warned["sha256_berkas"], warned["kode_desa"], strict=True))
    out = {k: DITERIMA_DENGAN_CATATAN if (s, k) in noted else DITERIMA
           for k, s in zip(stored["kode_desa"], stored["sha256_berkas"], strict=True)}
    q = rt.warehouse.table_frame("karantina_baris")
    q = q[(q["dataset"] == dataset) & q["kode_desa"].notna()]
    out.update({k: DITOLAK for k in set(q["kode_desa"]) - set(out)})
    return out


def datasets(rt: Runtime) -> list[Any]:
    from desa_cantik.pantau import datasets_of

    return datasets_of(rt.daftar)


# --- the pages show the warehouse's numbers ------------------------------------------------------------


def test_pantau_counts_per_kecamatan_equal_the_warehouse(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    html = client.get("/pantau").text
    from desa_cantik.regions import desa_table

    master = desa_table(WILAYAH)
    for d in datasets(rt):
        status = pd.Series(expected_status(rt, d.nama, d.per_desa), dtype=object)
        status = status[status.index.str.startswith(SMALL_REGION + ".")]
        accepted = int(status.isin([DITERIMA, DITERIMA_DENGAN_CATATAN]).sum())
        rejected = int((status == DITOLAK).sum())
        noted = int((status == DITERIMA_DENGAN_CATATAN).sum())
        # the per-dataset table: expected, submitted, accepted, with notes, rejected, not yet (whole kabupaten)
        row = row_starting(html, d.judul)
        assert [number(c) for c in row[2:8]] == [len(master), accepted + rejected, accepted, noted, rejected,
                                                 len(master) - accepted - rejected], d.nama
    donomulyo = row_starting(html, "Donomulyo")
    assert donomulyo[1] == "10"
    for cell, d in zip(donomulyo[2:], datasets(rt), strict=True):
        status = expected_status(rt, d.nama, d.per_desa)
        accepted = sum(v != DITOLAK for k, v in status.items() if k.startswith(SMALL_REGION))
        assert cell.replace(" /", "/").startswith(f"{accepted}/10 diterima"), (d.nama, cell)
    pagak = row_starting(html, "Pagak")  # 35.07.02: nothing sent yet
    assert all("0/8 diterima" in c.replace(" /", "/") and "8 belum" in c for c in pagak[2:]), pagak
    assert f'href="/desa-cantik/pantau/wilayah/{SMALL_REGION}"' in html
    assert "Batas akhir pengumpulan" in html and "31 Mar 2026 23.59 WIB" in html


def test_kecamatan_page_says_which_desa_were_rejected_and_why(client: TestClient,
                                                              deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    html = client.get(f"/pantau/wilayah/{SMALL_REGION}").text
    rejected_table = next(t for t in tables(html) if t and t[0][:2] == ["Desa", "Dataset"] and "Alasan ditolak" in t[0])
    shown = {(r[0].split()[-1], r[1]) for r in rejected_table[1:]}
    want = set()
    titles = {d.nama: d.judul for d in datasets(rt)}
    for d in datasets(rt):
        for kode, status in expected_status(rt, d.nama, d.per_desa).items():
            if status == DITOLAK and kode.startswith(SMALL_REGION):
                want.add((kode, titles[d.nama]))
    assert shown == want and want
    # why: every rule the warehouse recorded as an error for that desa's newest file is named on its row
    summary = rt.warehouse.validation_summary(TAHUN)
    subs = rt.warehouse.submissions(TAHUN)
    for r in rejected_table[1:]:
        kode, judul = r[0].split()[-1], r[1]
        dataset = next(n for n, t in titles.items() if t == judul)
        if dataset == "kependudukan" or dataset == "fasilitas":
            newest = subs[(subs["pengirim"] == kode) & (subs["dataset"] == dataset)].sort_values("diterima_pada").iloc[-1]
            rules = set(summary.loc[(summary["sha256_berkas"] == newest["sha256"]) & (summary["keparahan"] == "error"),
                                    "aturan"])
            assert rules and all(rule in r[3] for rule in rules), (kode, dataset, rules, r[3])
        assert r[3] != "—", r  # a reason, always


def test_desa_page_lists_every_submission_and_the_resubmission(client: TestClient,
                                                               deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    subs = rt.warehouse.submissions(TAHUN)
    fixed = subs.loc[subs["nama_berkas"] == "perbaikan.csv", "pengirim"].iloc[0]
    html = client.get(f"/pantau/desa/{fixed}").text
    mine = subs[subs["pengirim"] == fixed]
    for sha in mine["sha256"]:
        assert f"/desa-cantik/laporan/{TAHUN}/berkas/{sha}" in html and f"/berkas/{TAHUN}/{sha}/datadocs" in html
    kep = next(t for t in tables(html) if t and t[0][:2] == ["Diterima server", "Berkas"] and
               any("perbaikan.csv" in c for row in t for c in row))
    assert kep[1][1].startswith("perbaikan.csv") and kep[1][2] == "diterima"  # newest first
    assert "kiriman ke-2 (terbaru)" in kep[1][0] and kep[1][-1] == "dipakai : data desa tersimpan dari berkas ini"
    assert "kiriman ke-1" in kep[2][0] and kep[2][2] == "ditolak" and kep[2][-1] == "tidak dipakai (ditolak)"
    stored = row_starting(html, "kependudukan")
    assert stored[1].startswith("perbaikan.csv")


def test_temuan_counts_per_rule_equal_the_summary_table(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    summary = rt.warehouse.validation_summary(TAHUN)
    for wilayah, frame in (("", summary), (SMALL_REGION, summary[summary["kode_desa"].fillna("").str.startswith(
            SMALL_REGION + ".")])):
        html = client.get("/temuan", params={"wilayah": wilayah}).text
        table = next(t for t in tables(html) if t and t[0][0] == "Aturan")
        got = {(r[0], r[3]): (number(r[5]), number(r[6]), number(r[7])) for r in table[1:]}
        want = {(a, ds): (int(g["jumlah"].sum()), g["kode_desa"].nunique(), g["sha256_berkas"].nunique())
                for (a, ds), g in frame.groupby(["aturan", "dataset"])}
        assert got == want, wilayah
    rule = summary.groupby("aturan")["jumlah"].sum().idxmax()
    html = client.get(f"/temuan/aturan/{rule}").text
    assert f"({len(summary[summary['aturan'] == rule])})" in html
    assert client.get("/temuan", params={"wilayah": "99.99"}).status_code == 404


def test_indikator_tables_and_server_side_charts(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    ind = rt.warehouse.indicators(TAHUN)
    r = client.get("/indikator", params={"tingkat": "kecamatan", "indikator": "jumlah_penduduk"})
    html = r.text
    own = ind[ind["tingkat"] == "kabupaten"]
    summary_table = next(t for t in tables(html) if t and t[0][0] == "Indikator")
    assert len(summary_table) - 1 == len(own)
    pop = own[own["indikator"] == "jumlah_penduduk"].iloc[0]
    row = row_starting(html, "Jumlah penduduk")
    assert number(row[1]) == round(pop["nilai"])
    assert row[3].startswith(f"{pop['desa_kontribusi']}/{pop['desa_total']}")
    kec = ind[(ind["tingkat"] == "kecamatan") & (ind["indikator"] == "jumlah_penduduk")]
    donomulyo = row_starting(html, "Donomulyo")
    assert number(donomulyo[2]) == round(kec.loc[kec["kode_wilayah"] == SMALL_REGION, "nilai"].iloc[0])
    assert html.count("<svg") == 2 and "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "no CDN, no external resource"
    assert "script-src 'none'" in r.headers["content-security-policy"]


def test_paket_lists_the_published_version(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    import json

    _, rt = deployment
    pointer = json.loads(rt.store.get(f"publikasi/{TAHUN}/{WILAYAH}/terbaru.json"))
    html = client.get("/paket").text
    assert f"Versi {pointer['versi']}" in html and "ditandatangani Ed25519" in html
    assert "komponen_desa.csv" in html
    decision = row_starting(html, "31 Mar 2026 17.30 WIB")  # Bappeda's answer before publishing, from persetujuan/
    assert decision[1:4] == ["disetujui", "bappeda", "cakupan cukup untuk terbit"]


# --- files: reports and Data Docs, for every stored row -----------------------------------------------------


def test_report_and_data_docs_of_every_stored_rows_file(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    shas: set[str] = set()
    for ds in rt.daftar.datasets:
        shas |= set(rt.warehouse.dataset_rows(ds, TAHUN)["sha256_berkas"])
    assert len(shas) >= 10
    for sha in sorted(shas):
        report = client.get(f"/laporan/{TAHUN}/berkas/{sha}")
        assert report.status_code == 200 and "<html" in report.text.lower(), sha
        assert "script-src 'none'" in report.headers["content-security-policy"]
        docs = client.get(f"/berkas/{TAHUN}/{sha}/datadocs", follow_redirects=False)
        assert docs.status_code == 303, sha
        assert docs.headers["location"].startswith(f"/desa-cantik/datadocs/{TAHUN}/")
        page = client.get(docs.headers["location"].removeprefix("/desa-cantik"))
        assert page.status_code == 200 and len(page.text) > 1000, sha
        assert client.get(f"/berkas/{TAHUN}/{sha}").status_code == 200
    assert client.get(f"/laporan/{TAHUN}/berkas/{'0' * 64}").status_code == 404
    assert client.get(f"/laporan/{TAHUN}/berkas/bukan-sha").status_code == 404
    for bad in ("../gudang.sqlite", "2025/../../arsip/x.html", "2025/x.csv"):
        assert client.get(f"/datadocs/{bad}").status_code == 404, bad


def test_search_goes_to_the_desa_or_the_file(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    sha = rt.warehouse.dataset_rows("kependudukan", TAHUN)["sha256_berkas"].iloc[0]
    assert client.get("/cari", params={"q": sha}, follow_redirects=False).headers["location"].endswith(f"/berkas/{TAHUN}/{sha}")
    assert client.get("/cari", params={"q": "3507012001"}, follow_redirects=False).headers["location"].endswith(
        "/pantau/desa/35.07.01.2001")
    assert client.get("/cari", params={"q": "35.08"}).status_code == 404  # another kabupaten


# --- safety: personal data, markup, docs, anonymous, unauthorised ------------------------------------------


def test_no_personal_id_and_no_markup_from_senders(client: TestClient, deployment: tuple[Path, Runtime]) -> None:
    _, rt = deployment
    subs = rt.warehouse.submissions(TAHUN)
    assert subs["nama_berkas"].str.contains(NIK).any(), "the registry keeps the name as sent"
    private = subs.loc[subs["nama_berkas"].str.contains(NIK)].iloc[0]
    markup = subs.loc[subs["nama_berkas"] == MARKUP].iloc[0]
    paths = [*PAGES, f"/pantau/desa/{private['pengirim']}", f"/pantau/desa/{markup['pengirim']}",
             f"/berkas/{TAHUN}/{private['sha256']}", f"/laporan/{TAHUN}/berkas/{private['sha256']}",
             "/temuan/aturan/STR-00"]
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, path
        assert not NO_PERSONAL_ID.search(r.text), path
        assert "<img src=x" not in r.text, path
    desa = client.get(f"/pantau/desa/{private['pengirim']}").text
    assert "3507********0003_kependudukan.csv" in desa
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in client.get(f"/pantau/desa/{markup['pengirim']}").text


def test_docs_and_schema_routes_do_not_exist(plugin: ModuleType) -> None:
    for pages in (None, frozenset(HALAMAN)):
        c = client_as(plugin, pages)
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
            assert c.get(path).status_code == 404, path
    plugin.app.dependency_overrides.clear()


ROUTES = (*PAGES, "/", "/pantau/desa/35.07.01.2001", "/temuan/aturan/KEP-01", "/cari?q=35.07.01",
          f"/berkas/{TAHUN}/{'a' * 64}", f"/laporan/{TAHUN}/berkas/{'a' * 64}", f"/berkas/{TAHUN}/{'a' * 64}/datadocs",
          f"/datadocs/{TAHUN}/x/y.html", "/static/halaman/gaya.css", "/static/halaman/ikon-pantau.svg",
          "/kirim", "/kirim/berkas", "/kirim/berkas/35.07.01.2001/x", "/kirim/berkas/35.07.01.2001/x/laporan.txt",
          "/kirim/templat/kependudukan", "/kirim/langsung?dataset=kesehatan_anak", "/kirim/langsung/selesai?dataset=a&kunci=b",
          "/kabar", "/kabar/berhenti")


def test_anonymous_gets_401_on_every_route(plugin: ModuleType) -> None:
    c = client_as(plugin, None)  # Airflow's get_user itself: no cookie, no bearer token
    for path in ROUTES:
        r = c.get(path)
        assert r.status_code == 401, path
        assert "Anda belum masuk" in r.text, path
    assert c.get("/pantau", headers={"Authorization": "Bearer"}).status_code == 401


def test_a_role_without_the_page_gets_403_in_indonesian(plugin: ModuleType) -> None:
    c = client_as(plugin, frozenset({"indikator"}))
    for path, page in (("/pantau", "Pantau siklus"), ("/temuan", "Temuan"), ("/paket", "Paket"),
                       (f"/laporan/{TAHUN}/berkas/{'a' * 64}", "Laporan berkas")):
        r = c.get(path)
        assert r.status_code == 403 and "Anda tidak berhak membuka halaman ini" in r.text and page in r.text, path
    r = c.get("/indikator")
    assert r.status_code == 200 and 'href="/desa-cantik/pantau"' not in r.text  # the menu shows only its pages
    plugin.app.dependency_overrides.clear()


def test_plugin_registers_the_app_and_the_nav_entries(plugin: ModuleType) -> None:
    cls = plugin.DesaCantikHalamanPlugin
    assert cls.fastapi_apps[0]["url_prefix"] == "/desa-cantik" and cls.fastapi_apps[0]["app"] is plugin.app
    views = cls.external_views
    # Kirim data is no entry of Airflow's nav: every role that reads Plugins (pillar staff) would be offered it
    assert [v["href"].rsplit("/", 1)[-1] for v in views] == ["pantau", "temuan", "indikator", "paket", "kabar"]
    assert all(v["destination"] == "nav" and v["url_route"].startswith("desa-cantik-") for v in views)
    assert [m["middleware"].__name__ for m in cls.fastapi_root_middlewares] == ["Beranda"]  # operators' way in
    assert plugin.app.openapi_url is None and plugin.app.docs_url is None and plugin.app.redoc_url is None


def test_plugin_import_is_light() -> None:
    """Airflow loads plugins in every process: no pandas, warehouse or region list at import."""
    code = ("import sys, importlib.util, airflow.plugins_manager, fastapi; before = set(sys.modules);"
            "spec = importlib.util.spec_from_file_location('p', 'plugins/desa_cantik_halaman.py');"
            "m = importlib.util.module_from_spec(spec); sys.modules['p'] = m; spec.loader.exec_module(m);"
            "added = set(sys.modules) - before;"
            "print(','.join(sorted(n for n in added if n.split('.')[0] in ('pandas', 'sqlalchemy', 'lokal', 'altair',"
            " 'vl_convert', 'great_expectations') or n in ('desa_cantik.storage', 'desa_cantik.regions'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", out.stdout


# --- a real api-server: Airflow's session and FAB roles decide -----------------------------------------------

VIEWER = ("pemirsa", "pemirsa-demo")  # FAB's built-in Viewer role: Airflow pages, none of Desa Cantik's


def role_pages() -> dict[str, set[str]]:
    """Each demo user's pages, as config/peran.yaml grants them (the Viewer: none)."""
    from desa_cantik.peran import DaftarPeran, read_users

    from .airflow_server import PENGGUNA_DEMO

    roles = DaftarPeran.load()
    users = read_users(PENGGUNA_DEMO.read_text(encoding="utf-8"), roles, str(PENGGUNA_DEMO))
    return {u.username: set(roles.by_name(u.peran).halaman) for u in users} | {VIEWER[0]: set()}


@pytest.mark.airflow
def test_real_server_anonymous_gets_401_on_every_plugin_route(halaman_server: Any) -> None:
    for path in ROUTES:
        r = halaman_server.get(f"/desa-cantik{path}")
        assert r.status_code == 401, path
        assert "Anda belum masuk" in r.text, path
    assert halaman_server.get("/desa-cantik/pantau", headers={"Authorization": "Bearer bukan.token.sah"}).status_code in (
        401, 403)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert halaman_server.get(f"/desa-cantik{path}").status_code == 404, path


@pytest.mark.airflow
def test_real_server_each_role_gets_its_pages_and_403_elsewhere(halaman_server: Any) -> None:
    from desa_cantik.peran import HALAMAN
    from desa_cantik.storage import Warehouse

    stored = Warehouse(halaman_server.env["DESA_CANTIK_GUDANG"]).dataset_rows("kependudukan", TAHUN)
    sha = stored["sha256_berkas"].iloc[0]
    paths = {"pantau": "/pantau", "temuan": "/temuan", "indikator": "/indikator", "paket": "/paket",
             "laporan": f"/laporan/{TAHUN}/berkas/{sha}", "kirim": "/kirim", "kabar": "/kabar"}
    assert set(paths) == set(HALAMAN)
    seen = {}
    for user, pages in role_pages().items():
        for page, path in paths.items():
            r = halaman_server.get(f"/desa-cantik{path}", user=user)
            seen[(user, page)] = r.status_code
            if page in pages:
                assert r.status_code == 200, (user, page, r.text[:300])
            elif page == "kirim":  # Admin holds every page, but is no operator: bound to no desa
                assert r.status_code == 403 and ("Anda tidak berhak" in r.text or "belum terikat" in r.text), user
            else:
                assert r.status_code == 403 and "Anda tidak berhak" in r.text, (user, page, r.status_code)
    assert any(code == 403 for code in seen.values()), "the Viewer is refused"
    assert halaman_server.get("/desa-cantik/static/halaman/gaya.css", user=VIEWER[0]).status_code == 200


# --- a real api-server: FAB users, the Variable that binds them, bearer tokens --------------------------------


@pytest.mark.airflow
def test_real_server_operator_submits_and_a_forged_sender_is_refused(halaman_server: Any, clean: Path) -> None:
    """The demo's desa operator (bound to Tulungrejo by ``peran.py sync --pengguna``) over HTTP, as an API client."""
    [path] = list((clean / "fasilitas" / OP_DESA).iterdir())
    good, name = path.read_bytes(), path.name
    user = "operator-tulungrejo"

    def post(pengirim: str, dataset: str = "fasilitas") -> httpx.Response:
        r: httpx.Response = halaman_server.post("/desa-cantik/kirim", user=user, data={"pengirim": pengirim, "dataset": dataset},
                                                files={"berkas": (name, good)}, follow_redirects=False)
        return r

    forged = post(OP_TETANGGA)
    assert forged.status_code == 403 and "atas nama" in forged.text
    assert post(OP_DESA, "kesehatan_anak").status_code == 403
    ok = post(OP_DESA)
    assert ok.status_code == 303, ok.text[:500]
    report = halaman_server.get(ok.headers["location"], user=user)
    assert report.status_code == 200 and "DITERIMA" in report.text
    store = Runtime.from_env(halaman_server.env).store
    assert [o.key for o in store.list(f"{layout.INBOX}/{TAHUN}/fasilitas/{OP_DESA}/") if name in o.key], "queued as my desa"
    assert not [o for o in store.list(f"{layout.INBOX}/{TAHUN}/fasilitas/{OP_TETANGGA}/") if name in o.key]
    # an operator sees no DAG, run or monitoring page, and no other desa's files
    assert halaman_server.get("/api/v2/dags", user=user).status_code == 403
    assert halaman_server.get("/desa-cantik/pantau", user=user).status_code == 403
    kec = halaman_server.get("/desa-cantik/kirim/berkas", user="operator-donomulyo")
    assert kec.status_code == 200 and name in kec.text, "the kecamatan operator sees its desa's file"
    assert halaman_server.get("/desa-cantik/kirim", user="operator-dinkes").status_code == 200


@pytest.mark.airflow
def test_real_server_lists_the_pages_in_airflows_navigation(halaman_server: Any) -> None:
    r = halaman_server.get("/api/v2/plugins", user="admin")
    assert r.status_code == 200
    mine = next(p for p in r.json()["plugins"] if p["name"] == "desa_cantik_halaman")
    assert [v["url_route"] for v in mine["external_views"]] == [
        "desa-cantik-pantau", "desa-cantik-temuan", "desa-cantik-indikator", "desa-cantik-paket", "desa-cantik-kabar"]
    assert mine["fastapi_apps"][0]["url_prefix"] == "/desa-cantik"


def test_paket_at_a_province_lists_each_kabupatens_deliveries(plugin: ModuleType, tmp_path: Path) -> None:
    """Above kabupaten: every child, its versions, refusals with their reasons, and who has not delivered."""
    rt = Runtime.from_env({**env_of(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi", "DESA_CANTIK_WILAYAH": "35"})
    row = Delivery(TAHUN, "35.07", "20260401T000000Z", "2026-04-01T01:00:00+00:00", DITERIMA, None, "arsip/x", 9, "r")
    rt.warehouse.record_delivery(row)
    rt.warehouse.record_delivery(replace(row, kode_pengirim="35.08", versi="20260330T000000Z", status=DITOLAK,
                                         alasan=f"tanda tangan tidak sah (kunci {NIK})", baris_komponen=0))
    rt.warehouse.replace_components(TAHUN, "35.07", pd.DataFrame({
        "tahun": TAHUN, "kode_desa": ["35.07.01.2001", "35.07.01.2002"], "indikator": "jumlah_penduduk",
        "pembilang": [10.0, 20.0], "penyebut": [1.0, 1.0], "sumber": "35.07", "versi": "20260401T000000Z"}))
    rt.store.put("arsip/x/bag-info.txt", b"Siklus: desa-cantik/2025/kabupaten/35.07\nKode-Wilayah: 35.07\n")  # release 0.1.0's
    try:
        with deps.serving(rt):  # this tier instead of the module's deployment
            html = client_as(plugin, frozenset(HALAMAN)).get("/paket").text
            pantau = client_as(plugin, frozenset(HALAMAN)).get("/pantau").text
    finally:
        plugin.app.dependency_overrides.clear()
    malang = row_starting(html, "Kabupaten Malang")
    assert malang[1].startswith("20260401T000000Z") and malang[4] == "2/390"
    assert malang[1].endswith("rilis 0.1.0 · format paket 1"), "the release that made the version in use"
    assert "Tingkat ini (rilis 0.2.0) menerima paket format 1 dan 2" in html
    lumajang = row_starting(html, "Kabupaten Lumajang")
    assert "belum ada" in lumajang[1] and lumajang[3] == "1"
    assert "tanda tangan tidak sah" in html and not NO_PERSONAL_ID.search(html)
    assert "1 dari 38 sudah mengirim" in html and "Belum mengirim paket yang diterima" in html
    assert "sebagai paket bertanda tangan" in pantau


def test_a_row_past_the_first_sheet_reads_as_its_sheet_and_row() -> None:
    """Rows of a workbook with a desa per sheet are stored as ``k * LEMBAR_KE + row``: a page names the sheet."""
    from desa_cantik.intake import LEMBAR_KE
    from desa_cantik.web.render import templates

    show = templates().filters["baris"]
    assert (show(7), show(2 * LEMBAR_KE + 4), show(None)) == ("7", "lembar ke-3, baris 4", "–")
