"""Village operators send their files through the tier's own pages, in a real browser (Chromium via Playwright).

On the session's real ``airflow api-server`` (FAB, the demo users; ``halaman_server`` of tests/test_halaman.py,
shared with tests/test_halaman_browser.py), each operator logs in through FAB's login form and works at the
standalone address ``/desa-cantik/kirim``:

- the desa operator (Tulungrejo), on a phone: downloads its pre-filled template, sends a good file (DITERIMA,
  waiting for the gate), a file with a negative count (DITOLAK: the rule, the row and the column to fix; not
  sent), the fixed file (DITERIMA, replacing the first); *Berkas saya* lists all three; after the hourly gate
  has run, the final verdict and the stored row. The gate is run in-process with its own stage code
  (``tests.stages.gate_and_store``); the gate DAG itself is covered by tests/test_e2e_airflow.py.
- the kecamatan operator (Donomulyo), on a desktop: sends for two of its desa by choosing them in the form.
- the desa operator sees only its own desa: another desa's file is "not found", a monitoring page refused.

Screenshots go to ``docs/layar/operator-*.png`` (phone width for the desa operator) for people to look at.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SMALL_REGION, TAHUN
from .test_halaman_browser import WAIT_MS, expect_slowly, shot

pytestmark = [pytest.mark.browser, pytest.mark.airflow]

DESA, TETANGGA, DESA_3 = f"{SMALL_REGION}.2001", f"{SMALL_REGION}.2002", f"{SMALL_REGION}.2003"
OP_DESA, OP_KEC = "operator-tulungrejo", "operator-donomulyo"
PONSEL = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
GATE_RUN = "scheduled__2026-02-01T04:00:00+00:00"  # the hourly gate's next run


@pytest.fixture(scope="module")
def files(clean: Path) -> Iterator[dict[str, Any]]:
    """The desa operator's files: the generated XLSX, a CSV of it with a negative count, and the fixed CSV."""
    import openpyxl

    [xlsx] = list((clean / "kependudukan" / DESA).iterdir())
    sheet = openpyxl.load_workbook(xlsx, read_only=True)["Data"]
    rows = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    header, values = next(r for r in rows if r and r[0] == "kode_desa"), next(r for r in rows if r and r[0] == DESA)
    bad = [(-5 if h == "kelahiran" else v) for h, v in zip(header, values, strict=True)]
    with tempfile.TemporaryDirectory(prefix="kirim-browser-") as tmp:
        out: dict[str, Any] = {"baik": xlsx, "salah": Path(tmp) / "kependudukan_tulungrejo.csv",
               "perbaikan": Path(tmp) / "kependudukan_tulungrejo_perbaikan.csv"}
        for key, row in (("salah", bad), ("perbaikan", values)):
            out[key].write_text(",".join(map(str, header)) + "\n" + ",".join(map(str, row)) + "\n", encoding="utf-8")
        out["jumlah_penduduk"] = values[header.index("jumlah_penduduk")]
        yield out


_SESSIONS: dict[str, Any] = {}  # user -> the browser's cookies after logging in once


def fab_login(page: Any, server: Any, user: str) -> None:
    """Log the tab in through FAB's login form; done when FAB sends the browser away from its login page."""
    page.goto(f"{server.url}/")
    page.wait_for_url("**/auth/login/**")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", server.passwords[user])
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def operator_page(browser: Any, server: Any, user: str, viewport: dict[str, int]) -> Any:
    """A tab logged in through FAB's login form, on the standalone Kirim data page.

    An operator may read no DAG, so Airflow's home page may lack its usual navigation: the login is done
    when FAB sends the browser away from its login page; then the tab goes to ``/desa-cantik/kirim``.
    """
    context = browser.new_context(viewport=viewport, storage_state=_SESSIONS.get(user))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    if user not in _SESSIONS:
        fab_login(page, server, user)
        page.wait_for_load_state()
        _SESSIONS[user] = context.storage_state()
    response = page.goto(f"{server.url}/desa-cantik/kirim")
    assert response is not None and response.status == 200, f"{user}: /desa-cantik/kirim {response and response.status}"
    expect_slowly()(page.locator("h1")).to_contain_text("Kirim data")
    expect_slowly()(page.locator(".pengguna")).to_contain_text(user)
    return page


