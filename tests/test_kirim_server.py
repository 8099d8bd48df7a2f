"""Deadline day in a kecamatan hall (issue 20), on a real ``airflow api-server`` whose tier keeps its objects on a
real S3-protocol server (moto on loopback), as `make stack` does:

- an agency's direct upload, in Chromium: the signed form posts the file to the S3 server, which sends the
  browser back (its ``success_action_redirect``) to the tier, which records it once; Berkas saya lists it and,
  after the gate, its verdict. (moto stores the object and follows the redirect but does not enforce the POST
  policy's conditions; what the policy says is checked in tests/test_kirim.py, MinIO and S3 enforce it.)
- the way back is a signed, single-use link: replayed, it writes nothing; forged, another user's, or without its
  token, it is refused and writes nothing (over HTTP, following the S3 server's own redirect);
- a form posted with the cookie from another scheme or port of this host is refused (Origin checked by scheme,
  host and port against ``[api] base_url``);
- *Keluar* on a phone ends the session: the old cookie no longer opens Kirim data nor posts a file;
- an agency file whose ``kode_opd`` names another agency: KES-06 on the page's report and at the gate, and the
  row is not stored under the sender.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import SMALL_REGION, TAHUN
from .test_halaman_browser import WAIT_MS, expect_slowly, shot
from .test_kirim_browser import fab_login

pytestmark = [pytest.mark.airflow, pytest.mark.integration]

OPD, OP_OPD, OP_DESA = "35.07-DINKES", "operator-dinkes", "operator-tulungrejo"
PONSEL = {"width": 390, "height": 844}
LAIN = "35.07.02"  # a kecamatan no other file of this module names: what the gate stores there is this test's


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, s3_server: str) -> Iterator[Any]:
    """A kabupaten tier (Malang) with its objects on the S3 server and its warehouse in SQLite, served by Airflow."""
    from .airflow_server import airflow_api_server

    home = tmp_path_factory.mktemp("kirim-server")
    env = {"DESA_CANTIK_HOME": str(home / "desa"), "DESA_CANTIK_WILAYAH": "35.07",
           "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}",
           "DESA_CANTIK_OBJEK": f"s3://test:testsecret@{s3_server}/dc-{uuid.uuid4().hex[:10]}?secure=false&region=us-east-1",
           "AIRFLOW__FAB__AUTH_RATE_LIMIT": "100 per 40 second"}
    with airflow_api_server(home / "af", env, reserialize=False) as started:
        yield started


def runtime(server: Any) -> Any:
    from desa_cantik.cycle.runtime import Runtime

    return Runtime.from_env(server.env)


def records(server: Any) -> dict[str, bytes]:
    """Every submission record the tier keeps (``kiriman/…json``), by key."""
    from desa_cantik.storage import layout

    store = runtime(server).store
    return {o.key: store.get(o.key) for o in store.list(layout.submitted_prefix(TAHUN)) if o.key.endswith(".json")}


class _Form(HTMLParser):
    """The signed form's action and hidden fields, as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("enctype") == "multipart/form-data":
            self.action = a.get("action") or ""
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a.get("name") or ""] = a.get("value") or ""


def signed_form(server: Any, nama: str) -> _Form:
    r = server.get("/desa-cantik/kirim/langsung", OP_OPD, params={"dataset": "kesehatan_anak", "nama": nama})
    assert r.status_code == 200, r.text[:300]
    form = _Form()
    form.feed(r.text)
    assert form.action and form.fields.get("key"), "a form signed for one inbox key"
    return form


def kes_file(clean: Path) -> Path:
    [path] = list((clean / "kesehatan_anak" / OPD).iterdir())
    return path


