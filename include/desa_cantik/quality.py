"""The BPS gate: run the Great Expectations suites of ``expectations/`` on a batch of submissions.

The suites and what a run takes of them (references, derived columns, expectations, parameters) are in
``suites``; the names callers import from here (``GateContext``, ``load_suite``, ...) are re-exported. Code here
runs GX once per batch and maps its results back to the rows of each file: errors reject the row, warnings accept
and flag it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from .findings import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK, ERROR, INFO, WARNING, Issue, IssueJson
from .intake import ROW, Submission
from .pii import mask_text
from .suites import (
    ExpectationMeta,
    RunParameters,
    Suite,
    SuiteExpectation,
    attach_references,
    select_expectations,
    used_parameters,
)
from .suites import GateContext as GateContext
from .suites import derive_columns as derive_columns
from .suites import expectations_dir as expectations_dir
from .suites import load_suite as load_suite
from .suites import reference_specs as reference_specs
from .suites import referenced_rules as referenced_rules

FILE = "_berkas"  # which submission of the batch a row came from
# The verdict is a function of the file alone (ESS levels 0-1): warnings that compare with other data
# (levels 2-4) are reported but never change it, so the pre-check, the gate and any rerun agree whatever
# the warehouse held at the time.
FILE_LEVEL = 1
SENDER = "_wilayah_pengirim"  # region (or desa) the submitter may report on
SENDER_CODE = "_kode_pengirim"  # the sender itself (a desa, an agency such as 35.07-DINKES, BPS), when known

ACCEPTED = DITERIMA
ACCEPTED_WITH_WARNINGS = DITERIMA_DENGAN_CATATAN
REJECTED = DITOLAK


class VerdictJson(TypedDict):
    """A verdict's machine form: the pre-check's ``--json`` contract."""

    status: str
    rows_read: int
    rows_accepted: int
    issues: list[IssueJson]


@dataclass
class Verdict:
    """The gate's answer for one submission."""

    submission: Submission
    status: str
    accepted: pd.DataFrame  # canonical columns, typed
    rejected: pd.DataFrame  # canonical columns + ROW, as read
    issues: list[Issue]
    skipped_rules: list[str]
    rows_read: int

    @property
    def rows_accepted(self) -> int:
        return len(self.accepted)

    def to_json(self) -> VerdictJson:
        return {
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "issues": [i.to_json() for i in self.issues],
        }


def load_gx() -> Any:
    os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in task logs
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # ~5 s: imported only when a gate actually runs

    return gx


@lru_cache(maxsize=1)
def _batch_definition() -> Any:
    gx = load_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx.data_sources.add_pandas("gerbang").add_dataframe_asset("batch").add_batch_definition_whole_dataframe("semua")


@lru_cache(maxsize=64)
def _expectation_suite(spec: str) -> Any:
    """The GX suite of a spec (JSON text, key order kept), built once: validating never changes it."""
    return load_gx().ExpectationSuite(**json.loads(spec))


# Most of a GX run's fixed cost is GX rebuilding ``Expectation.configuration`` (a pydantic ``dict()``)
# dozens of times per expectation while it plans metrics. Inside ``run_suite`` each expectation object's
# configuration is built once; outside it (and on GX versions not checked) GX runs as shipped.
# tests/test_scale.py checks that results and Data Docs are the same either way, on every suite.
MEMO_CHECKED_GX = ("1.24.",)
_run_memo: ContextVar[dict[int, tuple[Any, Any]] | None] = ContextVar("desa_cantik_gx_memo", default=None)


@lru_cache(maxsize=1)
def _memoised_configuration() -> bool:
    """Install the per-run memo of ``Expectation.configuration``; False where GX is not a checked version."""
    gx = load_gx()
    from great_expectations.expectations.expectation import Expectation

    shipped = Expectation.__dict__.get("configuration")
    if not isinstance(shipped, property) or shipped.fget is None or not gx.__version__.startswith(MEMO_CHECKED_GX):
        return False
    build = shipped.fget

    def configuration(self: Any) -> Any:
        memo = _run_memo.get()
        if memo is None:
            return build(self)
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:  # the object is kept in the memo, so its id is not reused
            hit = memo[id(self)] = (self, build(self))
        return hit[1]

    Expectation.configuration = property(configuration, doc=shipped.__doc__)  # type: ignore[method-assign,assignment]
    return True


