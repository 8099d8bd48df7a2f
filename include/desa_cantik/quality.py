"""The BPS gate: run the Great Expectations suites of ``expectations/`` on a batch of submissions.

A suite is a reviewed GX 1.x JSON file. Each expectation's ``meta`` carries the rule's identity
(``aturan``), severity (``keparahan``), ESS level (``tingkat``) and Indonesian message (``pesan``);
the suite's ``meta`` declares derived columns (``kolom_turunan``) and the warehouse references a rule
needs (``rujukan``). Code here only evaluates those, runs GX once per batch and maps results back to
the rows of each file: errors reject the row, warnings accept and flag it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from .findings import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK, ERROR, INFO, WARNING, Issue
from .intake import ROW, Submission
from .pii import mask_text

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


def expectations_dir() -> Path:
    """Suites live in the project's ``expectations/``; a deployment may point elsewhere."""
    env = os.environ.get("DESA_CANTIK_EXPECTATIONS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "expectations"


@lru_cache(maxsize=16)
def load_suite(dataset: str) -> dict[str, Any]:
    path = expectations_dir() / f"{dataset}.json"
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class ReferenceSpec:
    """A warehouse reference a suite's rules need: which dataset's column, in which year relative to the cycle."""

    kolom_rujukan: str  # the column name the suite's expressions use, e.g. ``_proyeksi_penduduk``
    dataset: str
    kolom: str
    selisih_tahun: int


def reference_specs(dataset: str) -> list[ReferenceSpec]:
    return [ReferenceSpec(col, spec["dataset"], spec["kolom"], int(spec.get("selisih_tahun", 0)))
            for col, spec in load_suite(dataset)["meta"].get("rujukan", {}).items()]


def referenced_rules(dataset: str) -> list[str]:
    """Rules that need warehouse references (levels 2-4): what the close re-checks on stored data."""
    return sorted({e["meta"]["aturan"] for e in load_suite(dataset)["expectations"] if e["meta"].get("butuh_rujukan")})


@dataclass
class GateContext:
    """What the gate checks against: the cycle, the region's master list, and warehouse references.

    ``references`` maps a suite's reference column (e.g. ``_proyeksi_penduduk``) to a frame with
    ``kode_desa`` and ``nilai``; a reference that is absent (the offline pre-check) skips its rules.
    """

    tahun: int
    kode_desa_wilayah: list[str]
    kode_opd_dikenal: list[str] = field(default_factory=list)
    references: dict[str, pd.DataFrame] | None = None

    def parameters(self) -> dict[str, Any]:
        return {"tahun": [float(self.tahun)], "kode_desa_wilayah": self.kode_desa_wilayah,
                "kode_opd_dikenal": self.kode_opd_dikenal}

    @cached_property
    def _daftar(self) -> pd.Index:
        """The master list as an index: its hash table is built once, then a lookup costs per row, not per desa."""
        return pd.Index(pd.unique(np.asarray(self.kode_desa_wilayah, dtype=object)), dtype=object)

    def di_daftar(self, kode: pd.Series) -> pd.Series:
        """True where a desa code is in the region's master list; missing codes stay missing (as GX skips them)."""
        return _as_flags(self._daftar.get_indexer(_objects(kode)) >= 0, kode)


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

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "issues": [i.to_json() for i in self.issues],
        }


def _objects(values: pd.Series) -> np.ndarray:
    return np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)


