"""Auditor-grade Data Docs: one kecamatan through the real gate, then what an auditor reads in the stored pages.

Failing rows named by desa code, file and row (and those are the rows the verdicts rejected or flagged), the run
id, every file's name, sender and sha256, no CDN and no script (the pages work offline, sandboxed), no NIK, and an
index per run that lists every page with its counts. The body is Indonesian, its numbers GX's result's, written the
Indonesian way. What senders wrote (an agency's ``kode_opd`` cells, a desa's ``sumber_penerangan``) is text on the
page, never markup (tests/test_datadocs_browser.py opens those pages in Chromium). Rendering time per page is recorded.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
import statistics
import time
import tomllib
from collections.abc import Callable, Iterator
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

from desa_cantik import datadocs, quality
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.datasets import get_dataset
from desa_cantik.findings import ERROR, WARNING
from desa_cantik.intake import Provenance, read_submission
from desa_cantik.intake.messages import angka
from desa_cantik.pengirim import batch_of
from desa_cantik.pii import mask_text
from desa_cantik.quality import GateContext, load_suite, validate_batch
from desa_cantik.regions import desa_table
from desa_cantik.rules import NOT_NULL
from desa_cantik.storage import LocalFolderStore, layout

from . import stages
from .conftest import ROOT, SMALL_REGION, TAHUN

RUN = "manual__2026-02-10T03:00:00+00:00"
DATASETS = ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk")
NIK = "3507014108900003"  # a NIK-shaped number in a sender's file name: no page may show it
SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")
PAGE_URL = "/desa-cantik/datadocs/"  # the plugin serves ``data_docs/`` here and ``static/`` beside it
STATIC_URL = "/desa-cantik/static/"


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts (nested tables separately), and every href/src."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[list[list[str]]] = []
        self._cell: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")
        if tag == "script":
            self.scripts.append(dict(attrs))
        elif tag == "table":
            self._open.append([])
        elif tag == "tr" and self._open:
            self._open[-1].append([])
        elif tag in ("td", "th") and self._open and self._open[-1]:
            self._cell.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self.tables.append(self._open.pop())
        elif tag in ("td", "th") and self._cell and self._open and self._open[-1]:
            self._open[-1][-1].append(" ".join(" ".join(self._cell.pop()).split()))

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._cell[-1].append(data)


def parsed(page: str) -> Tables:
    t = Tables()
    t.feed(page)
    return t


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Iterator[tuple[Runtime, list[float]]]:
    """Donomulyo through the real gate (plus one file named with a NIK), timing every page drawn."""
    folder = tmp_path_factory.mktemp("kiriman_dd")
    shutil.copytree(small_generated, folder, dirs_exist_ok=True)
    desa = f"{SMALL_REGION}.2001"
    original = next(p for p in (folder / "kependudukan" / desa).iterdir() if p.suffix == ".csv")
    # different bytes: two identical files in one batch are another matter (the store keys files by sha256)
    original.with_name(f"{NIK}_kependudukan.csv").write_bytes(original.read_bytes() + b"\n")
    rt = stages.embedded_with_uploads(tmp_path_factory.mktemp("dd"), folder)
    seconds: list[float] = []
    real = datadocs.render_page

    def timed(*args: Any) -> str:
        start = time.perf_counter()
        page = real(*args)
        seconds.append(time.perf_counter() - start)
        return page

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(datadocs, "render_page", timed)
        stages.gate_and_store(rt, RUN)
    yield rt, seconds


# What senders wrote into cells. An agency's kode_opd (the intake folds its spaces away and its case up, so the
# attributes are separated by "/", which HTML reads as a space) and a desa's sumber_penerangan (an unknown category is
# kept as written). GX's renderer put both into its pages as markup; the pages must show them as text.
OPD = "35.07-DINKES"
KODE_OPD_MUATAN = ('"><script>alert(document.domain)</script>',
                   '"><meta/http-equiv="refresh"/content="0;url=https://example.org/">',
                   '<img/src=x/onerror=alert(document.domain)>')
PENERANGAN_MUATAN = "<img src=x onerror=alert(document.domain)>"
MUATAN_DESA = f"{SMALL_REGION}.2002"
# the tags our templates draw: anything else on a page came from a sender
OUR_TAGS = {"html", "head", "meta", "title", "link", "body", "input", "header", "a", "span", "strong", "main", "section",
            "h1", "h2", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "code", "details", "summary",
            "p", "b", "div", "nav", "ul", "li", "label", "br", "footer"}


def shown_kode_opd(value: str) -> str:
    """A kode_opd cell as the intake reads it (``intake.canonical``): no spaces, upper case."""
    return "".join(value.split()).upper()


def with_payloads(generated: Path, folder: Path) -> Path:
    """A copy of a generated kecamatan whose agency file of ``kesehatan_anak`` carries the kode_opd payloads in its
    first rows, and whose desa ``MUATAN_DESA`` sends ``fasilitas`` with the sumber_penerangan payload (both CSV, from
    the answer key, replacing the generated files)."""
    shutil.copytree(generated, folder, dirs_exist_ok=True)
    truth = folder / "_kebenaran"
    kes = pd.read_csv(truth / "kesehatan_anak.csv", dtype=str)
    kes.loc[:len(KODE_OPD_MUATAN) - 1, "kode_opd"] = KODE_OPD_MUATAN
    fas = pd.read_csv(truth / "fasilitas.csv", dtype=str)
    fas = fas[fas["kode_desa"] == MUATAN_DESA].assign(sumber_penerangan=PENERANGAN_MUATAN)
    for sub, frame in ((folder / "kesehatan_anak" / OPD, kes), (folder / "fasilitas" / MUATAN_DESA, fas)):
        shutil.rmtree(sub)
        sub.mkdir()
        (sub / f"{sub.parent.name}_muatan.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def muatan(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Runtime:
    """Donomulyo through the real gate with the senders' payloads."""
    folder = with_payloads(small_generated, tmp_path_factory.mktemp("kiriman_muatan"))
    rt = stages.embedded_with_uploads(tmp_path_factory.mktemp("dd_muatan"), folder)
    stages.gate_and_store(rt, RUN)
    return rt


