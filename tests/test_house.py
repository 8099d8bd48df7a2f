"""House rules of the code base, checked on its source."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "include" / "desa_cantik"
WEB_ONLY = ("airflow", "fastapi", "starlette")  # only the pages (``desa_cantik/web``) may import these


def _imports(path: Path) -> set[str]:
    """The top-level names of every module a file imports (at any depth, lazily inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_web_package_imports_airflow_fastapi_or_starlette() -> None:
    offenders = {str(p.relative_to(PACKAGE)): sorted(_imports(p) & set(WEB_ONLY))
                 for p in PACKAGE.rglob("*.py") if "web" not in p.relative_to(PACKAGE).parts[:1]}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_policy_sees_the_web_package_importing_them() -> None:
    """The check above reads real imports: the web package's own are found."""
    found = set().union(*(_imports(p) for p in (PACKAGE / "web").rglob("*.py")))
    assert set(WEB_ONLY) <= found


def test_the_plugin_only_registers_the_app() -> None:
    plugin = ROOT / "plugins" / "desa_cantik_halaman.py"
    assert len(plugin.read_text(encoding="utf-8").splitlines()) < 150
    assert "APIRouter" not in plugin.read_text(encoding="utf-8")


# --- the measures, as numbers a change cannot quietly grow -------------------------------------------

CODE = [p for top in ("include", "dags", "plugins") for p in sorted((ROOT / top).rglob("*.py"))]
HOME = PACKAGE / "kosakata.py"
REGION_LENGTHS = {2, 5, 8, 13}  # provinsi, kabupaten, kecamatan, desa: kosakata.CODE_LENGTH
PRODUCER_WORDS = {"pemerintah_desa"}
MAX_LINES, MAX_ANY_DICTS = 500, 30


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_module_over_500_lines() -> None:
    sizes = {_rel(p): n for p in CODE if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert sizes == {}


def test_at_most_30_open_dicts_each_at_a_json_or_gx_boundary() -> None:
    count = sum(p.read_text(encoding="utf-8").count("dict[str, Any]") for p in CODE)
    assert count <= MAX_ANY_DICTS


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def _region_length_checks(tree: ast.AST) -> list[int]:
    """Lines deciding a region's level from its code: ``len(k) == 13``, ``k.count(".") == 3``, ``k[:8]``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and all(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            sides = [node.left, *node.comparators]
            has_len = any(isinstance(s, ast.Call) and isinstance(s.func, ast.Name) and s.func.id == "len" for s in sides)
            lengths = any(isinstance(s, ast.Constant) and s.value in REGION_LENGTHS - {2, 5} for s in sides)
            if has_len and lengths:  # 2 and 5 are too common to tell (a pair, five parts of a key)
                lines.append(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "count"
                and [getattr(a, "value", None) for a in node.args] == ["."]):
            lines.append(node.lineno)
        if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.lower is None
                and isinstance(node.slice.upper, ast.Constant) and node.slice.upper.value in {8, 13}
                and isinstance(node.value, ast.Name) and "kode" in node.value.id):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_producer_word_and_region_level_checks_live_only_in_kosakata() -> None:
    producer: dict[str, list[int]] = {}
    levels: dict[str, list[int]] = {}
    for path in CODE:
        if path == HOME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _docstrings(tree)
        hits = [n.lineno for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and n.value in PRODUCER_WORDS and id(n) not in skip]
        if hits:
            producer[_rel(path)] = hits
        if lines := _region_length_checks(tree):
            levels[_rel(path)] = lines
    assert producer == {}
    assert levels == {}


def test_the_level_check_sees_what_it_forbids() -> None:
    """The check above is not blind: each form it forbids is found in a sample."""
    sample = ast.parse('a = len(kode) == 13\nb = kode.count(".") == 3\nc = kode[:8]\nd = "pemerintah_desa"\n')
    assert _region_length_checks(sample) == [1, 2, 3]
    assert [n.lineno for n in ast.walk(sample) if isinstance(n, ast.Constant) and n.value in PRODUCER_WORDS] == [4]


def test_one_class_per_name_across_the_package() -> None:
    seen: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}
