"""Auditor-grade Data Docs: each gate run's GX validation results as a page an Indonesian auditor reads.

The GX result is the source: every expectation's verdict and counts (``element_count``, ``unexpected_count``,
``unexpected_percent``) and its failing rows, named by desa code, file number and row in the file
(``quality.index_columns``), never by a dataframe index. Our own Jinja templates draw the whole page, autoescaped,
so no value a sender wrote (a ``kode_opd`` cell, a file name) is ever markup; GX's own renderer is not used. The
rule id and its message come from the suite's ``meta``; numbers are written the Indonesian way (``0,87 %``).
Around the results the page says what an auditor needs to trust it: the run id, the batch, the tier, and each file
of the batch with its sender, sha256 and verdict. Pages need no internet and run no script: their CSS comes from
``static/datadocs/`` through the tier's own web server, the failed-only filter is a pair of radio buttons and CSS,
so the stored pages are served sandboxed (``web.render.CSP_STORED``). Every run also gets an index page
(``layout.data_docs_index_key``).
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .findings import DITERIMA_DENGAN_CATATAN, DITOLAK, ERROR, STATUS_LABEL, WARNING
from .intake import ROW
from .intake.messages import angka, short
from .pii import mask_text
from .quality import FILE, KEY, Verdict
from .rules import BETWEEN, EXIST, IN_SET, NOT_NULL, UNIQUE
from .storage import ObjectStore, get_many, layout, put_many

if TYPE_CHECKING:
    from jinja2 import Environment

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "datadocs"
ASSETS = ("datadocs.css",)
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
PAIR_EQUAL = "expect_column_pair_values_to_be_equal"
INDEX = (KEY, FILE, ROW)  # what names a failing row: ``quality.index_columns``
ROWS_SHOWN = 200  # failing rows listed per rule; every row is in its file's report
VALUES_SHOWN = 20  # distinct failing values counted per rule
SET_SHOWN = 12  # members of a rule's value set written out
TABLE_LEVEL = "Aturan tingkat tabel"
INDEX_PASSES = 5  # rebuilds of the index while other batches of the run add pages (see ``write_index``)
# A sha256 (or GX's md5 fingerprint) is hex with at least one letter; about one in three hundred holds a run of exactly
# 16 digits, which ``mask_text`` would take for a NIK: a page keeps its hashes whole and masks every other such run.
HASH = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[a-f])(?:[0-9a-f]{64}|[0-9a-f]{32})(?![0-9A-Za-z])")
_SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")  # what ``pii.mask_text`` masks
_HEX = frozenset("0123456789abcdef")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


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


@dataclass(frozen=True)
class FailingRow:
    """One row a rule failed, as the page names it: the desa, the file's number in the header, the row in the file."""

    kode_desa: str
    berkas: str
    baris: str
    nilai: tuple[str, ...]  # the checked columns' values (``RuleCheck.kolom_nilai``), as text


@dataclass(frozen=True)
class RuleCheck:
    """One expectation of the run: the suite's rule (``meta``) and GX's verdict and counts for it."""

    anchor: str
    aturan: str
    keparahan: str
    pemeriksaan: str  # what GX checked, in Indonesian, from the expectation's type and kwargs
    diharapkan: str
    pesan: str  # the rule's message (its placeholders as ‹name›)
    lolos: bool
    hasil: str  # the counts, e.g. "1 dari 115 baris tidak sesuai (0,87 %)"
    nilai: tuple[tuple[str, int], ...]  # the most frequent failing values with their counts, when one repeats
    kolom_nilai: tuple[str, ...]
    baris: tuple[FailingRow, ...]
    baris_lain: int  # failing rows not listed (over ``ROWS_SHOWN``)
    galat: str  # GX could not evaluate the rule: its message


@dataclass(frozen=True)
class Bagian:
    """The rules about one column (or the whole table), in the suite's order."""

    anchor: str
    nama: str
    aturan: tuple[RuleCheck, ...]

    @property
    def lolos(self) -> bool:
        return all(a.lolos for a in self.aturan)

    @property
    def gagal(self) -> int:
        return sum(not a.lolos for a in self.aturan)


@dataclass(frozen=True)
class Ikhtisar:
    """The run as a whole: GX's statistics and the batch it saw."""

    lolos: bool
    aturan: int
    terpenuhi: int
    tidak_terpenuhi: int
    persen_terpenuhi: str
    versi_gx: str
    waktu_muat: str
    sidik_jari: str


def persen(value: float | None) -> str:
    """A percentage as Indonesians write it, to two decimals: ``0,87 %``, ``18,18 %``, ``0 %``, ``100 %``."""
    if value is None or math.isnan(value):
        return "–"
    if 0 < value < 0.005:
        return "< 0,01 %"
    if 99.995 <= value < 100:
        return "> 99,99 %"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",") + " %"