def _pages(rt: Runtime) -> dict[str, str]:
    prefix = layout.data_docs_prefix(TAHUN, RUN)
    return {o.key: rt.store.get(o.key).decode() for o in rt.store.list(prefix) if o.key.endswith(".html")}


def _page(rt: Runtime, kelompok: str, dataset: str) -> str:
    return rt.store.get(layout.data_docs_key(TAHUN, RUN, kelompok, dataset)).decode()


ROWS_HEADER = ["kode desa", "berkas", "baris"]


def _failing_rows(page: str) -> set[tuple[str, int, int]]:
    """(kode desa, berkas, baris) of every failing row a page lists (a table per failed rule)."""
    return {(row[0], int(row[1]), int(row[2])) for table in parsed(page).tables if table and table[0][:3] == ROWS_HEADER
            for row in table[1:]}


def _numbered_files(page: str) -> dict[str, int]:
    """sha256 -> the file's number on the page (its ``No.`` in the header's file table)."""
    header = next(t for t in parsed(page).tables if t and t[0][:4] == ["No.", "Nama berkas", "Pengirim", "SHA-256 berkas"])
    return {row[3]: int(row[0]) for row in header[1:]}


def _gx_rules(dataset: str) -> set[str]:
    return {e["meta"]["aturan"] for e in load_suite(dataset)["expectations"]}


def _expected_failures(rt: Runtime, dataset: str) -> set[tuple[str, str, int]]:
    """(kode desa, sha256, baris) of every row the verdicts rejected or flagged by a GX rule of the dataset."""
    issues = rt.warehouse.table_frame("isu_validasi")
    issues = issues[(issues["dataset"] == dataset) & issues["baris"].notna() & issues["aturan"].isin(_gx_rules(dataset))
                    & issues["keparahan"].isin([ERROR, WARNING])]
    quarantined = rt.warehouse.table_frame("karantina_baris")
    stored = rt.warehouse.dataset_rows(dataset, TAHUN)
    kode = {(s, int(b)): k for s, b, k in zip(quarantined["sha256_berkas"], quarantined["baris"], quarantined["kode_desa"],
                                              strict=True) if isinstance(k, str)}
    kode |= {(s, int(b)): k for s, b, k in zip(stored["sha256_berkas"], stored["baris_berkas"], stored["kode_desa"],
                                               strict=True)}
    return {(kode[(s, int(b))], s, int(b)) for s, b in zip(issues["sha256_berkas"], issues["baris"], strict=True)
            if (s, int(b)) in kode}


