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
