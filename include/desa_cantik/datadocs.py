"""Auditor-grade Data Docs: GX's own validation page of each gate run, made to stand on its own.

GX draws the body (every expectation, observed values, failing rows). Around it the page says what an auditor
needs to trust it: the run id, the batch, the tier, and each file of the batch with its sender, sha256 and
verdict. Failing rows are named by desa code, file number and row in the file (``quality.index_columns``),
not by a dataframe index. Pages need no internet: their CSS and the small script (the failed-only filter)
come from ``static/datadocs/`` through the tier's own web server, and no page carries an inline script, so
the pages' strict CSP holds. Every run also gets an index page (``layout.data_docs_index_key``).

GX is imported only when a page is drawn (``_views``), never when this module is imported.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .findings import DITERIMA_DENGAN_CATATAN, DITOLAK, ERROR, STATUS_LABEL, WARNING
from .intake import ROW
from .pii import mask_text
from .quality import FILE, KEY, Verdict
from .storage import ObjectStore, get_many, layout, put_many

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "datadocs"
ASSETS = ("datadocs.css", "datadocs.js")
# the index columns of ``quality.index_columns`` as a page shows them (the file as numbered in the header)
SHOWN = {KEY: "kode desa", FILE: "berkas", ROW: "baris"}
INDEX_PASSES = 5  # rebuilds of the index while other batches of the run add pages (see ``write_index``)
# A sha256 (or GX's md5 fingerprint) is hex with at least one letter; about one in three hundred holds a run of exactly
# 16 digits, which ``mask_text`` would take for a NIK: a page keeps its hashes whole and masks every other such run.
HASH = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[a-f])(?:[0-9a-f]{64}|[0-9a-f]{32})(?![0-9A-Za-z])")
_SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")  # what ``pii.mask_text`` masks
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class RunDocs:
    """The gate run a page belongs to."""

    tahun: int
    run_id: str
    kelompok: str
    tingkat: str
    wilayah: str


@dataclass(frozen=True)
class PageFile:
    """One file of the batch as the page's header lists it; ``nomor`` is the ``berkas`` the failing rows name."""

    nomor: int
    nama_berkas: str
    pengirim: str
    sha256: str
    status: str
    baris: int
    baris_ditolak: int
    error: int
    peringatan: int

    @property
    def label(self) -> str:
        return STATUS_LABEL.get(self.status, self.status)


@dataclass(frozen=True)
class PageSummary:
    """One page's counts, as the run's index lists them."""

    dataset: str
    href: str  # relative to the run's index page
    berkas: int
    ditolak: int
    dengan_catatan: int
    baris: int
    baris_ditolak: int
    aturan: int
    aturan_gagal: int
    ada: bool  # False: drawing the page failed (the verdicts stand; see the task log)


def page_files(checked: Iterable[tuple[Mapping[str, Any], Verdict]]) -> list[PageFile]:
    """The batch's files of one dataset in the gate's order (``FILE`` + 1), masked: a file name may hold a NIK."""
    out = []
    for i, (f, v) in enumerate(checked):
        kinds = Counter(issue.keparahan for issue in v.issues)
        out.append(PageFile(i + 1, mask_text(str(f["nama_berkas"])) or "", mask_text(str(f["pengirim"])) or "",
                            str(f["sha256"]), v.status, v.rows_read, v.rows_read - v.rows_accepted, kinds[ERROR],
                            kinds[WARNING]))
    return out


@lru_cache(maxsize=1)
def _views() -> tuple[Any, Any]:
    """One GX renderer and one page view for the process, our templates first: Jinja compiles each template once.

    Measured on Malang's largest page (250 files): 0.044 s a page reused, 0.080 s with a new view per page.
    """
    from jinja2 import ChoiceLoader, FileSystemLoader

    from .quality import load_gx

    load_gx()
    from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer
    from great_expectations.render.view.view import DefaultJinjaPageView

    view = DefaultJinjaPageView()
    gx_templates = view.env.loader
    assert gx_templates is not None
    view.env.loader = ChoiceLoader([FileSystemLoader(STATIC_DIR), gx_templates])
    return ValidationResultsPageRenderer(), view