KEY = "kode_desa"


def index_columns(frame: pd.DataFrame) -> list[str]:
    """The columns GX names each failing row by: the desa, the file of the batch and the row in that file.

    Only for the gate's shape (``FILE`` and ``ROW``: unique per row), so a failing row maps back to its position;
    Data Docs then show ``35.07.01.2001`` where they showed ``Index 10``. GX pays about 50 us a failing row
    (measured on 250 files: nothing on a usual batch, +0.1 s when all 2,000 rows fail).
    """
    if FILE not in frame.columns or ROW not in frame.columns:
        return []
    return [c for c in (KEY, FILE, ROW) if c in frame.columns]


def run_suite(frame: pd.DataFrame, suite: Suite, parameters: RunParameters, memo: bool = True,
              counts_only: bool = False) -> Any:
    """Validate one frame with GX; returns the GX validation result. ``counts_only``: each rule's verdict and
    failing-row count, not the rows (GX's ``BASIC``: no metrics that list rows to plan and compute, a quarter to a
    third of a package's run), for a caller that reports counts alone (a package's reason); otherwise everything,
    for the rows' findings and Data Docs."""
    spec = {k: v for k, v in suite.items() if k in ("name", "expectations", "meta")}
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    token = _run_memo.set({} if memo and _memoised_configuration() else None)
    named = index_columns(frame)
    result_format: str | dict[str, str | list[str]] = "BASIC" if counts_only else \
        {"result_format": "COMPLETE", "unexpected_index_column_names": named} if named else "COMPLETE"
    try:
        return batch.validate(_expectation_suite(json.dumps(spec, ensure_ascii=False)), result_format=result_format,
                              expectation_parameters=parameters)
    finally:
        _run_memo.reset(token)


@lru_cache(maxsize=1)
def _page_view() -> tuple[Any, Any]:
    """One Data Docs renderer and one Jinja page view for the process: its templates are compiled once."""
    load_gx()
    from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer
    from great_expectations.render.view.view import DefaultJinjaPageView

    return ValidationResultsPageRenderer(), DefaultJinjaPageView()


def render_data_docs(result: Any) -> str:
    """The GX Data Docs page of one validation result, rendered by GX's own renderer and view, as GX ships it.

    The gate stores ``datadocs.render_page``'s page instead (run, files, rows by desa, no CDN); this one stays
    for ``validate_batch(data_docs=...)``.

    GX 1.x builds Data Docs sites only on the filesystem through a file context; rendering the page of
    each result directly gives the same page at a fraction of the cost (measured: 0.2 s vs 1.4 s a run).
    The renderer and view are reused: a new view would compile every Jinja template again for each page
    (measured: 0.047 s vs 0.010 s a page). The page is the same; only the uuid4 GX's collapse template draws when it
    is compiled (random per page before, drawn once per process now) names its element ids.
    """
    renderer, view = _page_view()
    return str(view.render(renderer.render(result)))


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "kosong"
    if isinstance(v, (float, np.floating)):
        if float(v).is_integer():
            return str(int(v))
        return f"{float(v):.2f}".replace(".", ",")
    return str(v)


class _Values(dict[str, str]):  # format_map that never raises on a missing name
    def __missing__(self, key: str) -> str:
        return "?"


RawRows = Callable[[list[int]], pd.DataFrame]  # the cells as read (text) of some rows of the batch, by position


def validate_rows(frame: pd.DataFrame, dataset: str, ctx: GateContext, raw_rows: RawRows,
                  only_referenced: bool = False, data_docs: dict[str, str] | None = None,
                  on_active: Callable[[list[SuiteExpectation]], None] | None = None,
                  results: dict[str, Any] | None = None,  # dataset -> GX's validation result object
                  ) -> tuple[list[tuple[int, Issue]], list[str]]:
    """One GX run over a batch already in the gate's shape: the dataset's columns, ``ROW``, ``FILE``, ``SENDER``.

    Returns each failing row's issue with its ``FILE``, in GX's order (unmasked), and the rules skipped.
    ``raw_rows`` gives the text of the rows that have issues, for their messages. ``results`` receives the GX
    result under the dataset's name once the rows are judged (the gate draws its Data Docs page from it).
    """
    suite = load_suite(dataset)
    missing_refs = attach_references(frame, suite, ctx)
    frame = derive_columns(frame, suite, ctx)
    active, skipped = select_expectations(suite, missing_refs, only_referenced)
    if on_active is not None:
        on_active(active)
    result = run_suite(frame, {**suite, "expectations": active}, used_parameters(active, ctx.parameters()))
    if data_docs is not None:
        data_docs[dataset] = render_data_docs(result)
    found = _collect(result, frame, raw_rows)
    if results is not None:
        results[dataset] = result
    return found, skipped