def send(page: Any, path: Path, dataset: str, pengirim: str | None = None) -> str:
    """Fill the form and send; the report page's submission id (the browser follows the 303)."""
    if pengirim is not None:
        page.select_option("#pengirim", pengirim)
    page.select_option("#dataset", dataset)
    page.set_input_files("#berkas", str(path))
    page.get_by_role("button", name="Periksa dan kirim").click()
    page.wait_for_url(re.compile(r"/desa-cantik/kirim/berkas/[^/]+/[^/?#]+$"))
    return str(page.url.rsplit("/", 1)[1])


def text(locator: Any) -> str:
    """What the reader sees, whitespace folded."""
    return " ".join(locator.inner_text().split())


def verdict(page: Any) -> str:
    return text(page.locator(".keputusan"))


def fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.gulir'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                         PONSEL["width"])
    assert width <= PONSEL["width"] + 1, f"{page.url}: {width} px wide on a {PONSEL['width']} px phone: {wide}"


def verdict_first(page: Any) -> None:
    """The verdict is on the phone's first screen, above the details."""
    box = page.locator(".keputusan").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PONSEL["height"], f"verdict below the first screen: {box}"


def row_of(page: Any, ident: str) -> Any:
    """A submission's row in the *Semua kiriman* table."""
    row = page.locator("table.kiriman tbody tr").filter(has=page.locator(f'a[href$="/{ident}"]'))
    expect_slowly()(row).to_have_count(1)
    return row


def cell(row: Any, label: str) -> str:
    return " ".join(row.locator(f'td[data-label="{label}"]').inner_text().split())


