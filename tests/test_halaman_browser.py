"""The monitoring pages in a real browser: Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Each demo role logs in through Airflow's FAB login page, opens every Desa Cantik page from Airflow's
navigation (the page renders inside the UI's iframe) and by its own address, and sees what its role allows;
a Viewer (no Desa Cantik pages) is refused in Indonesian; an anonymous browser is asked to log in. A BPS
user finds which desa of a kecamatan were rejected and why; an auditor opens a stored row's report and Data
Docs page. Screenshots go to ``docs/layar/`` (``{peran}-{halaman}.png``) for people to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import SMALL_REGION, TAHUN
from .fixtures_halaman import LAYAR
from .test_halaman import VIEWER, role_pages

pytestmark = [pytest.mark.browser, pytest.mark.airflow]

NAV = {"pantau": "Pantau", "temuan": "Temuan", "indikator": "Indikator", "paket": "Paket"}
HEADING = {"pantau": "Pantau siklus", "temuan": "Temuan validasi", "indikator": "Indikator", "paket": "Paket"}
WAIT_MS = 120_000  # the UI's first load on a busy 2-core machine


_SESSIONS: dict[str, Any] = {}  # user -> the browser's cookies after logging in once


def logged_in(browser: Any, server: Any, user: str, width: int = 1366, height: int = 900) -> Any:
    """A browser tab logged in through Airflow's own login form (FAB), on the UI's home page (once per user;
    later tabs reuse the session cookie)."""
    context = browser.new_context(viewport={"width": width, "height": height}, storage_state=_SESSIONS.get(user))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{server.url}/")
    if user not in _SESSIONS:
        page.wait_for_url("**/auth/login/**")  # Airflow sends an anonymous browser to its login page
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", server.passwords[user])
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(lambda url: "/auth/login" not in url)
        _SESSIONS[user] = context.storage_state()
    page.locator('a[href="/dags"]').first.wait_for()  # the UI's own navigation has loaded
    return page


def inside_airflow(page: Any) -> Any:
    """The page Airflow renders in its iframe."""
    return page.frame_locator("iframe").first


def shot(page: Any, name: str, full: bool = False) -> None:
    page.wait_for_timeout(300)  # the iframe's last paint
    page.screenshot(path=str(LAYAR / f"{name}.png"), full_page=full)


def expect_slowly() -> Any:
    """Playwright's ``expect`` with the UI's patience (its first load on a busy 2-core machine)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    return expect


def nav_entry(page: Any, key: str) -> Any:
    """The page's entry in Airflow's navigation bar (a link to the UI's ``/plugin/{url_route}``)."""
    return page.locator(f'a[href$="/plugin/desa-cantik-{key}"]')


@pytest.mark.parametrize("user", ["bps", "diskominfo", "bappeda", "auditor", "admin"])
def test_each_role_opens_its_pages_from_airflows_navigation(browser: Any, server: Any, user: str) -> None:
    from desa_cantik.peran import DaftarPeran

    expect = expect_slowly()
    pages = role_pages()[user]
    assert pages - {"kabar"} == set(NAV) | {"laporan"}, "every pillar's role sees every page (config/peran.yaml)"
    role = next(r for r in DaftarPeran.load().peran.values() if r.kunci == user)
    assert role.boleh("can_read", "Plugins"), (
        f"peran {role.nama} tidak boleh membaca Plugins: Airflow menyembunyikan entri Desa Cantik dari navigasinya "
        "(tambahkan Plugins: [can_read] ke himpunan_izin.baca di config/peran.yaml)")
    page = logged_in(browser, server, user)
    for key, label in NAV.items():
        entry = nav_entry(page, key)
        expect(entry).to_have_text(label)  # in the menu: Airflow lists it to users who may read Plugins
        entry.click()
        expect(page).to_have_url(re.compile(rf"/plugin/desa-cantik-{key}(/|$)"))  # the UI may add the frame's path
        expect(inside_airflow(page).locator("h1")).to_contain_text(HEADING[key])
        expect(inside_airflow(page).locator(".pengguna")).to_contain_text(user)
        shot(page, f"{user}-{key}")
    page.context.close()