@pytest.mark.parametrize("dataset", ["kependudukan", "fasilitas"])
def test_failing_rows_are_named_by_desa_file_and_row(gated: tuple[Runtime, list[float]], dataset: str) -> None:
    rt, _ = gated
    page = _page(rt, SMALL_REGION, dataset)
    shown = _failing_rows(page)
    number = _numbered_files(page)
    expected = {(k, number[s], b) for k, s, b in _expected_failures(rt, dataset)}
    assert expected, "the generator injected row errors in this dataset"
    assert expected <= shown, expected - shown
    assert ">Index<" not in page.replace(" ", "").replace("\n", ""), "no row named by a dataframe index"
    assert "df.filter(items=" not in page


def test_the_page_names_the_run_and_every_file_with_its_sha256(gated: tuple[Runtime, list[float]]) -> None:
    rt, _ = gated
    registry = rt.warehouse.table_frame("berkas_masuk")
    for (ds, kelompok), files in registry.groupby(["dataset", registry["pengirim"].map(batch_of)]):
        page = _page(rt, str(kelompok), str(ds))
        cells = [row for table in parsed(page).tables for row in table]
        assert ["Nama run", RUN] in cells and ["Run", RUN] in cells
        assert "__none__" not in page and "None" not in page
        assert ["Data asset", f"{ds} · kelompok {kelompok} · kabupaten {SMALL_REGION}"] in cells
        header = {row[3]: row for row in cells if len(row) == 9 and re.fullmatch(r"[0-9a-f]{64}", row[3])}
        for f in files.itertuples():
            row = header[f.sha256]
            assert row[2] == f.pengirim and row[4] == f.status.replace("_", " ") and int(row[5]) == f.baris_dibaca
            assert row[1] == mask_text(f.nama_berkas)


def test_pages_load_nothing_from_the_internet_and_run_no_script(gated: tuple[Runtime, list[float]]) -> None:
    rt, _ = gated
    pages = _pages(rt)
    assert len(pages) == len(DATASETS) + 1  # and the index
    for key, page in pages.items():
        assert not re.search(r"https?://", page), key
        doc = parsed(page)
        assert not doc.scripts, f"{key}: a script (stored pages are sandboxed without scripts)"
        assert not doc.handlers, f"{key}: inline event handlers {doc.handlers[:3]}"
        here = PAGE_URL + key.removeprefix(layout.DATA_DOCS + "/")
        assets = [v for tag, _, v in doc.links if tag in ("link", "script")]
        assert {posixpath.basename(v) for v in assets} == set(datadocs.ASSETS) == {"datadocs.css"}, key
        for ref in assets:
            url = posixpath.normpath(posixpath.join(posixpath.dirname(here), ref))
            assert url.startswith(STATIC_URL + "datadocs/"), (key, ref)
            assert (datadocs.STATIC_DIR / url.removeprefix(STATIC_URL + "datadocs/")).is_file(), url


def test_no_page_shows_a_nik(gated: tuple[Runtime, list[float]]) -> None:
    rt, _ = gated
    registry = rt.warehouse.table_frame("berkas_masuk")
    assert registry["nama_berkas"].str.contains(NIK).any(), "the NIK-named file went through the gate"
    for key, page in _pages(rt).items():
        assert not SIXTEEN.search(datadocs.HASH.sub("", page)), key
    assert str(mask_text(NIK)) in _page(rt, SMALL_REGION, "kependudukan"), "the file is listed, its NIK masked"


def test_a_page_masks_a_nik_but_never_a_sha256() -> None:
    sha = "ab" + NIK + "c" * 46  # about one sha256 in three hundred holds a run of exactly 16 digits
    fingerprint = "e" + NIK + "f" + "ab" * 7  # GX's md5 of the batch
    page = f'<td>{sha}</td><a href="../../../../berkas/2025/{sha}">{NIK}</a> x{NIK}y <td>{fingerprint}</td>'
    masked = datadocs.mask_page(page)
    assert masked.count(sha) == 2 and fingerprint in masked
    assert not SIXTEEN.search(datadocs.HASH.sub("", masked))
    assert masked.count(str(mask_text(NIK))) == 2, "a NIK beside letters is masked too"


