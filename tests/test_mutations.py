"""``scripts/mutations.py`` in the suite: every mutant of a rule of the cycle is killed by the fast tests named
for it, and a target whose code moved fails naming the target (never silently skipped). About a minute."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from types import ModuleType

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.mutation


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutations", ROOT / "scripts" / "mutations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutations", module)  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_every_target_is_found_once_and_changes_its_function() -> None:
    m = _script()
    names = [t.name for t in m.TARGETS]
    assert len(set(names)) == len(names)
    for target in m.TARGETS:
        path, mutated, body = m.locate(target)
        original = path.read_text(encoding="utf-8")
        assert mutated != original and original.count(body) == 1, target.name
        assert all(test.startswith("tests/") for test in target.tests), target.name


def test_a_moved_target_fails_naming_it() -> None:
    m = _script()
    [target] = [t for t in m.TARGETS if t.name == "gate: a rejected row keeps its reasons"]
    gone = dataclasses.replace(target, where="cycle.gate:no_such_function")
    with pytest.raises(m.TargetNotFound, match=r"gate: a rejected row keeps its reasons.*no_such_function"):
        m.locate(gone)
    changed = dataclasses.replace(target, pattern=r"no such code")
    with pytest.raises(m.TargetNotFound, match=r"matches 0 times in _quarantine_rows \(include/desa_cantik/cycle/gate.py"):
        m.locate(changed)
    with pytest.raises(m.TargetNotFound, match=r"function 'main' found in .*cli.*prefix the module"):
        m.locate(dataclasses.replace(target, where="main"))  # defined in several modules: ambiguous


def test_every_mutant_is_killed() -> None:
    m = _script()
    killed = m.run(m.TARGETS, baseline=False)  # the targets' tests themselves run, unmutated, elsewhere in the suite
    assert killed and all(killed.values()), [name for name, k in killed.items() if not k]