def _domain(config: Any) -> set[str]:
    kwargs = config.kwargs if config is not None else {}
    cols = [kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B"), *(kwargs.get("column_list") or [])]
    return {c for c in cols if c}


def _shown_rows(er: Any) -> Any:
    """A failed expectation's result as the page shows it: index columns renamed, files numbered from 1 (as listed).

    A column both checked and naming the row (``kode_desa``) keeps its own key, so GX still groups by its value;
    GX's ``df.filter(items=[...])`` snippet points into a dataframe no auditor has, so it is left out.
    """
    result = er.result or {}
    rows = result.get("unexpected_index_list")
    if er.success or not rows or not isinstance(rows[0], dict) or FILE not in rows[0]:
        return er
    domain = _domain(er.expectation_config)
    named = [c for c in result.get("unexpected_index_column_names") or [] if c in SHOWN]
    shown = []
    for row in rows:
        item = {k: (int(v) + 1 if k == FILE else v) for k, v in row.items() if k not in named or k in domain}
        item.update({SHOWN[c]: (int(row[c]) + 1 if c == FILE else row[c]) for c in named})
        shown.append(item)
    out = copy.copy(er)
    out.result = {k: v for k, v in result.items() if k != "unexpected_index_query"}
    out.result.update(unexpected_index_list=shown, unexpected_index_column_names=[SHOWN[c] for c in named])
    return out


def _asset_name(dataset: str, run: RunDocs) -> str:
    return f"{dataset} · kelompok {run.kelompok} · {run.tingkat} {run.wilayah or 'ID'}"


def _shown_result(result: Any, dataset: str, run: RunDocs, files: Sequence[PageFile]) -> Any:
    """The GX result with a run name, a data asset and rows by desa (a shallow copy: the gate's result is kept)."""
    meta = dict(result.meta or {})
    markers = meta.get("batch_markers") or {}
    try:
        when = datetime.strptime(str(markers.get("ge_load_time")), "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        when = datetime.now(UTC)
    asset = _asset_name(dataset, run)
    meta["run_id"] = {"run_name": run.run_id, "run_time": when.isoformat()}
    meta["batch_spec"] = {"data_asset_name": asset, "tahun": run.tahun, "kelompok": run.kelompok,
                          "berkas": len(files), "tingkat": run.tingkat, "wilayah": run.wilayah or "ID"}
    if isinstance(meta.get("active_batch_definition"), dict):
        meta["active_batch_definition"] = {**meta["active_batch_definition"], "data_asset_name": asset}
    out = copy.copy(result)
    out.meta = meta
    out.results = [_shown_rows(er) for er in result.results]
    return out


def mask_page(page: str) -> str:
    """``pii.mask_text`` over a whole page, except its hashes: no NIK in clear, every sha256 as stored.

    One scan for 16-digit runs, as ``mask_text`` (a few ms a page); only a run found looks at the token around it.
    """
    def masked(m: re.Match[str]) -> str:
        start, end = m.start(), m.end()
        while start and page[start - 1] in _HEX:
            start -= 1
        while end < len(page) and page[end] in _HEX:
            end += 1
        alone = not (page[start - 1:start].isalnum() or page[end:end + 1].isalnum())
        return m.group(0) if alone and HASH.fullmatch(page[start:end]) else mask_text(m.group(0)) or ""

    return _SIXTEEN.sub(masked, page)


def _without_suite_link(document: Any) -> Any:
    """GX links the suite's name to a page of a GX site this tier does not build: the name stays, the dead link goes."""
    for section in document.sections[:1]:
        for block in section.content_blocks:
            template = getattr(getattr(block, "subheader", None), "string_template", None)
            if isinstance(template, dict):
                template.get("styling", {}).get("params", {}).pop("expectation_suite_name", None)
    return document


def render_page(result: Any, dataset: str, run: RunDocs, files: Sequence[PageFile]) -> str:
    """The auditor's page of one GX run: our header and assets around GX's own body, NIK masked."""
    renderer, view = _views()
    document = _without_suite_link(renderer.render(_shown_result(result, dataset, run, files)))
    stats = result.statistics or {}
    status = Counter(f.status for f in files)
    page = view.render(document, template="halaman.html", dd={
        "run": run, "dataset": dataset, "files": files, "asset": _asset_name(dataset, run),
        "aset": layout.DATA_DOCS_ASSETS_FROM_PAGE, "indeks": layout.DATA_DOCS_INDEX_FROM_PAGE,
        "berkas": layout.FILE_PAGES_FROM_DATA_DOCS,
        "putusan": [(label, status[s]) for s, label in STATUS_LABEL.items() if status[s]],
        "lolos": bool(result.success), "aturan": stats.get("evaluated_expectations", 0),
        "aturan_gagal": stats.get("unsuccessful_expectations", 0),
    })
    return mask_page(str(page))


def _summary(dataset: str, run: RunDocs, files: Sequence[PageFile], result: Any, ada: bool) -> PageSummary:
    stats = (result.statistics or {}) if result is not None else {}
    status = Counter(f.status for f in files)
    return PageSummary(dataset, layout.data_docs_page(run.kelompok, dataset), len(files), status[DITOLAK],
                       status[DITERIMA_DENGAN_CATATAN], sum(f.baris for f in files),
                       sum(f.baris_ditolak for f in files), int(stats.get("evaluated_expectations", 0)),
                       int(stats.get("unsuccessful_expectations", 0)), ada)


def publish(store: ObjectStore, run: RunDocs, results: Mapping[str, Any],
            checked: Sequence[tuple[Mapping[str, Any], Verdict]]) -> list[str]:
    """Draw and store the batch's pages, its counts and the run's index; returns the page keys.

    A page is evidence, not the verdict: if drawing one fails, the batch keeps its verdicts and the index says so.
    """
    by_dataset: dict[str, list[tuple[Mapping[str, Any], Verdict]]] = {}
    for f, v in checked:
        by_dataset.setdefault(str(f["dataset"]), []).append((f, v))
    pages: list[tuple[str, bytes]] = []
    summaries = []
    for dataset, result in results.items():
        files = page_files(by_dataset.get(dataset, []))
        try:
            page = render_page(result, dataset, run, files)
        except Exception:
            log.exception("halaman Data Docs %s kelompok %s gagal dibuat; putusan tetap berlaku", dataset, run.kelompok)
            summaries.append(_summary(dataset, run, files, result, ada=False))
            continue
        pages.append((layout.data_docs_key(run.tahun, run.run_id, run.kelompok, dataset), page.encode()))
        summaries.append(_summary(dataset, run, files, result, ada=True))
    put_many(store, pages)
    if summaries:
        record = {"kelompok": run.kelompok, "halaman": [asdict(s) for s in summaries]}
        store.put(layout.data_docs_summary_key(run.tahun, run.run_id, run.kelompok),
                  json.dumps(record, ensure_ascii=False, sort_keys=True).encode())
        try:
            write_index(store, run)
        except Exception:  # the next batch of the run (or a rerun) rebuilds it from every batch's counts
            log.exception("indeks Data Docs run %s gagal dibuat; putusan tetap berlaku", run.run_id)
    return [k for k, _ in pages]


def write_index(store: ObjectStore, run: RunDocs) -> str:
    """(Re)write the run's index from every batch's counts stored so far.

    Batches are separate tasks, possibly at once. Each stores its counts first, then rebuilds the index and
    rebuilds again while the set of counts it saw has grown meanwhile: the last index written then lists every
    batch whose counts were stored before it (a batch storing later rebuilds after it).
    """
    key = layout.data_docs_index_key(run.tahun, run.run_id)
    prefix = layout.data_docs_prefix(run.tahun, run.run_id)
    drawn: list[str] | None = None
    for _ in range(INDEX_PASSES):
        keys = sorted(o.key for o in store.list(prefix) if o.key.endswith("/" + layout.DATA_DOCS_SUMMARY))
        if keys == drawn:
            break
        records = [json.loads(b) for b in get_many(store, keys)]
        store.put(key, render_index(run, records).encode())
        drawn = keys
    return key


def render_index(run: RunDocs, records: Sequence[Mapping[str, Any]]) -> str:
    """The run's index page: every batch x dataset page with its files, rows and failures, linked relative."""
    rows = sorted(({"kelompok": r["kelompok"], **p} for r in records for p in r["halaman"]),
                  key=lambda p: (p["kelompok"], p["dataset"]))
    total = {k: sum(int(p[k]) for p in rows) for k in ("berkas", "ditolak", "dengan_catatan", "baris",
                                                        "baris_ditolak", "aturan_gagal")}
    _, view = _views()
    page = view.env.get_template("indeks.html").render(dd={
        "run": run, "rows": rows, "total": total, "aset": layout.DATA_DOCS_ASSETS_FROM_INDEX,
        "kelompok": len({p["kelompok"] for p in rows}), "dibuat": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    })
    return mask_page(page)