def teks(value: object) -> str:
    """A cell value as the page writes it (text; the templates escape it): numbers the Indonesian way."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "kosong"
    if isinstance(value, (list, tuple)):
        return " · ".join(teks(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "benar" if value else "salah"
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "kosong"
        if number.is_integer():
            return str(int(number))
        return f"{number:.4f}".rstrip("0").replace(".", ",")
    return short(str(value), 200)


def _set_text(values: Iterable[object]) -> str:
    items = list(values)
    shown = ", ".join(teks(v) for v in items[:SET_SHOWN])
    return shown + (f" dan {angka(len(items) - SET_SHOWN)} lainnya" if len(items) > SET_SHOWN else "")


def _bound(kw: Mapping[str, Any]) -> str:
    low, high = kw.get("min_value"), kw.get("max_value")
    ge, le = (">" if kw.get("strict_min") else "≥"), ("<" if kw.get("strict_max") else "≤")
    if low is not None and high is not None:
        return f"antara {teks(low)} dan {teks(high)}"
    return f"{ge} {teks(low)}" if low is not None else f"{le} {teks(high)}"


# what each kind of expectation checks, in Indonesian, from its kwargs
_CHECKS: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    EXIST: lambda kw: f"kolom {kw.get('column')} ada",
    NOT_NULL: lambda kw: f"{kw.get('column')} tidak kosong",
    IN_SET: lambda kw: f"{kw.get('column')} salah satu dari: {_set_text(kw.get('value_set') or [])}",
    BETWEEN: lambda kw: f"{kw.get('column')} {_bound(kw)}",
    UNIQUE: lambda kw: f"gabungan {', '.join(str(c) for c in kw.get('column_list') or [])} tidak berulang",
    PAIR: lambda kw: f"{kw.get('column_A')} {'≥' if kw.get('or_equal') else '>'} {kw.get('column_B')}",
    PAIR_EQUAL: lambda kw: f"{kw.get('column_A')} = {kw.get('column_B')}",
}


def pemeriksaan(kind: str, kw: Mapping[str, Any]) -> str:
    """What an expectation checks, in Indonesian (its type and kwargs, as GX ran it: parameters filled in)."""
    if kind in _CHECKS:
        return _CHECKS[kind](kw)
    shown = {k: v for k, v in kw.items() if k != "batch_id"}
    return f"{kind} {json.dumps(shown, ensure_ascii=False, default=str)}"


def _domain(kw: Mapping[str, Any]) -> list[str]:
    cols = [kw.get("column"), kw.get("column_A"), kw.get("column_B"), *(kw.get("column_list") or [])]
    return [str(c) for c in cols if c]


def _numbered(value: object) -> str:
    """A file's position in the batch (``FILE``, from 0) as the header numbers it (from 1)."""
    try:
        return str(int(str(value)) + 1)
    except ValueError:
        return teks(value)


def _sort_key(row: FailingRow) -> tuple[int, int, str]:
    def number(text: str) -> int:
        return int(text) if text.isdigit() else 0

    return number(row.berkas), number(row.baris), row.kode_desa


def _failing_rows(result: Mapping[str, Any], columns: Sequence[str]) -> list[FailingRow]:
    index = result.get("unexpected_index_list") or []
    values = result.get("unexpected_list") or []
    rows = []
    for i, item in enumerate(index):
        if isinstance(item, Mapping):
            rows.append(FailingRow(teks(item.get(KEY)) if KEY in item else "–", _numbered(item.get(FILE, "–")),
                                   teks(item.get(ROW, "–")), tuple(teks(item.get(c)) for c in columns)))
        else:  # no index columns (not the gate's shape): the value alone
            rows.append(FailingRow("–", "–", "–", (teks(values[i]) if i < len(values) else "–",)))
    return sorted(rows, key=_sort_key)


def _counts_text(kind: str, result: Mapping[str, Any], success: bool) -> str:
    """What GX counted, from the result: rows checked, failing (``unexpected_count``) and their share."""
    if kind == EXIST:
        return "kolom ada" if success else "kolom tidak ada"
    if "element_count" not in result:
        observed = result.get("observed_value")
        return "–" if observed is None else teks(observed)
    n, bad = int(result.get("element_count") or 0), int(result.get("unexpected_count") or 0)
    missing = int(result.get("missing_count") or 0) if kind != NOT_NULL else 0
    base, what = (n - missing, "baris terisi") if missing else (n, "baris")
    if not bad:
        text = f"semua {angka(base)} {what} sesuai"
    else:
        word = "kosong" if kind == NOT_NULL else "tidak sesuai"
        text = f"{angka(bad)} dari {angka(base)} {what} {word} ({persen(result.get('unexpected_percent'))})"
    return text + (f"; {angka(missing)} baris kosong tidak diperiksa aturan ini" if missing else "")