def validate_batch(submissions: list[Submission], ctx: GateContext, sender: list[str],
                   only_referenced: bool = False, data_docs: dict[str, str] | None = None,
                   results: dict[str, Any] | None = None,  # dataset -> GX result object
                   kode_pengirim: Sequence[str | None] = ()) -> list[Verdict]:
    """Validate submissions of one dataset together (one GX run), and judge each file on its own rows.

    ``sender`` gives, per submission, the region code its rows must lie in (a desa code for a desa
    operator, the tier's region for an agency); ``kode_pengirim`` the sender itself, if known (KES-06). With
    ``data_docs``, the run's GX Data Docs page as GX draws it is added to it under the dataset's name; with
    ``results``, the GX result itself (``datadocs`` draws the auditor's page from it, with the files' verdicts).
    """
    if not submissions:
        return []
    dataset = submissions[0].dataset
    readable = [(i, s) for i, s in enumerate(submissions) if s.readable]
    row_issues: dict[int, list[Issue]] = {i: [] for i in range(len(submissions))}
    file_issues: dict[int, list[Issue]] = {i: [] for i in range(len(submissions))}
    skipped: list[str] = []
    codes = [(c or "").upper() or None for c in kode_pengirim or [None] * len(submissions)]  # KES-06
    frame = pd.concat([s.table.assign(**{FILE: i, SENDER: sender[i], SENDER_CODE: codes[i]}) for i, s in readable],
                      ignore_index=True) if readable else pd.DataFrame()
    if len(frame):
        raw_text = pd.concat([s.raw for _, s in readable], ignore_index=True)

        def missing_columns(active: list[SuiteExpectation]) -> None:
            for e in (e for e in active if e["type"] == "expect_column_to_exist"):
                m = e["meta"]
                for i, s in readable:
                    if e["kwargs"]["column"] in s.missing_columns:
                        file_issues[i].append(Issue(None, m.get("kolom"), m["aturan"], m["keparahan"], m["pesan"],
                                                    diharapkan=m.get("diharapkan"), tingkat=m["tingkat"]))

        found, skipped = validate_rows(frame, dataset.nama, ctx, lambda pos: raw_text.loc[pos], only_referenced,
                                       data_docs, missing_columns, results)
        for i, issue in found:
            row_issues[i].append(issue)
    return [
        _judge(s, file_issues[i], row_issues[i], skipped)
        for i, s in enumerate(submissions)
    ]