def login(browser: Any, server: Any, user: str, viewport: dict[str, int]) -> Any:
    """A fresh context logged in through FAB's login form (never a session of another server)."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    fab_login(page, server, user)
    return page


@pytest.mark.browser
def test_an_agencys_direct_upload_comes_back_through_s3_and_reaches_berkas_saya(browser: Any, server: Any,
                                                                                clean: Path) -> None:
    from .stages import gate_and_store

    expect = expect_slowly()
    page = login(browser, server, OP_OPD, {"width": 1366, "height": 900})
    r = page.goto(f"{server.url}/desa-cantik/kirim/langsung?dataset=kesehatan_anak&nama=kesehatan_dinkes.xlsx")
    assert r is not None and r.status == 200
    back = page.locator('input[name="success_action_redirect"]').get_attribute("value")
    assert back.startswith(f"{server.url}/desa-cantik/kirim/langsung/selesai?"), back
    page.set_input_files("#file", str(kes_file(clean)))
    page.get_by_role("button", name="Unggah").click()  # to the S3 server; it sends the browser back (303)
    page.wait_for_url(re.compile(r"/desa-cantik/kirim/berkas$"))
    expect(page.locator("h1")).to_have_text("Berkas saya")
    row = page.locator("table.kiriman tbody tr").filter(has_text="kesehatan_dinkes.xlsx")
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Pemeriksaan awal"]')).to_contain_text("unggahan langsung")
    expect(row.locator('td[data-label="Hasil gerbang"]')).to_contain_text("menunggu gerbang")

    gate_and_store(runtime(server), "manual__2026-03-01T08:00:00+00:00")
    page.reload()
    row = page.locator("table.kiriman tbody tr").filter(has_text="kesehatan_dinkes.xlsx")
    expect(row.locator('td[data-label="Hasil gerbang"]')).to_contain_text("diterima")
    expect(row.locator('td[data-label="Baris tersimpan"]')).to_have_text("10")
    shot(page, "operator-opd-langsung-berkas-saya", full=True)
    page.context.close()


def test_the_way_back_is_signed_and_single_use(server: Any) -> None:
    form = signed_form(server, "kes-ulang.csv")
    body = b"kode_desa,tahun,kode_opd,jumlah_balita,balita_ditimbang,balita_stunting,jumlah_ibu_hamil\n"
    s3 = httpx.post(form.action, data=form.fields, files={"file": ("kes.csv", body)}, follow_redirects=False, timeout=30)
    assert s3.status_code == 303, s3.text[:300]
    back = httpx.URL(s3.headers["location"])  # the S3 server's own redirect, with its extra parameters
    assert back.path == "/desa-cantik/kirim/langsung/selesai", back
    path = f"{back.path}?{back.query.decode()}"

    before = records(server)
    forged = re.sub(r"tanda=[0-9a-f]+", "tanda=" + "0" * 64, path)
    unsigned = re.sub(r"&?tanda=[0-9a-f]+", "", path)
    for user, attempt in ((OP_OPD, forged), (OP_OPD, unsigned), (OP_DESA, path)):
        r = server.get(attempt, user, follow_redirects=False)
        assert r.status_code in (403, 404), (user, attempt, r.status_code)
    assert records(server) == before, "a refused way back writes nothing"

    first = server.get(path, OP_OPD, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/desa-cantik/kirim/berkas", first.text[:300]
    after = records(server)
    assert len(set(after) - set(before)) == 1, "one record written"
    for _ in range(2):  # a reload, a replayed link: the same answer, nothing written
        again = server.get(path, OP_OPD, follow_redirects=False)
        assert (again.status_code, again.headers["location"]) == (303, "/desa-cantik/kirim/berkas")
    assert records(server) == after
    page = server.get("/desa-cantik/kirim/berkas", OP_OPD)
    assert page.text.count("kes-ulang.csv") == 1, "one record, not a replacement of itself"


def test_a_form_from_another_scheme_or_port_is_refused(server: Any, clean: Path) -> None:
    url = httpx.URL(server.url)
    assert url.port is not None
    cookie = {"_token": server.token(OP_DESA)}  # the browser's session, not an API client's bearer token
    [path] = list((clean / "kependudukan" / f"{SMALL_REGION}.2001").iterdir())

    def post(origin: str) -> httpx.Response:
        return httpx.post(f"{server.url}/desa-cantik/kirim", cookies=cookie, headers={"Origin": origin},
                          data={"pengirim": f"{SMALL_REGION}.2001", "dataset": "kependudukan"},
                          files={"berkas": (path.name, path.read_bytes())}, follow_redirects=False, timeout=120)

    for origin in (f"https://{url.host}:{url.port}", f"http://{url.host}:{url.port + 1}", f"http://evil.{url.host}:{url.port}"):
        r = post(origin)
        assert r.status_code == 403 and "Formulir tidak dikirim dari halaman ini" in r.text, (origin, r.status_code)
    r = post(f"http://{url.host}:{url.port}")
    assert r.status_code == 303, r.text[:300]


@pytest.mark.browser
def test_keluar_on_a_phone_ends_the_session(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = login(browser, server, OP_DESA, PONSEL)
    r = page.goto(f"{server.url}/desa-cantik/kirim")
    assert r is not None and r.status == 200
    keluar = page.get_by_role("link", name="Keluar")
    expect(keluar).to_be_visible()
    box = keluar.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PONSEL["height"], f"Keluar below the first screen: {box}"
    shot(page, "operator-desa-keluar")
    old = page.context.cookies()
    assert any(c["name"] == "_token" for c in old)
    keluar.click()
    page.wait_for_url("**/auth/login/**")
    page.context.close()

    context = browser.new_context(viewport=PONSEL)
    context.add_cookies(old)  # the cookie as it was before Keluar, in a fresh browser
    stale = context.new_page()
    r = stale.goto(f"{server.url}/desa-cantik/kirim")
    assert r is not None and r.status == 401, r and r.status
    expect(stale.locator("h1")).to_contain_text("masuk")
    sent = context.request.post(f"{server.url}/desa-cantik/kirim", headers={"Origin": server.url},
                                multipart={"pengirim": f"{SMALL_REGION}.2001", "dataset": "kependudukan",
                                           "berkas": {"name": "k.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}},
                                max_redirects=0)
    assert sent.status == 401, sent.status
    context.close()


def test_a_file_naming_another_agency_is_told_on_the_page_and_at_the_gate(server: Any) -> None:
    from desa_cantik import kirim
    from desa_cantik.regions import desa_table

    from .stages import gate_and_store

    desa = desa_table(LAIN)["kode_desa"].tolist()[:2]
    text = ("kode_desa,tahun,kode_opd,jumlah_balita,balita_ditimbang,balita_stunting,jumlah_ibu_hamil\n"
            f"{desa[0]},{TAHUN},35.07-DINSOS,100,90,10,12\n{desa[1]},{TAHUN},35.07-DINKES,80,70,5,9\n")
    r = server.post("/desa-cantik/kirim", OP_OPD, data={"pengirim": OPD, "dataset": "kesehatan_anak"},
                    files={"berkas": ("kes_dinsos.csv", text.encode())}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    report = server.get(r.headers["location"] + "/laporan.txt", OP_OPD).text
    assert "KES-06" in report and "35.07-DINSOS" in report and "bukan OPD pengirim" in report, report

    rt = runtime(server)
    gate_and_store(rt, "manual__2026-03-02T08:00:00+00:00")
    [h] = [h for h in kirim.kiriman_saya(rt, kirim.Operator(OP_OPD, "opd", OPD)) if h.kiriman.nama_berkas == "kes_dinsos.csv"]
    assert h.kunci_arsip, "gated"
    gate_report = rt.store.get(h.kunci_arsip + ".laporan.txt").decode()
    assert "KES-06" in gate_report and "35.07-DINSOS" in gate_report
    stored = rt.warehouse.rows_inside("kesehatan_anak", TAHUN, LAIN)
    assert stored["kode_desa"].tolist() == [desa[1]], "the other agency's row is not stored under the sender"
    assert set(stored["kode_opd"]) == {OPD}
