"""One source per rule: the suites agree with ``standar/datasets.yaml``, and every rule, including the
file-level ones that live only in code, is in the catalogue.

Structural expectations are restated in the suites (their ids and messages are reviewed there); these
tests fail as soon as a suite and the standard's data disagree, or code emits a rule nobody catalogued.
"""

from __future__ import annotations

import ast
import json
import re
import string
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from desa_cantik import findings
from desa_cantik.datasets import all_datasets, get_dataset
from desa_cantik.intake import ROW
from desa_cantik.quality import FILE, SENDER, SENDER_CODE, expectations_dir
from desa_cantik.rules import (
    catalogue_markdown,
    expectation_key,
    file_rules,
    is_structural,
    rule_catalogue,
    structural_expectations,
)
from tests.conftest import ROOT

DATASETS = sorted(all_datasets())
SOURCE = ROOT / "include" / "desa_cantik"
RULE_LITERAL = re.compile(r'"(GERBANG|STR-[-A-Z0-9]+|[A-Z]{3}-[0-9]{2})"')  # file-level ids and suite ids
GATE_NAMES = {"np", "di_wilayah", "di_daftar"}  # what a derived column's expression may call (suites.derive_columns)
COLUMN_KWARGS = ("column", "column_A", "column_B")


def _suite(ds: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((expectations_dir() / f"{ds}.json").read_text(encoding="utf-8")))


def _known_columns(ds: str) -> set[str]:
    """Columns a reviewed rule may name: the standard's, the suite's derived and reference columns, the gate's."""
    meta = _suite(ds)["meta"]
    return {*get_dataset(ds).columns, *meta.get("kolom_turunan", {}), *meta.get("rujukan", {}), FILE, SENDER, SENDER_CODE}


def _suite_rule_ids() -> set[str]:
    return {r["aturan"] for r in rule_catalogue()}


def test_every_dataset_has_a_suite_and_back() -> None:
    assert sorted(p.stem for p in expectations_dir().glob("*.json")) == DATASETS
    for ds in DATASETS:
        assert _suite(ds)["name"] == _suite(ds)["meta"]["dataset"] == ds


@pytest.mark.parametrize("ds", DATASETS)
def test_structural_expectations_equal_the_standard(ds: str) -> None:
    suite = Counter(expectation_key(e) for e in _suite(ds)["expectations"] if is_structural(e, ds))
    derived = Counter(expectation_key(e) for e in structural_expectations(ds))
    assert not sorted(derived - suite), f"{ds}.json lacks what datasets.yaml implies"
    assert not sorted(suite - derived), f"{ds}.json has structural expectations datasets.yaml does not imply"


@pytest.mark.parametrize("ds", DATASETS)
def test_structural_expectations_reject(ds: str) -> None:
    """The standard makes every structural breach an error (a row or file is rejected, never just flagged)."""
    for e in _suite(ds)["expectations"]:
        if is_structural(e, ds):
            assert e["meta"]["keparahan"] == findings.ERROR, (e["type"], e["kwargs"])


@pytest.mark.parametrize("ds", DATASETS)
def test_reviewed_rules_name_only_known_columns(ds: str) -> None:
    known = _known_columns(ds)
    for e in _suite(ds)["expectations"]:
        kw, meta = e["kwargs"], e["meta"]
        named = [kw[k] for k in COLUMN_KWARGS if k in kw] + list(kw.get("column_list", []))
        if not is_structural(e, ds):
            assert set(named) <= known, (meta["aturan"], named)
        if meta.get("kolom") is not None:
            assert meta["kolom"] in get_dataset(ds).columns, (meta["aturan"], meta["kolom"])
        fields = {f for _, f, _, _ in string.Formatter().parse(meta["pesan"]) if f}
        assert fields <= known | {ROW}, (meta["aturan"], fields - known)  # else the message shows "?"
        assert set(meta.get("butuh_rujukan", [])) <= set(_suite(ds)["meta"].get("rujukan", {})), meta["aturan"]