def test_desa_operator_on_a_phone_sends_fixes_and_sees_the_gates_verdict(browser: Any, server: Any,
                                                                         files: dict[str, Any]) -> None:
    import io

    import openpyxl

    from desa_cantik.cycle.runtime import Runtime

    from .stages import gate_and_store

    expect = expect_slowly()
    page = operator_page(browser, server, OP_DESA, PONSEL)
    expect(page.locator("main > p").first).to_contain_text(f"Tulungrejo ({DESA})")
    expect(page.locator(".tenggat")).to_contain_text("Batas akhir pengiriman")
    fits_the_screen(page)
    shot(page, "operator-desa-kirim", full=True)

    # 1. the pre-filled template of my desa
    with page.expect_download() as dl:
        page.get_by_role("link", name="Templat kependudukan").click()
    download = dl.value
    assert download.suggested_filename == f"templat_kependudukan_{DESA.replace('.', '')}_{TAHUN}.xlsx"
    data = Path(download.path()).read_bytes()
    assert data[:2] == b"PK", "an XLSX (a zip) file"
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = {c for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c is not None}
    assert DESA in cells and "kode_desa" in cells, "pre-filled with my desa's code and the standard headers"

    # 2. a good file: accepted at once, waiting for the hourly gate
    good = send(page, files["baik"], "kependudukan")
    assert verdict(page).startswith("DITERIMA"), verdict(page)
    expect(page.locator("dl.rincian")).to_contain_text("menunggu gerbang")
    expect(page.locator("dl.rincian")).to_contain_text(DESA)
    verdict_first(page)
    fits_the_screen(page)

    # 3. a negative count: rejected, with the rule, the row and the column to fix; not sent
    page.get_by_role("link", name="Kirim berkas lain").click()
    bad = send(page, files["salah"], "kependudukan")
    assert verdict(page).startswith("DITOLAK") and "tidak dikirim" in verdict(page), verdict(page)
    issue = page.locator("table.kartu tbody tr.isu-error").first
    assert cell(issue, "Aturan") == "KEP-01"
    assert cell(issue, "Baris") == "2" and cell(issue, "Kolom") == "kelahiran"
    assert "-5" in cell(issue, "Pesan") and "negatif" in cell(issue, "Pesan")
    expect(page.locator("dl.rincian")).to_contain_text("tidak masuk antrean")
    expect(page.get_by_role("link", name="kirim ulang")).to_be_visible()
    verdict_first(page)
    fits_the_screen(page)
    shot(page, "operator-desa-ditolak", full=True)

    # 4. the fixed file: accepted, and it replaces the first one
    page.get_by_role("link", name="kirim ulang").click()  # back to the form, desa and dataset chosen
    expect(page.locator("#dataset")).to_have_value("kependudukan")
    fixed = send(page, files["perbaikan"], "kependudukan")
    assert verdict(page).startswith("DITERIMA"), verdict(page)
    expect(page.locator("dl.rincian")).to_contain_text("menunggu gerbang")
    assert "Menggantikan kiriman" in text(page.locator("dl.rincian"))
    expect(page.locator(f'dl.rincian a[href$="/kirim/berkas/{DESA}/{good}"]')).to_contain_text("WIB")
    verdict_first(page)
    fits_the_screen(page)
    shot(page, "operator-desa-diterima", full=True)

    # 5. Berkas saya: all three, with what each became
    page.get_by_role("link", name="Berkas saya").first.click()
    expect(page.locator("h1")).to_have_text("Berkas saya")
    rows = {name: row_of(page, ident) for name, ident in (("baik", good), ("salah", bad), ("perbaikan", fixed))}
    assert cell(rows["baik"], "Berkas") == files["baik"].name
    assert cell(rows["baik"], "Pemeriksaan awal").startswith("diterima")
    when = {name: cell(row, "Dikirim") for name, row in rows.items()}  # e.g. 26 Nov 2026 09.44 WIB
    assert cell(rows["baik"], "Keterangan") == f"digantikan kiriman {when['perbaikan']}"
    assert cell(rows["salah"], "Pemeriksaan awal").startswith("ditolak") and "1 galat" in cell(rows["salah"], "Pemeriksaan awal")
    assert cell(rows["salah"], "Hasil gerbang") == "tidak masuk antrean (ditolak)"
    assert cell(rows["salah"], "Keterangan") == "perbaiki lalu kirim ulang"
    assert cell(rows["perbaikan"], "Hasil gerbang").startswith("menunggu gerbang")
    assert cell(rows["perbaikan"], "Keterangan") == f"menggantikan kiriman {when['baik']}"
    assert [page.locator("table.kiriman tbody tr").nth(i).locator("a").first.get_attribute("href").rsplit("/", 1)[1]
            for i in range(3)] == [fixed, bad, good], "newest first"

    # 6. the hourly gate runs; the final verdict and the stored row
    gate_and_store(Runtime.from_env(server.env), GATE_RUN)
    page.reload()
    row = row_of(page, fixed)
    assert cell(row, "Hasil gerbang").startswith("diterima"), cell(row, "Hasil gerbang")
    assert cell(row, "Baris tersimpan") == "1"
    assert cell(row_of(page, bad), "Hasil gerbang") == "tidak masuk antrean (ditolak)", "a rejected file stays unsent"
    stored = page.locator("section").filter(has=page.locator("h2", has_text="Data yang tersimpan"))
    table = stored.locator("h3", has_text="kependudukan").locator("xpath=following-sibling::div[1]//table")
    [line] = [" ".join(t.split()) for t in table.locator("tbody tr").all_inner_texts()]
    assert line.startswith(DESA), line
    assert f"{files['jumlah_penduduk']:,}".replace(",", ".") in line, "the stored row is my fixed file's"
    fits_the_screen(page)
    shot(page, "operator-desa-berkas-saya", full=True)

    row.locator("a").first.click()  # the fixed file's page: the gate's own report now
    expect(page.locator("dl.rincian")).to_contain_text("1 baris tersimpan")
    expect(page.locator("h2").first).to_have_text("Laporan gerbang")
    page.context.close()