class _Rows:
    """A failing row as GX names it (``index_columns``: a dict with its file and row) -> its label in the frame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._labels: dict[tuple[int, int], Any] | None = None

    def __call__(self, idx: Any) -> Any:
        if not isinstance(idx, dict):
            return idx  # GX's own index (no index columns)
        if FILE not in idx:
            return idx["index"]
        if self._labels is None:
            f = self._frame
            self._labels = dict(zip(zip(f[FILE].tolist(), f[ROW].tolist(), strict=True), f.index, strict=True))
            if len(self._labels) != len(f):
                raise ValueError("baris batch tidak unik per (berkas, baris): GX tidak bisa menunjuk baris yang gagal")
        return self._labels[(int(idx[FILE]), int(idx[ROW]))]


def _failures(result: Any, frame: pd.DataFrame) -> Iterator[tuple[ExpectationMeta, list[int]]]:
    """(meta, row labels) of each failed expectation that names rows."""
    label = _Rows(frame)
    for er in result.results:
        cfg = er.expectation_config
        if er.success:
            continue
        if cfg.type == "expect_column_to_exist":
            continue  # judged per file above: in a batch, another file's column hides a missing one
        index = er.result.get("unexpected_index_list")
        if index is None:
            continue  # a column the rule needs is missing: already reported as a file-level issue
        yield cfg.meta, [label(idx) for idx in index]


def _collect(result: Any, frame: pd.DataFrame, raw_rows: RawRows) -> list[tuple[int, Issue]]:
    failures = list(_failures(result, frame))
    wanted = list(dict.fromkeys(pos for _, positions in failures for pos in positions))
    raw_text = raw_rows(wanted) if wanted else pd.DataFrame()
    out = []
    for meta, positions in failures:
        for pos in positions:
            values = _Values({c: _fmt(v) for c, v in frame.loc[pos].items()})
            values.update({c: v for c, v in raw_text.loc[pos].items() if isinstance(v, str)})
            col = meta.get("kolom")
            out.append((int(frame.at[pos, FILE]), Issue(
                int(frame.at[pos, ROW]), col, meta["aturan"], meta["keparahan"], meta["pesan"].format_map(values),
                nilai=values.get(col) if col else None, diharapkan=meta.get("diharapkan"), tingkat=meta["tingkat"],
            )))
    return out


def masked(issue: Issue) -> Issue:
    """No NIK in clear in anything the gate says (reports, findings, pages): values are echoed to help, not leak."""
    return replace(issue, pesan=mask_text(issue.pesan) or "", nilai=mask_text(issue.nilai))


def _judge(sub: Submission, file_issues: list[Issue], row_issues: list[Issue],
           skipped: list[str]) -> Verdict:
    columns = sub.dataset.columns
    notes = list(sub.notes)
    if not sub.readable:
        issue = masked(Issue(None, None, "STR-00", ERROR, sub.unreadable_reason or "", tingkat=0))
        empty = pd.DataFrame(columns=columns)
        return Verdict(sub, REJECTED, empty, empty.copy(), [issue], skipped, 0)
    # an unreadable number's note explains the rule's error on the same cell: merge them
    explained = {(n.baris, n.kolom): n.pesan for n in notes if n.aturan == "STR-ANGKA"}
    row_issues = [
        Issue(i.baris, i.kolom, i.aturan, i.keparahan, f"{i.pesan} ({explained[(i.baris, i.kolom)].split(': ', 1)[-1]})",
              i.nilai, i.diharapkan, i.tingkat) if (i.baris, i.kolom) in explained and i.keparahan == ERROR else i
        for i in row_issues
    ]
    notes = [n for n in notes if n.aturan != "STR-ANGKA"]
    if not len(sub.table):
        file_issues = [*file_issues, Issue(None, None, "STR-02", ERROR, "Berkas tidak berisi baris data.", tingkat=0)]
    # a missing column is one file-level error, not one error per row
    row_issues = [i for i in row_issues if i.kolom not in sub.missing_columns]
    bad_rows = {i.baris for i in row_issues if i.keparahan == ERROR}
    file_error = any(i.keparahan == ERROR for i in file_issues)
    table = sub.table
    keep = [c for c in columns if c in table.columns]
    if bad_rows or file_error:
        reject_mask = table[ROW].isin(bad_rows) | file_error
        accepted = table.loc[~reject_mask, keep].reset_index(drop=True)
        rejected = table.loc[reject_mask].reset_index(drop=True)
    else:  # most files: every row accepted, no masks to build
        accepted = table[keep].reset_index(drop=True)
        rejected = table.iloc[:0].reset_index(drop=True)
    issues = [masked(i) for i in sorted(file_issues + row_issues, key=lambda i: (i.baris or 0, i.aturan, i.kolom or ""))
              + notes]
    if skipped:
        issues.append(Issue(None, None, "GERBANG", INFO,
                            "Aturan yang butuh data gudang atau rujukan BPS tidak diperiksa di sini: "
                            + ", ".join(skipped) + ".", tingkat=None))
    if len(accepted) == 0:
        status = REJECTED
    elif any(i.keparahan == WARNING and (i.tingkat or 0) <= FILE_LEVEL for i in issues) or len(rejected):
        status = ACCEPTED_WITH_WARNINGS
    else:
        status = ACCEPTED
    return Verdict(sub, status, accepted, rejected, issues, skipped, len(table))
