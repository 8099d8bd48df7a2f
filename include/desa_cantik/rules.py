"""Every rule of the standard, each with one source, and the rule catalogue built from them.

* Structural expectations (columns present and filled, counts ≥ 0, code lists, one row per key) follow
  from ``standar/datasets.yaml``: :func:`structural_expectations` derives them, and a test requires each
  suite in ``expectations/`` to hold exactly those. The suite keeps their rule ids and Indonesian
  messages (``meta``), which are reviewed there.
* Cross-column, cross-year and cross-dataset rules exist only in the suites.
* File-level rules that code applies while reading a file or judging it (``STR-00``, ``STR-02``, the
  reader's notes, ``GERBANG``) are listed in ``standar/aturan_berkas.yaml``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TypedDict

import yaml

from .datasets import CATEGORY, COUNT, get_dataset
from .quality import FILE
from .suites import Expectation, expectations_dir, read_suite

EXIST = "expect_column_to_exist"
NOT_NULL = "expect_column_values_to_not_be_null"
BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
UNIQUE = "expect_compound_columns_to_be_unique"


class FileLevelRule(TypedDict):
    """A file-level rule of ``standar/aturan_berkas.yaml``."""

    aturan: str
    tingkat: int | None  # ESS level; None: not a check of the data
    keparahan: str  # error | info
    diperiksa: str  # what is checked
    tindakan: str  # what the operator does about it


class PackageRule(TypedDict):
    """One (rule, expectation) of a suite, as the catalogue lists it."""

    suite: str
    aturan: str
    tingkat: int
    keparahan: str
    kolom: str | None
    ekspektasi: str  # the GX expectation type
    diharapkan: str | None
    pesan: str


class CatalogueRow(PackageRule):
    butuh_rujukan: list[str]
    asal: str  # ``datasets.yaml`` (structural) or ``suite`` (reviewed)


def structural_expectations(dataset_name: str) -> list[Expectation]:
    """The expectations (``type`` and ``kwargs``) that ``datasets.yaml`` implies for one dataset's suite.

    Every column of the standard is mandatory: present and filled in every row (a key, a count, a code,
    a category); a count is a whole number ≥ 0 (the reader leaves a non-whole number empty, so "filled"
    also checks the type); a category is one of its code list; a file holds one row per key.
    """
    ds = get_dataset(dataset_name)
    out: list[Expectation] = [{"type": EXIST, "kwargs": {"column": c}} for c in ds.columns]
    for c in ds.all_columns():
        out.append({"type": NOT_NULL, "kwargs": {"column": c.nama}})
        if c.tipe == COUNT:
            out.append({"type": BETWEEN, "kwargs": {"column": c.nama, "min_value": 0}})
        elif c.tipe == CATEGORY:
            out.append({"type": IN_SET, "kwargs": {"column": c.nama, "value_set": list(c.klasifikasi)}})
    out.append({"type": UNIQUE, "kwargs": {"column_list": [FILE, *ds.kunci]}})
    return out


def is_structural(expectation: Expectation, dataset_name: str) -> bool:
    """Whether an expectation is of a kind ``datasets.yaml`` determines, so it must equal a derived one.

    Decided by kind, not by value: a stale code list or a changed bound is then caught as a disagreement
    instead of passing as a reviewed rule. A count's other bounds (e.g. ``jumlah_kk ≥ 1``) and checks
    against run parameters (master list, cycle year, known agencies) are reviewed suite rules.
    """
    kind, kwargs = expectation["type"], expectation["kwargs"]
    ds = get_dataset(dataset_name)
    if kind in (EXIST, NOT_NULL, UNIQUE):
        return True
    if kind == IN_SET:
        return kwargs.get("column") in ds.category_columns
    if kind == BETWEEN:
        return kwargs.get("column") in ds.count_columns and set(kwargs) == {"column", "min_value"} \
            and kwargs["min_value"] == 0
    return False


def expectation_key(expectation: Expectation) -> tuple[str, str]:
    """What two expectations are compared on: their type and kwargs (``meta`` is the suite's own)."""
    return expectation["type"], json.dumps(expectation["kwargs"], sort_keys=True, ensure_ascii=False)


@lru_cache(maxsize=1)
def _file_rules() -> tuple[FileLevelRule, ...]:
    text = resources.files("desa_cantik").joinpath("standar", "aturan_berkas.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["aturan"])


def file_rules() -> list[FileLevelRule]:
    """The file-level rules code applies outside the suites, from ``standar/aturan_berkas.yaml``."""
    return [r.copy() for r in _file_rules()]


def rule_catalogue() -> list[CatalogueRow]:
    """One row per (rule, expectation) of the suites: what the catalogue document and auditors read.

    ``asal`` tells a structural expectation (checked against ``datasets.yaml``) from a reviewed suite rule.
    """
    rows: list[CatalogueRow] = []
    for path in sorted(expectations_dir().glob("*.json")):
        suite = read_suite(path)
        dataset = suite.get("meta", {}).get("dataset", suite["name"])
        for e in suite["expectations"]:
            m = e["meta"]
            rows.append({"suite": suite["name"], "aturan": m["aturan"], "tingkat": m["tingkat"],
                         "keparahan": m["keparahan"], "kolom": m.get("kolom"), "ekspektasi": e["type"],
                         "diharapkan": m.get("diharapkan"), "pesan": m["pesan"],
                         "butuh_rujukan": m.get("butuh_rujukan", []),
                         "asal": "datasets.yaml" if is_structural(e, dataset) else "suite"})
    return rows


def package_rules() -> list[PackageRule]:
    """The rules a child tier's package must pass (``expectations/paket/*.json``) before it is merged."""
    rows: list[PackageRule] = []
    for path in sorted((expectations_dir() / "paket").glob("*.json")):
        suite = read_suite(path)
        for e in suite["expectations"]:
            m = e["meta"]
            rows.append({"suite": f"paket/{suite['name']}", "aturan": m["aturan"], "tingkat": m["tingkat"],
                         "keparahan": m["keparahan"], "kolom": m.get("kolom"), "ekspektasi": e["type"],
                         "diharapkan": m.get("diharapkan"), "pesan": m["pesan"]})
    return rows


def _cell(value: object) -> str:
    """A Markdown table cell: ``|`` inside a value (code lists) would split the row."""
    return "" if value is None else str(value).replace("|", "\\|")


def catalogue_markdown() -> str:
    """The rule catalogue document: every rule an operator can meet, generated (never written twice)."""
    rows = rule_catalogue()
    files = file_rules()
    lines = ["# Katalog aturan validasi (dibuat dari `expectations/*.json` dan `standar/aturan_berkas.yaml`; "
             "jangan disunting tangan)", "",
             "Dibuat ulang dengan `python -m desa_cantik rules --out docs/katalog-aturan.md`.", "",
             "## Aturan tingkat berkas", "",
             "Diperiksa oleh kode pembaca berkas dan gerbang, di luar suite (sumber: "
             "`include/desa_cantik/standar/aturan_berkas.yaml`).", "",
             "| aturan | tingkat ESS | keparahan | yang diperiksa | yang harus dilakukan |",
             "|---|---|---|---|---|"]
    for f in files:
        tingkat = "—" if f["tingkat"] is None else f["tingkat"]
        lines.append(f"| {f['aturan']} | {tingkat} | {f['keparahan']} | {_cell(f['diperiksa'])} | "
                     f"{_cell(f['tindakan'])} |")
    lines += ["", "## Aturan suite (Great Expectations)", "",
              "Kolom *asal*: `datasets.yaml` = ekspektasi struktural yang harus sama dengan "
              "`include/desa_cantik/standar/datasets.yaml` (diuji); `suite` = aturan yang ditinjau di suite.", "",
              "| suite | aturan | tingkat ESS | keparahan | kolom | ekspektasi GX | seharusnya | butuh rujukan | asal |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['suite']} | {r['aturan']} | {r['tingkat']} | {r['keparahan']} | {_cell(r['kolom'])} | "
                     f"`{r['ekspektasi']}` | {_cell(r['diharapkan'])} | {', '.join(r['butuh_rujukan'])} | "
                     f"{r['asal']} |")
    packages = package_rules()
    lines += ["", "## Aturan paket (provinsi dan pusat)", "",
              "Isi paket dari tingkat di bawah (`komponen_desa.csv`) diperiksa sebelum digabung; satu pelanggaran "
              "menolak paket (sumber: `expectations/paket/`).", "",
              "| suite | aturan | tingkat ESS | kolom | ekspektasi GX | seharusnya |", "|---|---|---|---|---|---|"]
    for p in packages:
        lines.append(f"| {p['suite']} | {p['aturan']} | {p['tingkat']} | {_cell(p['kolom'])} | `{p['ekspektasi']}` | "
                     f"{_cell(p['diharapkan'])} |")
    rules = {r["aturan"] for r in rows}
    structural = sum(r["asal"] == "datasets.yaml" for r in rows)
    lines += ["", f"{len(rules)} aturan suite ({len(rows)} ekspektasi, {structural} di antaranya struktural) "
              f"dan {len(files)} aturan tingkat berkas, {len({r['aturan'] for r in packages})} aturan paket.", ""]
    return "\n".join(lines)