@pytest.mark.parametrize("ds", DATASETS)
def test_derived_columns_and_references_agree_with_the_standard(ds: str) -> None:
    meta = _suite(ds)["meta"]
    for ref in meta.get("rujukan", {}).values():
        assert ref["kolom"] in get_dataset(ref["dataset"]).columns, ref
    available = {*get_dataset(ds).columns, *meta.get("rujukan", {}), FILE, SENDER, SENDER_CODE, *GATE_NAMES}
    for name, expr in meta.get("kolom_turunan", {}).items():
        names = {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}
        assert names <= available, (name, names - available)
        available.add(name)  # later expressions may use earlier derived columns


def _emitted_in_code() -> dict[str, list[str]]:
    """Rule-id string literals in the package's code, by id: where each appears."""
    out: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for rule in RULE_LITERAL.findall(path.read_text(encoding="utf-8")):
            out.setdefault(rule, []).append(str(path.relative_to(ROOT)))
    return out


def _issues_in_code() -> list[tuple[object, str, Any, str]]:
    """(rule, severity, level, where) of every ``Issue(...)`` built with a literal rule id."""
    out: list[tuple[object, str, Any, str]] = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Issue"):
                continue
            if len(node.args) < 4 or not isinstance(node.args[2], ast.Constant):
                continue  # the rule comes from a suite's meta
            sev = node.args[3]
            severity = getattr(findings, sev.id) if isinstance(sev, ast.Name) else ast.literal_eval(sev)
            level = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "tingkat"), None)
            out.append((node.args[2].value, severity, level, f"{Path(path).name}:{node.lineno}"))
    return out


def test_file_rules_are_one_entry_per_rule_with_the_fields_operators_read() -> None:
    ids = [r["aturan"] for r in file_rules()]
    assert len(ids) == len(set(ids))
    assert not set(ids) & _suite_rule_ids(), "a rule has one source: the suite or aturan_berkas.yaml"
    for r in file_rules():
        assert r["keparahan"] in (findings.ERROR, findings.WARNING, findings.INFO), r["aturan"]
        assert r["tingkat"] in (None, 0, 1, 2, 3, 4), r["aturan"]
        assert r["diperiksa"].strip() and r["tindakan"].strip(), r["aturan"]


def test_every_rule_emitted_in_code_is_catalogued() -> None:
    emitted = _emitted_in_code()
    catalogued = _suite_rule_ids() | {r["aturan"] for r in file_rules()}
    missing = {rule: where for rule, where in emitted.items() if rule not in catalogued}
    assert not missing, f"add these to standar/aturan_berkas.yaml (or a suite): {missing}"
    stale = {r["aturan"] for r in file_rules()} - set(emitted)
    assert not stale, f"aturan_berkas.yaml lists rules no code emits: {stale}"


def test_file_rules_match_how_code_emits_them() -> None:
    listed = {r["aturan"]: r for r in file_rules()}
    issues = _issues_in_code()
    assert issues, "no Issue(...) with a literal rule id found: has the code moved?"
    for rule, severity, level, where in issues:
        assert rule in listed, f"{where}: {rule} is not in aturan_berkas.yaml"
        assert (listed[rule]["keparahan"], listed[rule]["tingkat"]) == (severity, level), where


def test_catalogue_lists_every_rule() -> None:
    text = catalogue_markdown()
    listed = set(re.findall(r"^\| (?:[a-z_]+ \| )?([A-Z][-A-Z0-9]*) \|", text, flags=re.MULTILINE))
    for ds in DATASETS:
        assert {e["meta"]["aturan"] for e in _suite(ds)["expectations"]} <= listed, ds
    assert {r["aturan"] for r in file_rules()} <= listed
    assert {"STR-00", "STR-02", "GERBANG"} <= listed