def test_the_index_lists_every_page_with_its_counts(gated: tuple[Runtime, list[float]]) -> None:
    rt, _ = gated
    index_key = layout.data_docs_index_key(TAHUN, RUN)
    index = rt.store.get(index_key).decode()
    pages = {k for k in _pages(rt) if k != index_key}
    base = posixpath.dirname(index_key)
    doc = parsed(index)
    linked = {posixpath.normpath(posixpath.join(base, v)) for tag, _, v in doc.links if tag == "a"}
    assert linked == pages
    registry = rt.warehouse.table_frame("berkas_masuk")
    [table] = [t for t in doc.tables if t and t[0][:2] == ["Kelompok", "Dataset"]]
    rows = {(r[0], r[1]): r for r in table[1:-1]}
    assert len(rows) == len(pages)
    for ds, files in registry.groupby("dataset"):
        mine = [r for (k, d), r in rows.items() if d == ds]
        assert sum(int(r[2]) for r in mine) == len(files), ds
        assert sum(int(r[3]) for r in mine) == int((files["status"] == "ditolak").sum()), ds
        assert sum(int(r[5]) for r in mine) == int(files["baris_dibaca"].sum()), ds
        assert sum(int(r[6]) for r in mine) == int(files["baris_ditolak"].sum()), ds
    assert table[-1][1] == str(len(registry)), "the totals row"


def test_render_time_per_page_is_recorded(gated: tuple[Runtime, list[float]],
                                          record_property: Callable[[str, object], None]) -> None:
    _, seconds = gated
    assert len(seconds) == len(DATASETS)
    record_property("detik_per_halaman", [round(s, 4) for s in seconds])
    print(f"Data Docs: {len(seconds)} halaman, median {statistics.median(seconds):.3f} s, maks {max(seconds):.3f} s")
    assert max(seconds) < 2.0, "one view and renderer for the process: templates compiled once"


@pytest.mark.parametrize(("dataset", "pengirim", "values"), [
    ("kesehatan_anak", OPD, tuple(shown_kode_opd(v) for v in KODE_OPD_MUATAN)),
    ("fasilitas", MUATAN_DESA, (PENERANGAN_MUATAN,)),
])
def test_what_senders_wrote_is_text_on_the_page(muatan: Runtime, dataset: str, pengirim: str,
                                                values: tuple[str, ...]) -> None:
    page = _page(muatan, batch_of(pengirim), dataset)
    doc = parsed(page)
    cells = [cell for table in doc.tables for row in table for cell in row]
    for value in values:
        assert value not in page, f"{value!r} written as markup"
        assert any(value in cell for cell in cells), f"{value!r} not shown as a value of the failing rows"
    assert {tag for tag, _ in doc.tags} <= OUR_TAGS
    assert all("http-equiv" not in attrs for tag, attrs in doc.tags if tag == "meta")
    assert not doc.scripts and not doc.handlers


def test_the_body_is_indonesian_and_its_numbers_are_gxs(small_generated: Path) -> None:
    subs, ctx, senders = _batch(small_generated, "kependudukan")
    results: dict[str, Any] = {}
    verdicts = validate_batch(subs, ctx, senders, results=results)
    result = results["kependudukan"]
    files = datadocs.page_files(({"nama_berkas": s.provenance.nama_berkas, "pengirim": w, "sha256": s.provenance.sha256}, v)
                                for s, w, v in zip(subs, senders, verdicts, strict=True))
    page = datadocs.render_page(result, "kependudukan", datadocs.RunDocs(TAHUN, RUN, SMALL_REGION, "kabupaten", "35.07"),
                                files)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for english in ("Evaluated Expectations", "values must", "unexpected", "Status: Failed", "Observed Value",
                    "Show more", "Expectation Suite", "Run Name"):
        assert english not in text, english
    assert "Status validasi: gagal" in text and not result.success
    stats = result.statistics
    assert f"Aturan diperiksa {stats['evaluated_expectations']} " in text
    assert f"Aturan tidak terpenuhi {stats['unsuccessful_expectations']} " in text
    assert f"Persentase terpenuhi {datadocs.persen(stats['success_percent'])} " in text
    rules = [row for table in parsed(page).tables if table and table[0] == ["Status", "Aturan", "Pemeriksaan", "Hasil"]
             for row in table[1:] if len(row) == 4]
    assert len(rules) == stats["evaluated_expectations"]
    failed = [er for er in result.results if not er.success and "element_count" in er.result]
    assert failed, "the generator injected row errors"
    for er in failed:
        r, meta = er.result, er.expectation_config.meta
        missing = 0 if er.expectation_config.type == NOT_NULL else int(r.get("missing_count") or 0)
        checked = r["element_count"] - missing  # GX's share is of the filled rows (a rule on emptiness: of all)
        counts = f"{angka(r['unexpected_count'])} dari {angka(checked)} baris"
        share = f"({datadocs.persen(r['unexpected_percent'])})"
        assert any(row[0] == "gagal" and row[1].startswith(meta["aturan"]) and row[3].startswith(counts)
                   and share in row[3] for row in rules), (meta["aturan"], counts, share)
    assert re.search(r"\(\d+,\d{1,2} %\)", text), "a share like 0,87 %"


