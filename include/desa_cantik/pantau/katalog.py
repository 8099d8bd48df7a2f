"""The rule catalogue as the pages explain it: every rule the gate can report, what it checks, at which ESS
level and severity, on which columns."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

TIDAK_ADA = "aturan tidak ada di katalog"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class InfoAturan:
    aturan: str
    tingkat: int | None
    keparahan: str
    uraian: str  # what the rule checks, from the catalogue
    kolom: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def katalog_aturan() -> dict[str, InfoAturan]:
    """Every rule the gate can report, from the rule catalogue (suites, file-level rules, package rules)."""
    from ..rules import file_rules, package_rules, rule_catalogue

    columns: dict[str, list[str]] = defaultdict(list)
    out: dict[str, InfoAturan] = {}
    for f in file_rules():
        out[f["aturan"]] = InfoAturan(f["aturan"], f["tingkat"], f["keparahan"], f["diperiksa"])
    for r in [*rule_catalogue(), *package_rules()]:
        if r.get("kolom") and r["kolom"] not in columns[r["aturan"]]:
            columns[r["aturan"]].append(str(r["kolom"]))
        if r["aturan"] not in out:
            text = _PLACEHOLDER.sub("…", r["pesan"]).replace("Baris …: ", "")
            out[r["aturan"]] = InfoAturan(r["aturan"], r["tingkat"], r["keparahan"], text)
    return {k: InfoAturan(v.aturan, v.tingkat, v.keparahan, v.uraian, tuple(columns.get(k, ()))) for k, v in out.items()}


def info_aturan(aturan: str) -> InfoAturan:
    """A rule's entry, or one saying the catalogue does not know it."""
    return katalog_aturan().get(aturan) or InfoAturan(aturan, None, "", TIDAK_ADA)


def uraian_aturan(aturan: str) -> str:
    return info_aturan(aturan).uraian