def test_a_role_without_the_pages_is_refused(browser: Any, server: Any) -> None:
    """FAB's Viewer: no Desa Cantik page, not in its menu; by address, a refusal it can read."""
    expect = expect_slowly()
    user = VIEWER[0]
    page = logged_in(browser, server, user)
    for key in NAV:
        expect(nav_entry(page, key)).to_have_count(0)
    for key in NAV:
        response = page.goto(f"{server.url}/desa-cantik/{key}")
        assert response is not None and response.status == 403
        expect(page.locator("h1")).to_have_text("Anda tidak berhak membuka halaman ini")
        expect(page.locator("main")).to_contain_text(f"Desa Cantik: {HEADING[key].split()[0]}")
        shot(page, f"{user}-{key}")
    page.context.close()


def test_pages_by_their_own_address(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = logged_in(browser, server, "bps")
    for key in NAV:
        response = page.goto(f"{server.url}/desa-cantik/{key}")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_contain_text(HEADING[key])
        assert "<script" not in page.content()
    page.context.close()


def test_bps_finds_the_rejected_desa_of_a_kecamatan_and_why(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = logged_in(browser, server, "bps")
    page.goto(f"{server.url}/desa-cantik/pantau")
    page.get_by_role("link", name="Donomulyo").click()  # the kecamatan, from the kabupaten's table
    expect(page.locator("h1")).to_contain_text(f"Kecamatan Donomulyo ({SMALL_REGION})")
    section = page.locator("#ditolak")
    expect(section.locator("h2")).to_contain_text("Desa yang ditolak dan alasannya")
    rows = section.locator("tbody tr")
    assert rows.count() >= 3
    for i in range(rows.count()):  # each rejected desa: the rule by its id, and the message the operator got
        assert re.fullmatch(r"[A-Z]{3}-\d{2}", rows.nth(i).locator("ul.alasan .aturan").first.inner_text())
        assert len(rows.nth(i).locator("ul.alasan li").first.inner_text()) > 20
    first = rows.first
    shot(page, "bps-pantau-kecamatan", full=True)
    desa = first.locator("th a").inner_text()
    first.locator("th a").click()
    expect(page.locator("h1")).to_contain_text(f"Desa {desa}")
    expect(page.get_by_text("Kiriman desa ini")).to_be_visible()
    shot(page, "bps-pantau-desa", full=True)
    page.context.close()


def test_auditor_opens_a_stored_rows_report_and_data_docs(browser: Any, server: Any) -> None:
    from desa_cantik.storage import Warehouse

    expect = expect_slowly()

    sha = Warehouse(server.env["DESA_CANTIK_GUDANG"]).dataset_rows("kesehatan_anak", TAHUN)["sha256_berkas"].iloc[0]
    page = logged_in(browser, server, "auditor")
    page.goto(f"{server.url}/desa-cantik/cari?q={sha}")  # the sha256 of a stored row, as an auditor has it
    expect(page.locator("h1")).to_contain_text("Berkas")
    shot(page, "auditor-berkas", full=True)
    with page.context.expect_page() as report_tab:
        page.get_by_role("link", name="Buka laporan pemeriksaan").click()
    report = report_tab.value
    report.wait_for_load_state()
    assert report.url.endswith(f"/laporan/{TAHUN}/berkas/{sha}")
    expect(report.locator("body")).to_contain_text("DITERIMA")
    shot(report, "auditor-laporan", full=True)
    with page.context.expect_page() as docs_tab:
        page.get_by_role("link", name="Buka Data Docs (GX)").click()
    docs = docs_tab.value
    docs.wait_for_load_state()
    assert f"/desa-cantik/datadocs/{TAHUN}/" in docs.url
    expect(docs.locator("body")).to_contain_text("kesehatan_anak")
    shot(docs, "auditor-datadocs")
    page.context.close()


def test_a_phone_sized_screen_reads_the_kecamatan_page(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = logged_in(browser, server, "bps", width=390, height=844)
    page.goto(f"{server.url}/desa-cantik/pantau/wilayah/{SMALL_REGION}")
    expect(page.locator("h1")).to_contain_text("Donomulyo")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "wide tables scroll inside their box; the page itself does not"
    shot(page, "bps-pantau-ponsel", full=True)
    page.context.close()


def test_anonymous_browser_is_asked_to_log_in(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = browser.new_context(viewport={"width": 1000, "height": 500}).new_page()
    response = page.goto(f"{server.url}/desa-cantik/pantau")
    assert response is not None and response.status == 401
    expect(page.locator("h1")).to_have_text("Anda belum masuk")
    shot(page, "anonim-pantau")
    page.context.close()