def test_numbers_and_values_are_written_the_indonesian_way() -> None:
    assert datadocs.persen(100 / 115) == "0,87 %"
    assert [datadocs.persen(p) for p in (0, 100.0, 200 / 11, 12.5, 0.001, 99.999, None)] == [
        "0 %", "100 %", "18,18 %", "12,5 %", "< 0,01 %", "> 99,99 %", "–"]
    assert [datadocs.teks(v) for v in (-1.0, 2025, None, float("nan"), pd.NA, True, 0.571428, "PLN", (1.0, "a"))] == [
        "-1", "2025", "kosong", "kosong", "kosong", "benar", "0,5714", "PLN", "1 · a"]


def test_stored_pages_are_sandboxed_and_keep_their_hashes(tmp_path: Path) -> None:
    """Data Docs and operators' reports are served sandboxed without scripts; masked again, hashes whole."""
    from types import SimpleNamespace

    from desa_cantik.web.render import CSP_STORED
    from desa_cantik.web.routes import berkas

    policy = {d.split()[0]: d.split()[1:] for d in CSP_STORED.split("; ")}
    assert policy["sandbox"] == ["allow-same-origin"], "no script, form, popup, top navigation; no meta refresh"
    assert policy["script-src"] == ["'none'"] and policy["default-src"] == ["'self'"]
    store = LocalFolderStore(tmp_path)
    sha = "ab" + NIK + "c" * 46
    store.put(f"{layout.DATA_DOCS}/{TAHUN}/run/kelompok/kependudukan.html", f"<td>{sha}</td><td>{NIK}</td>".encode())
    response = berkas._stored(cast(Any, SimpleNamespace(store=store)), f"{layout.DATA_DOCS}/{TAHUN}/run/kelompok/"
                                                                        "kependudukan.html")
    body = bytes(response.body).decode()
    assert sha in body and NIK not in body.replace(sha, "") and str(mask_text(NIK)) in body
    assert response.headers["content-security-policy"] == CSP_STORED


# --- without the whole gate -----------------------------------------------------------------------------


def _batch(root: Path, dataset: str) -> tuple[list[Any], GateContext, list[str]]:
    spec = get_dataset(dataset)
    files = sorted(p for p in (root / dataset).rglob("*") if p.is_file())
    subs = [read_submission(p.read_bytes(), spec, Provenance.of(p.read_bytes(), p.name), TAHUN) for p in files]
    senders = [p.parent.name if spec.produsen == "pemerintah_desa" else SMALL_REGION for p in files]
    return subs, GateContext(TAHUN, desa_table(SMALL_REGION)["kode_desa"].tolist(), ["35.07-DINKES"]), senders


@pytest.mark.parametrize("dataset", DATASETS)
def test_naming_rows_by_desa_changes_no_verdict(small_generated: Path, monkeypatch: pytest.MonkeyPatch,
                                                dataset: str) -> None:
    subs, ctx, senders = _batch(small_generated, dataset)
    named = validate_batch(subs, ctx, senders)
    monkeypatch.setattr(quality, "index_columns", lambda _frame: [])  # GX's own index, as before
    plain = validate_batch(subs, ctx, senders)
    for a, b in zip(named, plain, strict=True):
        assert (a.status, a.issues, a.rows_read) == (b.status, b.issues, b.rows_read)
        pd.testing.assert_frame_equal(a.accepted, b.accepted)
        pd.testing.assert_frame_equal(a.rejected, b.rejected)