def test_kecamatan_operator_sends_for_its_desa_and_sees_them_all(browser: Any, server: Any, clean: Path) -> None:
    expect = expect_slowly()
    page = operator_page(browser, server, OP_KEC, DESKTOP)
    options = page.locator("#pengirim option")
    expect(options).to_have_count(10)  # the ten desa of Donomulyo
    assert all(v.startswith(f"{SMALL_REGION}.") for v in [o.get_attribute("value") for o in options.all()])
    sent = {}
    for desa in (DESA_3, TETANGGA):
        [path] = list((clean / "fasilitas" / desa).iterdir())
        page.goto(f"{server.url}/desa-cantik/kirim")
        sent[desa] = send(page, path, "fasilitas", pengirim=desa)
        assert verdict(page).startswith("DITERIMA"), verdict(page)
        expect(page.locator("dl.rincian dd").first).to_contain_text(f"({desa})")  # "Kedungsalam (35.07.01.2003)"
        expect(page.locator("h2", has_text="Laporan pemeriksaan")).to_be_visible()
    page.get_by_role("link", name="Berkas saya").first.click()
    expect(page.locator("h1")).to_have_text("Berkas saya")
    for desa, ident in sent.items():
        assert cell(row_of(page, ident), "Pengirim").endswith(f"({desa})")  # the desa's name, then its code
    senders = {t.split("(")[-1].rstrip(") \n") for t in page.locator('table.kiriman td[data-label="Pengirim"]').all_inner_texts()}
    assert {DESA, TETANGGA, DESA_3} <= senders, f"files of several of my desa: {senders}"
    status = page.locator("section").filter(has=page.locator("h2", has_text="Yang belum lengkap"))
    expect(status.locator("table.kartu tbody tr")).to_have_count(10)
    shot(page, "operator-kecamatan-berkas-saya", full=True)
    page.context.close()


def test_desa_operator_sees_only_its_own_desa(browser: Any, server: Any, clean: Path) -> None:
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage import layout

    store = Runtime.from_env(server.env).store
    records = [o.key for o in store.list(layout.submitted_prefix(TAHUN, TETANGGA + "/"))
               if o.key.endswith(".json") and o.key.count("/") == 3]
    if not records:  # run alone: the kecamatan operator sends one for the neighbour (as an API client)
        [path] = list((clean / "fasilitas" / TETANGGA).iterdir())
        r = server.post("/desa-cantik/kirim", user=OP_KEC, data={"pengirim": TETANGGA, "dataset": "fasilitas"},
                        files={"berkas": (path.name, path.read_bytes())}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        ident = r.headers["location"].rsplit("/", 1)[1]
    else:
        ident = records[0].rsplit("/", 1)[1].removesuffix(".json")

    expect = expect_slowly()
    page = operator_page(browser, server, OP_DESA, PONSEL)
    expect(page.locator("#pengirim option")).to_have_count(1)
    assert page.locator("#pengirim option").get_attribute("value") == DESA
    assert page.locator(f'a[href*="pengirim={TETANGGA}"]').count() == 0, "no template or link for another desa"

    response = page.goto(f"{server.url}/desa-cantik/kirim/berkas/{TETANGGA}/{ident}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Tidak ditemukan")
    expect(page.locator("main")).to_contain_text("tidak ada di antara berkas Anda")
    response = page.goto(f"{server.url}/desa-cantik/kirim/berkas/{TETANGGA}/{ident}/laporan.txt")
    assert response is not None and response.status == 404

    response = page.goto(f"{server.url}/desa-cantik/pantau")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Anda tidak berhak membuka halaman ini")
    expect(page.locator("main")).to_contain_text("Pantau siklus")
    page.context.close()
