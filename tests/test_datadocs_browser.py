"""What senders wrote, opened in Chromium: the Data Docs pages and the stored reports of files carrying markup.

An agency sends ``kesehatan_anak`` with ``kode_opd`` cells holding a script, a ``<meta http-equiv="refresh">`` to
another site and an image with an ``onerror`` handler; a desa puts ``fasilitas`` into its own inbox folder with such an
image in ``sumber_penerangan``. Both go through the real gate; an auditor logs in to a real api-server (FAB) and
opens each Data Docs page and each file's stored report: the page stays where it is (no navigation), no dialog opens,
the DOM holds none of the markup as elements, and the values are shown as text. The stored pages are sandboxed
without scripts, yet their CSS loads and the "hanya yang gagal" filter works (it is CSS). Screenshots:
``docs/layar/datadocs-muatan.png`` (the agency's page, failed rules only) and ``docs/layar/datadocs.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.pengirim import batch_of
from desa_cantik.storage import layout

from . import stages
from .conftest import SMALL_REGION, TAHUN
from .fixtures_halaman import LAYAR
from .test_datadocs import KODE_OPD_MUATAN, MUATAN_DESA, OPD, PENERANGAN_MUATAN, RUN, shown_kode_opd, with_payloads
from .test_halaman import WILAYAH, env_of
from .test_halaman_browser import _SESSIONS, expect_slowly, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.airflow]

USER = "auditor"
SETTLE_MS = 1500  # long enough for a refresh of 0 s, a failed image and its handler


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("muatan") / "desa"


@pytest.fixture(scope="module")
def deployment(home: Path, tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Runtime:
    folder = with_payloads(small_generated, tmp_path_factory.mktemp("kiriman_muatan_browser"))
    rt = stages.embedded_with_uploads(home, folder, WILAYAH)
    stages.gate_and_store(rt, RUN)
    return rt


@pytest.fixture(scope="module")
def muatan_server(home: Path, deployment: Runtime, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An api-server of its own on the deployment with the payloads (the shared one's deployment stays as it is)."""
    from .airflow_server import airflow_api_server

    with airflow_api_server(tmp_path_factory.mktemp("af_muatan"), env_of(home), reserialize=False) as server:
        _SESSIONS.pop(USER, None)  # cookies are per host, not per port: no other server's session
        yield server
        _SESSIONS.pop(USER, None)


def _sha(rt: Runtime, dataset: str, pengirim: str) -> str:
    files = rt.warehouse.table_frame("berkas_masuk")
    [sha] = files.loc[(files["dataset"] == dataset) & (files["pengirim"] == pengirim), "sha256"]
    return str(sha)


def _docs_url(server: Any, dataset: str, pengirim: str) -> str:
    key = layout.data_docs_key(TAHUN, RUN, batch_of(pengirim), dataset)
    return f"{server.url}/desa-cantik/datadocs/{key.removeprefix(layout.DATA_DOCS + '/')}"


class Watched:
    """A tab whose navigations and dialogs are recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.navigations: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _request(self, request: Any) -> None:
        if request.is_navigation_request():
            self.navigations.append(request.url)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str, clean: bool = True) -> Any:
        """Open a stored page: it stays, opens no dialog, is sandboxed; ``clean``: no sender's markup in its DOM."""
        self.navigations.clear()
        response = self.page.goto(url)
        self.page.wait_for_timeout(SETTLE_MS)
        assert self.navigations == [url], f"the page navigated away: {self.navigations}"
        assert self.page.url == url
        assert not self.dialogs, self.dialogs
        for selector in ("script", "meta[http-equiv]", "img", "iframe", "object", "embed", "form", "base") if clean else ():
            assert self.page.locator(selector).count() == 0, f"{selector} in the DOM of {url}"
        assert "sandbox allow-same-origin" in response.headers["content-security-policy"].split("; ")
        return response


@pytest.mark.parametrize(("dataset", "pengirim", "values"), [
    ("kesehatan_anak", OPD, tuple(shown_kode_opd(v) for v in KODE_OPD_MUATAN)),
    ("fasilitas", MUATAN_DESA, (PENERANGAN_MUATAN,)),
])
def test_a_senders_markup_is_shown_as_text_and_never_acts(browser: Any, muatan_server: Any, deployment: Runtime,
                                                          dataset: str, pengirim: str, values: tuple[str, ...]) -> None:
    expect = expect_slowly()
    tab = Watched(logged_in(browser, muatan_server, USER))
    page = tab.page
    tab.open(_docs_url(muatan_server, dataset, pengirim))
    expect(page.locator("h1")).to_contain_text(f"Hasil validasi BPS: {dataset}")
    expect(page.locator(".dd-bar")).to_have_css("position", "sticky")  # the CSS loaded, sandboxed as the page is
    for value in values:
        expect(page.locator("td code", has_text=value).first).to_be_visible()
    passed = page.locator("tr.dd-lolos").first
    expect(passed).to_be_visible()
    page.get_by_text("Hanya yang gagal").click()  # a label for a radio button: no script involved
    expect(passed).to_be_hidden()
    expect(page.locator("td code", has_text=values[0]).first).to_be_visible()
    if dataset == "kesehatan_anak":
        page.screenshot(path=str(LAYAR / "datadocs-muatan.png"), full_page=True)

    tab.open(f"{muatan_server.url}/desa-cantik/laporan/{TAHUN}/berkas/{_sha(deployment, dataset, pengirim)}")
    report = page.locator("body").inner_text().lower()
    assert "<img" in report and ("<script>" in report or dataset == "fasilitas"), "the values are shown as text"
    page.context.close()


# A page as GX's renderer stored it before its values were escaped (pages stay in the object store for years):
# the policy alone must keep its markup from acting.
RAW = ('<!DOCTYPE html><html><head><title>lama</title></head><body><table><tr><td>'
       + KODE_OPD_MUATAN[1] + '</td><td><img src=x onerror="alert(1)"></td><td><script>alert(2)</script></td>'
       '<td><meta http-equiv="refresh" content="0;url=https://example.org/"></td></tr></table></body></html>')


def test_a_page_stored_unescaped_cannot_act_either(browser: Any, muatan_server: Any, deployment: Runtime) -> None:
    key = layout.data_docs_key(TAHUN, "manual__2025-12-01T00:00:00+00:00", OPD, "kesehatan_anak")
    deployment.store.put(key, RAW.encode())
    tab = Watched(logged_in(browser, muatan_server, USER))
    tab.open(f"{muatan_server.url}/desa-cantik/datadocs/{key.removeprefix(layout.DATA_DOCS + '/')}", clean=False)
    assert tab.page.locator("meta[http-equiv]").count() == 2, "the markup is there, and does nothing"
    tab.page.context.close()


def test_the_normal_page_reads_in_indonesian(browser: Any, muatan_server: Any) -> None:
    expect = expect_slowly()
    tab = Watched(logged_in(browser, muatan_server, USER))
    page = tab.page
    tab.open(_docs_url(muatan_server, "kependudukan", f"{SMALL_REGION}.2001"))
    expect(page.locator("#ikhtisar")).to_contain_text("Status validasi:")
    expect(page.locator("#ikhtisar")).to_contain_text("Persentase terpenuhi")
    body = page.locator("body").inner_text()
    assert "Evaluated Expectations" not in body and "unexpected" not in body
    page.locator(".dd-daftar > summary").click()  # fold the list of files: the rules come into view
    expect(page.locator(".dd-daftar table")).to_be_hidden()
    page.screenshot(path=str(LAYAR / "datadocs.png"))
    page.context.close()