def test_a_reused_view_draws_the_same_page_as_a_fresh_one(small_generated: Path) -> None:
    subs, ctx, senders = _batch(small_generated, "kependudukan")
    results: dict[str, Any] = {}
    verdicts = validate_batch(subs, ctx, senders, results=results)
    files = datadocs.page_files(({"nama_berkas": s.provenance.nama_berkas, "pengirim": w, "sha256": s.provenance.sha256}, v)
                                for s, w, v in zip(subs, senders, verdicts, strict=True))
    run = datadocs.RunDocs(TAHUN, RUN, SMALL_REGION, "kabupaten", "35.07")
    reused = [datadocs.render_page(results["kependudukan"], "kependudukan", run, files) for _ in range(2)]
    datadocs.templates.cache_clear()
    fresh = datadocs.render_page(results["kependudukan"], "kependudukan", run, files)
    assert reused[0] == reused[1] == fresh, "no random ids: the page depends on the result alone"
    ids = re.findall(r' id="([^"]+)"', fresh)
    assert len(ids) == len(set(ids))


def test_a_page_that_cannot_be_drawn_costs_no_verdict(tmp_path: Path, small_generated: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "kiriman"
    shutil.copytree(small_generated / "proyeksi_penduduk", folder / "proyeksi_penduduk")
    rt = stages.embedded_with_uploads(tmp_path / "rumah", folder)

    def broken(*_: Any) -> str:
        raise RuntimeError("renderer rusak")

    monkeypatch.setattr(datadocs, "render_page", broken)
    [validated] = stages.gate_and_store(rt, RUN)
    assert sum(validated["status"].values()) == 1
    assert len(rt.warehouse.dataset_rows("proyeksi_penduduk", TAHUN)) > 0
    index = rt.store.get(layout.data_docs_index_key(TAHUN, RUN)).decode()
    assert "gagal dibuat" in index


class _LateBatch(LocalFolderStore):
    """A store where another batch stores its counts just after this one first lists them (a concurrent task)."""

    def __init__(self, root: Path, late: tuple[str, bytes]) -> None:
        super().__init__(root)
        self.late: tuple[str, bytes] | None = late

    def list(self, prefix: str) -> Any:
        found = super().list(prefix)
        if self.late is not None:
            self.put(*self.late)
            self.late = None
        return found


def test_the_index_catches_a_batch_stored_meanwhile(tmp_path: Path) -> None:
    run = datadocs.RunDocs(TAHUN, RUN, "35.07.01", "kabupaten", "35.07")
    counts = {"dataset": "fasilitas", "href": "x", "berkas": 1, "ditolak": 0, "dengan_catatan": 0, "baris": 1,
              "baris_ditolak": 0, "aturan": 1, "aturan_gagal": 0, "ada": True}
    late = (layout.data_docs_summary_key(TAHUN, RUN, "35.07.02"),
            json.dumps({"kelompok": "35.07.02", "halaman": [{**counts, "href": "35.07.02/fasilitas.html"}]}).encode())
    store = _LateBatch(tmp_path, late)
    store.put(layout.data_docs_summary_key(TAHUN, RUN, "35.07.01"),
              json.dumps({"kelompok": "35.07.01", "halaman": [{**counts, "href": "35.07.01/fasilitas.html"}]}).encode())
    index = store.get(datadocs.write_index(store, run)).decode()
    assert "35.07.01/fasilitas.html" in index and "35.07.02/fasilitas.html" in index


def test_the_assets_and_templates_ship_with_the_package() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["desa_cantik"]
    package = ROOT / "include" / "desa_cantik"
    for path in datadocs.STATIC_DIR.iterdir():
        rel = path.relative_to(package).as_posix()
        assert any(fnmatch(rel, p) for p in patterns), rel
    for name in (*datadocs.ASSETS, "halaman.html", "indeks.html"):
        assert (datadocs.STATIC_DIR / name).is_file(), name


def test_every_expectation_kind_of_the_suites_is_described_in_indonesian() -> None:
    """No rule of a suite shows GX's own expectation name on the auditor's page."""
    from desa_cantik.datadocs import pemeriksaan
    from desa_cantik.quality import load_suite

    for dataset in ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk"):
        for e in load_suite(dataset)["expectations"]:
            text = pemeriksaan(e["type"], e["kwargs"])
            assert not text.startswith("expect_"), (dataset, text)