def _exception(er: Any) -> str:
    info = er.exception_info or {}
    found = [info] if "raised_exception" in info else list(info.values())
    messages = [str(i.get("exception_message") or "") for i in found if isinstance(i, Mapping) and i.get("raised_exception")]
    return "; ".join(m for m in messages if m) or ("GX tidak dapat menjalankan aturan ini" if messages else "")


def rule_check(er: Any, anchor: str) -> RuleCheck:
    """One GX expectation result as the page shows it (``er``: an ``ExpectationValidationResult``)."""
    config = er.expectation_config
    kind, kw, meta = str(config.type), dict(config.kwargs or {}), dict(config.meta or {})
    result: Mapping[str, Any] = er.result or {}
    domain = _domain(kw)
    shown = [c for c in domain if c not in INDEX]
    rows = _failing_rows(result, shown) if not er.success else []
    counted = Counter(teks(v) for v in result.get("unexpected_list") or []) if "column" in kw else Counter()
    if all(n == 1 for n in counted.values()):  # each value once: the rows' table says it all
        counted.clear()
    message = _PLACEHOLDER.sub(r"‹\1›", re.sub(r"^Baris \{_baris\}:\s*", "", str(meta.get("pesan", ""))))
    return RuleCheck(anchor, str(meta.get("aturan", "–")), str(meta.get("keparahan", "")), pemeriksaan(kind, kw),
                     str(meta.get("diharapkan", "")), message, bool(er.success), _counts_text(kind, result, bool(er.success)),
                     tuple(counted.most_common(VALUES_SHOWN)), tuple(shown), tuple(rows[:ROWS_SHOWN]),
                     max(0, len(rows) - ROWS_SHOWN), _exception(er))


def sections(result: Any) -> list[Bagian]:
    """The run's expectations grouped by the column their rule is about (``meta.kolom``), in the suite's order."""
    grouped: dict[str, list[RuleCheck]] = {}
    for i, er in enumerate(result.results):
        config = er.expectation_config
        column = (config.meta or {}).get("kolom") or (config.kwargs or {}).get("column") or TABLE_LEVEL
        grouped.setdefault(str(column), []).append(rule_check(er, f"aturan-{i + 1}"))
    return [Bagian(f"bagian-{i + 1}", name, tuple(checks)) for i, (name, checks) in enumerate(grouped.items())]


def overview(result: Any) -> Ikhtisar:
    stats = result.statistics or {}
    meta = result.meta or {}
    markers = meta.get("batch_markers") or {}
    try:
        loaded = datetime.strptime(str(markers.get("ge_load_time")), "%Y%m%dT%H%M%S.%fZ").strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        loaded = "–"
    return Ikhtisar(bool(result.success), int(stats.get("evaluated_expectations", 0)),
                    int(stats.get("successful_expectations", 0)), int(stats.get("unsuccessful_expectations", 0)),
                    persen(stats.get("success_percent")), str(meta.get("great_expectations_version", "–")), loaded,
                    str(markers.get("pandas_data_fingerprint", "–")))


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
def templates() -> Environment:
    """Our templates, autoescaped, compiled once per process."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(STATIC_DIR), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def _asset_name(dataset: str, run: RunDocs) -> str:
    return f"{dataset} · kelompok {run.kelompok} · {run.tingkat} {run.wilayah or 'ID'}"


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


def render_page(result: Any, dataset: str, run: RunDocs, files: Sequence[PageFile]) -> str:
    """The auditor's page of one GX run (``result``: an ``ExpectationSuiteValidationResult``), NIK masked."""
    status = Counter(f.status for f in files)
    page = templates().get_template("halaman.html").render(dd={
        "run": run, "dataset": dataset, "files": files, "asset": _asset_name(dataset, run),
        "aset": layout.DATA_DOCS_ASSETS_FROM_PAGE, "indeks": layout.DATA_DOCS_INDEX_FROM_PAGE,
        "berkas": layout.FILE_PAGES_FROM_DATA_DOCS, "ikhtisar": overview(result), "bagian": sections(result),
        "putusan": [(label, status[s]) for s, label in STATUS_LABEL.items() if status[s]],
        "baris_maks": ROWS_SHOWN, "nilai_maks": VALUES_SHOWN,
    })
    return mask_page(page)


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
    page = templates().get_template("indeks.html").render(dd={
        "run": run, "rows": rows, "total": total, "aset": layout.DATA_DOCS_ASSETS_FROM_INDEX,
        "kelompok": len({p["kelompok"] for p in rows}), "dibuat": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    })
    return mask_page(page)