def _texts(values: np.ndarray) -> np.ndarray:
    """Which values are text (``str``); a column of text and gaps, the usual case, is told without a Python loop."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return np.asarray(pd.notna(values))
    return np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))


def _as_flags(flags: np.ndarray, kode: pd.Series) -> pd.Series:
    return pd.Series(flags, index=kode.index, dtype="object").where(kode.notna())


def _di_wilayah(kode: pd.Series, wilayah: pd.Series) -> pd.Series:
    """True where a desa code lies in (or is) the sender's region; missing codes stay missing.

    ``a == b or a.startswith(b + ".")`` is ``(a + ".").startswith(b + ".")``: one vectorised prefix test.
    """
    a, b = _objects(kode), _objects(wilayah)
    both = _texts(a) & _texts(b)
    inside = np.zeros(len(a), dtype=bool)
    if both.any():
        inside[both] = np.strings.startswith(np.strings.add(a[both].astype(str), "."),
                                             np.strings.add(b[both].astype(str), "."))
    return _as_flags(inside, kode)


def _no_master_list(_kode: pd.Series) -> pd.Series:
    raise ValueError("di_daftar butuh daftar desa wilayah (GateContext)")


def derive_columns(frame: pd.DataFrame, suite: dict[str, Any], ctx: GateContext | None = None) -> pd.DataFrame:
    """Evaluate the suite's derived columns (trusted, reviewed expressions over the batch's columns).

    ``di_daftar(kode_desa)`` asks the master list of ``ctx``: region membership is a column computed here,
    so a GX run never carries the region's list (its cost would grow with the region, not the data).
    """
    daftar: Callable[[pd.Series], pd.Series] = ctx.di_daftar if ctx is not None else _no_master_list
    env: dict[str, Any] = {"np": np, "di_wilayah": _di_wilayah, "di_daftar": daftar}
    for name, expr in suite["meta"].get("kolom_turunan", {}).items():
        scope = {c: frame[c] for c in frame.columns}
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = eval(expr, {"__builtins__": {}}, {**env, **scope})  # noqa: S307
        except (KeyError, NameError):
            value = pd.Series(np.nan, index=frame.index)  # an input column is missing: rule cannot run
        if isinstance(value, pd.Series) and value.dtype.kind == "f":
            value = value.replace([np.inf, -np.inf], np.nan)
        frame[name] = value
    return frame


def _attach_references(frame: pd.DataFrame, suite: dict[str, Any], ctx: GateContext) -> list[str]:
    """Join warehouse references by desa; returns the reference columns that are not available."""
    missing = []
    for col in suite["meta"].get("rujukan", {}):
        ref = (ctx.references or {}).get(col)
        if ref is None:
            missing.append(col)
            frame[col] = np.nan
            continue
        lookup = ref.drop_duplicates("kode_desa").set_index("kode_desa")["nilai"].astype("float64")
        frame[col] = frame["kode_desa"].map(lookup).astype("float64") if "kode_desa" in frame else np.nan
    return missing


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


def run_suite(frame: pd.DataFrame, suite: dict[str, Any], parameters: dict[str, Any], memo: bool = True,
              counts_only: bool = False) -> Any:
    """Validate one frame with GX; returns the GX validation result. ``counts_only``: each rule's verdict and
    failing-row count, not the rows (GX's ``BASIC``: no metrics that list rows to plan and compute, a quarter to a
    third of a package's run), for a caller that reports counts alone (a package's reason); otherwise everything,
    for the rows' findings and Data Docs."""
    spec = {k: v for k, v in suite.items() if k in ("name", "expectations", "meta")}
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    token = _run_memo.set({} if memo and _memoised_configuration() else None)
    named = index_columns(frame)
    result_format: str | dict[str, Any] = "BASIC" if counts_only else \
        {"result_format": "COMPLETE", "unexpected_index_column_names": named} if named else "COMPLETE"
    try:
        return batch.validate(_expectation_suite(json.dumps(spec, ensure_ascii=False)), result_format=result_format,
                              expectation_parameters=parameters)
    finally:
        _run_memo.reset(token)


def _parameter_texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$PARAMETER"), str):
            yield value["$PARAMETER"]
        for v in value.values():
            yield from _parameter_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _parameter_texts(v)


def used_parameters(expectations: list[dict[str, Any]], parameters: dict[str, Any]) -> dict[str, Any]:
    """The run parameters these expectations refer to (``$PARAMETER``): GX gets nothing it does not use."""
    texts = [t for e in expectations for t in _parameter_texts(e["kwargs"])]
    return {k: v for k, v in parameters.items() if any(re.search(rf"\b{re.escape(k)}\b", t) for t in texts)}


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


class _Values(dict[str, Any]):  # format_map that never raises on a missing name
    def __missing__(self, key: str) -> str:
        return "?"


def _select(suite: dict[str, Any], missing_refs: list[str], only_referenced: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """The expectations to run, and the rules skipped because a warehouse reference they need is absent."""
    missing = set(missing_refs)
    active = [e for e in suite["expectations"]
              if not set(e["meta"].get("butuh_rujukan", [])) & missing
              and (e["meta"].get("butuh_rujukan") or not only_referenced)]
    skipped = sorted({e["meta"]["aturan"] for e in suite["expectations"]
                      if set(e["meta"].get("butuh_rujukan", [])) & missing})
    return active, skipped


RawRows = Callable[[list[int]], pd.DataFrame]  # the cells as read (text) of some rows of the batch, by position


def validate_rows(frame: pd.DataFrame, dataset: str, ctx: GateContext, raw_rows: RawRows,
                  only_referenced: bool = False, data_docs: dict[str, str] | None = None,
                  on_active: Callable[[list[dict[str, Any]]], None] | None = None,
                  results: dict[str, Any] | None = None,
                  ) -> tuple[list[tuple[int, Issue]], list[str]]:
    """One GX run over a batch already in the gate's shape: the dataset's columns, ``ROW``, ``FILE``, ``SENDER``.

    Returns each failing row's issue with its ``FILE``, in GX's order (unmasked), and the rules skipped.
    ``raw_rows`` gives the text of the rows that have issues, for their messages. ``results`` receives the GX
    result under the dataset's name once the rows are judged (the gate draws its Data Docs page from it).
    """
    suite = load_suite(dataset)
    missing_refs = _attach_references(frame, suite, ctx)
    frame = derive_columns(frame, suite, ctx)
    active, skipped = _select(suite, missing_refs, only_referenced)
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
                   results: dict[str, Any] | None = None, kode_pengirim: Sequence[str | None] = ()) -> list[Verdict]:
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

        def missing_columns(active: list[dict[str, Any]]) -> None:
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


def _failures(result: Any, frame: pd.DataFrame) -> Iterator[tuple[dict[str, Any], list[int]]]:
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
