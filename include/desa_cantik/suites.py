"""The Great Expectations suites of ``expectations/``: their shape, which expectations a run takes, and its inputs.

A suite is a reviewed GX 1.x JSON file. Each expectation's ``meta`` carries the rule's identity
(``aturan``), severity (``keparahan``), ESS level (``tingkat``) and Indonesian message (``pesan``);
the suite's ``meta`` declares derived columns (``kolom_turunan``) and the warehouse references a rule
needs (``rujukan``). Here they are loaded and typed, the references joined, the derived columns evaluated,
the expectations to run selected and the run parameters they use picked; ``quality`` runs GX on the result
and turns its failures into findings.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NotRequired, TypedDict, cast

import numpy as np
import pandas as pd


class ExpectationMeta(TypedDict):
    """What the gate reads of an expectation: the rule it checks and what an operator is told."""

    aturan: str  # rule identity, e.g. KEP-02
    keparahan: str  # error | warning
    tingkat: int  # ESS validation level 0..4
    pesan: str  # Indonesian; ``{column}`` fields are filled from the failing row
    kolom: NotRequired[str | None]
    diharapkan: NotRequired[str]
    butuh_rujukan: NotRequired[list[str]]  # reference columns (``rujukan``) the rule needs: skipped without them


class Expectation(TypedDict):
    """An expectation as GX takes it: the kind, and its arguments (each kind has its own)."""

    type: str
    kwargs: dict[str, object]


class SuiteExpectation(Expectation):
    meta: ExpectationMeta


class Reference(TypedDict):
    """A warehouse reference (``rujukan``): a dataset's column, in the cycle's year plus ``selisih_tahun``."""

    dataset: str
    kolom: str
    selisih_tahun: NotRequired[int]


class SuiteMeta(TypedDict, total=False):
    dataset: str
    versi_standar: str
    catatan: str
    rujukan: dict[str, Reference]  # reference column (e.g. ``_proyeksi_penduduk``) -> where it comes from
    kolom_turunan: dict[str, str]  # derived column -> its expression over the batch's columns


class Suite(TypedDict):
    name: str
    meta: SuiteMeta
    expectations: list[SuiteExpectation]


# A run's parameters (``$PARAMETER`` in an expectation's kwargs): the cycle year, the region's codes, ...
RunParameters = dict[str, list[float] | list[str]]


def expectations_dir() -> Path:
    """Suites live in the project's ``expectations/``; a deployment may point elsewhere."""
    env = os.environ.get("DESA_CANTIK_EXPECTATIONS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "expectations"


def read_suite(path: Path) -> Suite:
    return cast(Suite, json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=16)
def load_suite(dataset: str) -> Suite:
    return read_suite(expectations_dir() / f"{dataset}.json")


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

    def parameters(self) -> RunParameters:
        return {"tahun": [float(self.tahun)], "kode_desa_wilayah": self.kode_desa_wilayah,
                "kode_opd_dikenal": self.kode_opd_dikenal}

    @cached_property
    def _daftar(self) -> pd.Index:
        """The master list as an index: its hash table is built once, then a lookup costs per row, not per desa."""
        return pd.Index(pd.unique(np.asarray(self.kode_desa_wilayah, dtype=object)), dtype=object)

    def di_daftar(self, kode: pd.Series) -> pd.Series:
        """True where a desa code is in the region's master list; missing codes stay missing (as GX skips them)."""
        return _as_flags(self._daftar.get_indexer(_objects(kode)) >= 0, kode)


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


def derive_columns(frame: pd.DataFrame, suite: Suite, ctx: GateContext | None = None) -> pd.DataFrame:
    """Evaluate the suite's derived columns (trusted, reviewed expressions over the batch's columns).

    ``di_daftar(kode_desa)`` asks the master list of ``ctx``: region membership is a column computed here,
    so a GX run never carries the region's list (its cost would grow with the region, not the data).
    """
    daftar: Callable[[pd.Series], pd.Series] = ctx.di_daftar if ctx is not None else _no_master_list
    env: dict[str, object] = {"np": np, "di_wilayah": _di_wilayah, "di_daftar": daftar}
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


def attach_references(frame: pd.DataFrame, suite: Suite, ctx: GateContext) -> list[str]:
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


def select_expectations(suite: Suite, missing_refs: list[str], only_referenced: bool) -> tuple[list[SuiteExpectation], list[str]]:
    """The expectations to run, and the rules skipped because a warehouse reference they need is absent."""
    missing = set(missing_refs)
    active = [e for e in suite["expectations"]
              if not set(e["meta"].get("butuh_rujukan", [])) & missing
              and (e["meta"].get("butuh_rujukan") or not only_referenced)]
    skipped = sorted({e["meta"]["aturan"] for e in suite["expectations"]
                      if set(e["meta"].get("butuh_rujukan", [])) & missing})
    return active, skipped


def _parameter_texts(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$PARAMETER"), str):
            yield value["$PARAMETER"]
        for v in value.values():
            yield from _parameter_texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _parameter_texts(v)


def used_parameters(expectations: Sequence[Expectation], parameters: RunParameters) -> RunParameters:
    """The run parameters these expectations refer to (``$PARAMETER``): GX gets nothing it does not use."""
    texts = [t for e in expectations for t in _parameter_texts(e["kwargs"])]
    return {k: v for k, v in parameters.items() if any(re.search(rf"\b{re.escape(k)}\b", t) for t in texts)}
