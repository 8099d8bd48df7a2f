"""The cycle's house rules: no stage imports another stage, and the cycle's modules import no circle.

Stages meet only through the floor below them (``checks``, ``versions``, ``publication``, ``cerita``, ``layout``,
``bundle``, ``handoff``, ``tier``) and the composition root above them (``policy``, which ``Runtime.from_env``
calls to choose the tier). Imports are read from the source (``ast``), those inside functions included; an import
under ``if TYPE_CHECKING:`` names a type only and is not part of a circle (it still may not name another stage).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import desa_cantik

PACKAGE = Path(desa_cantik.__file__).parent
CYCLE = "desa_cantik.cycle"
STAGES = ("inbox", "gate", "store", "cross_check", "coordinate", "publish", "packages", "persetujuan")
ROOT = "policy"  # the composition root: the one module that may wire stages together


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, with_types: bool) -> set[str]:
    """The desa_cantik modules a file imports anywhere in it (``with_types``: those for type checking too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node) and not with_types:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("desa_cantik"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.startswith("desa_cantik"):
                found.add(module)
                found.update(f"{module}.{a.name}" for a in node.names)  # ``from . import layout`` names a module
        for inner in ast.iter_child_nodes(node):
            visit(inner)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_no_other_stage(stage: str) -> None:
    importlib.import_module(f"{CYCLE}.{stage}")
    path = PACKAGE / "cycle" / f"{stage}.py"
    others = {f"{CYCLE}.{s}" for s in STAGES if s != stage}
    assert not _imports(path, with_types=True) & others, f"{stage} imports another stage"


def test_only_the_composition_root_wires_stages() -> None:
    stages = {f"{CYCLE}.{s}" for s in STAGES}
    floor = [p for p in (PACKAGE / "cycle").glob("*.py") if p.stem not in (*STAGES, ROOT)]
    for path in floor:
        assert not _imports(path, with_types=True) & stages, f"cycle/{path.name} (below the stages) imports a stage"


def test_the_cycle_imports_no_circle() -> None:
    modules = _modules()
    graph = {name: {m for m in _imports(path, with_types=False) if m in modules and m != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}  # 1: on the path, 2: done
    circles: list[list[str]] = []

    def walk(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circle = [*path[path.index(nxt):], nxt]
                if any(m.startswith(CYCLE + ".") for m in circle):
                    circles.append(circle)
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(modules):
        if name not in state:
            walk(name, [name])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)
