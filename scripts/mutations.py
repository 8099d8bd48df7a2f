"""Mutations the fast tests must kill (``.venv/bin/python scripts/mutations.py [NAME ...]``; ``tests/test_mutations.py``).

Each target is a small break of one rule of the cycle (a stage drops a reason, a filter lets a row through, a
region code of the wrong level counts as a desa). Each mutant is written into a private copy of
``include/desa_cantik`` (the working tree is never touched), the target's fast tests are run against that copy,
and the run fails if a mutant survives: the code could break that way without a fast test noticing.

A target is found by the function it lives in, not by file and line: ``where`` is the function's qualified name
(``coordinate.derive`` is ``derive`` inside ``coordinate``), looked up in every module of the package, optionally
prefixed by its module (``cycle.gate:summarise``) when the name is defined in several. ``pattern`` (a regular
expression) must match exactly once in that function's source, and ``mutant`` replaces it (``re`` template).
Code may move between modules and be reformatted around the pattern; if a function or a pattern is no longer
found, the run stops naming the target, so the target is updated instead of silently dropped.

To add a target: append a ``Target`` to ``TARGETS`` with a name saying what breaks, the function, a pattern
as narrow as the rule it breaks (whitespace-tolerant: ``\\s*``), the mutant, and the fast tests that must kill it
(run ``scripts/mutations.py NAME`` to see it killed).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "include" / "desa_cantik"
STAGES = "tests/test_stages.py::"
LEVELS = ("tests/test_kosakata_levels.py",)
# what the package finds beside itself (``Path(__file__).parents[2]``): linked into the copy's project root
BESIDE = ("expectations", "config")


@dataclass(frozen=True)
class Target:
    name: str  # what the mutant breaks
    where: str  # "[module:]qualified.function"
    pattern: str  # matches exactly once in the function's source
    mutant: str  # replacement template for the match
    tests: tuple[str, ...]  # pytest node ids: the fast tests that guard this rule (any one failing kills it)


TARGETS = [
    Target("gate: an agency file's rows are compared with its sender (KES-06)", "cycle.gate:validate_files",
           r'\[f\["pengirim"\]\s+for\s+f\s+in\s+group\]', "[None for f in group]",
           ("tests/test_kirim.py::test_the_gate_rejects_a_row_naming_another_agency_not_stored_under_the_sender",)),
    Target("gate: a rejected row keeps its reasons", "cycle.gate:_quarantine_rows",
           r'("alasan":\s*)"\s*\|\s*"\.join\(\s*per_row\.get\([^)]*\)\s*\+\s*whole\s*\)', r'\1""',
           (STAGES + "test_quarantine_keeps_every_rejected_row_with_its_reasons",)),
    Target("gate: the run's summary counts warnings, not only errors", "cycle.gate:summarise",
           r'(\["keparahan"\]\.isin\(\[\s*ERROR)\s*,\s*WARNING\s*\]', r"\1]",
           (STAGES + "test_summary_counts_errors_and_warnings_per_rule",)),
    Target("packages: a re-sent version equal to the newest is still the newest", "is_newest",
           r"(newest is None or versi)\s*>=\s*(newest)", r"\1 > \2",
           (STAGES + "test_province_uses_the_newest_version_and_a_retried_load_restores_it",)),
    Target("bags: a package of a format this tier cannot read is refused", "bags:format_problem",
           r"if found\.format in readable:", "if True:",
           ("tests/test_bags.py::test_a_newer_format_is_refused_naming_both_versions",)),
    Target("cross-check: the close checks the stored datasets at all", "cross_check",
           r"^(\s*)(ctx\s*=\s*gate_context\(rt\))", r"\1return {}\n\1\2",
           (STAGES + "test_close_cross_check_finds_what_the_gate_could_not_see",)),
    Target("coordinate: a desa appears only where it contributed", "coordinate.derive",
           r'^(\s*)(\w+)\s*=\s*\2\[\(\2\["tingkat"\]\s*!=\s*(?:"desa"|DESA)\)\s*\|\s*\(\2\["desa_kontribusi"\]\s*>\s*0\)\]',
           r"\1pass", (STAGES + "test_indicators_list_only_desa_that_contributed",)),
    Target("pengirim: an agency sends only the datasets the Daftar Data names it for", "pengirim:sender_problem",
           r"if pengirim\.upper\(\) not in allowed:", "if False:",
           ("tests/test_isolation.py::test_producer_of_the_daftar_data_is_enforced",
            "tests/test_cli.py::test_a_desa_folder_sending_an_agency_dataset_is_refused_as_the_gate_refuses_it")),
    Target("pengirim: a desa sends only for a desa inside the tier", "pengirim:sender_problem",
           r"\s+or\s+not\s+within\(str\(kode\),\s*wilayah\)", "",
           ("tests/test_pengirim.py",)),
    Target("isolation: an item whose check breaks alone is refused, the others keep their verdicts",
           "isolation:judge_isolated", r"out\.append\(refuse\(item,\s*internal_error\(exc\)\)\)", "raise",
           ("tests/test_isolation.py::test_a_file_that_breaks_the_reader_costs_only_its_own_verdict",
            "tests/test_cli.py::test_a_checker_failure_costs_only_its_own_file",
            STAGES + "test_bad_packages_in_a_batch_get_their_own_reasons_and_cost_the_good_one_nothing")),
    Target("isolation: a joined run that breaks falls back to one run per item", "isolation:judge_isolated",
           r"^(\s*)joined = None$", r"\1raise",
           ("tests/test_cli.py::test_a_checker_failure_costs_only_its_own_file",)),
    Target("kosakata: only a desa code is a desa", "kosakata:is_desa",
           r'level_of\((.*?)\)\s*==\s*(?:"desa"|DESA\b)', r"level_of(\1) is not None", LEVELS),
    Target("kosakata: a code has a level only at its level's length", "kosakata:level_of",
           r"\s+and\s+len\(kode\)\s*==\s*CODE_LENGTH\[level\]", "", LEVELS),
    Target("checks: a reference is read in the cycle's year plus its offset (KEP-08: last year's stored rows)",
           "cycle.checks:load_references", r"rt\.tahun\s*\+\s*spec\.selisih_tahun", "rt.tahun",
           ("tests/test_tahun_kedua.py::test_the_previous_year_reference_is_the_stored_year_before",)),
    Target("gulir-tahun: an unclosed year is not rolled over without --paksa", "gulir:jalankan",
           r"if simpan and not closed and not paksa:", "if False:",
           ("tests/test_gulir.py::test_tulis_refuses_an_unclosed_year_unless_forced",)),
    Target("web: the page's references follow the Daftar Data to its new year", "web.hangat:rujukan",
           r"if tahun != runtime\(\)\.tahun:", "if False:",
           ("tests/test_gulir.py::test_a_running_server_opens_the_new_year_without_a_restart",)),
    Target("kabar: a reminder goes only to a sender with no file for that dataset", "kabar.jadwal:belum_mengirim",
           r"if \(ds, kode\) not in sent:", "if True:",
           ("tests/test_kabar_jadwal.py::test_reminders_go_only_to_senders_without_a_file_once_a_reminder_day",)),
    Target("kabar: a scheduled kind is planned once a day", "kabar.jadwal:rencanakan",
           r"if rt\.store\.exists\(marker\):", "if False:",
           ("tests/test_kabar_jadwal.py::test_reminders_go_only_to_senders_without_a_file_once_a_reminder_day",)),
    Target("kabar: an essential kind cannot be opted out of", "kabar.berhenti:atur",
           r"if penting:", "if False:",
           ("tests/test_kabar_jadwal.py::test_an_account_stops_its_reminders_and_never_an_essential_kind",)),
    Target("login limits: X-Forwarded-For counts only from a trusted proxy", "web.login_limits:client_address",
           r"\s+or\s+not\s+_trusted\(hop,\s*proxies\)(:\n\s+return peer)", r"\1",
           ("tests/test_login_limits.py::test_forwarded_for_counts_only_from_a_trusted_proxy",)),
    Target("login limits: the walk stops at the first untrusted hop from the right", "web.login_limits:client_address",
           r"if not _trusted\(hop, proxies\):\n(\s+)break", r"if False:\n\1break",
           ("tests/test_login_limits.py::test_forwarded_for_counts_only_from_a_trusted_proxy",)),
]


class TargetNotFound(LookupError):
    pass


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method of a module by qualified name (``outer.inner``, ``Class.method``)."""
    out: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    out.setdefault(name, child)
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return out


def _module_name(path: Path, package: Path) -> str:
    return ".".join(path.relative_to(package).with_suffix("").parts)


def locate(target: Target, package: Path = PACKAGE) -> tuple[Path, str, str]:
    """The file of ``target`` and its text with the mutant applied; ``TargetNotFound`` names what is missing."""
    module, _, qualname = target.where.rpartition(":")
    found = []
    for path in sorted(package.rglob("*.py")):
        if module and _module_name(path, package) != module:
            continue
        text = path.read_text(encoding="utf-8")
        node = _functions(ast.parse(text)).get(qualname)
        if node is not None:
            found.append((path, text, node))
    if len(found) != 1:
        where = ", ".join(_module_name(p, package) for p, _, _ in found) or "no module"
        raise TargetNotFound(f"mutation target {target.name!r}: function {target.where!r} found in {where} of "
                             f"{package}; it was renamed or moved: update its Target in scripts/mutations.py"
                             + (" (prefix the module, 'module:function')" if found else ""))
    path, text, node = found[0]
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:node.lineno - 1])
    end = sum(len(line) for line in lines[:node.end_lineno])
    body = text[start:end]
    matches = list(re.finditer(target.pattern, body, flags=re.MULTILINE))
    if len(matches) != 1:
        raise TargetNotFound(f"mutation target {target.name!r}: pattern {target.pattern!r} matches {len(matches)} times "
                             f"in {qualname} ({path.relative_to(package.parent.parent)}, line {node.lineno}), not "
                             "once: the code changed, update its Target in scripts/mutations.py")
    m = matches[0]
    mutated = body[:m.start()] + m.expand(target.mutant) + body[m.end():]
    return path, text[:start] + mutated + text[end:], body


def _copy(dest: Path) -> Path:
    """A project root holding a copy of the package and links to what the package reads beside it."""
    shutil.copytree(PACKAGE, dest / "include" / "desa_cantik", ignore=shutil.ignore_patterns("__pycache__"))
    for name in BESIDE:
        (dest / name).symlink_to(ROOT / name, target_is_directory=True)
    return dest / "include"


def _pytest(include: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(include), *filter(None, [os.environ.get("PYTHONPATH")])]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def run(targets: list[Target], baseline: bool = True) -> dict[str, bool]:
    """Target name -> killed. Every target is located before any test runs, so a stale one fails at once.

    ``baseline``: first run the targets' tests once on the unmutated copy; a failure there would kill every mutant
    for nothing, so it stops the run. A test run that errors (a node id no longer collected, a crash) is never
    counted as a kill: only pytest's "tests failed" (exit 1) is.
    """
    located = [(t, *locate(t)) for t in targets]
    killed: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="mutations-") as tmp:
        include = _copy(Path(tmp))
        package = include / "desa_cantik"
        probe = subprocess.run([sys.executable, "-c", "import desa_cantik; print(desa_cantik.__file__)"], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(include)}, capture_output=True, text=True, check=True)
        if not Path(probe.stdout.strip()).is_relative_to(package):
            raise RuntimeError(f"the tests would import {probe.stdout.strip()}, not the mutated copy in {package}")
        if baseline:
            tests = tuple(dict.fromkeys(test for t in targets for test in t.tests))
            base = _pytest(include, tests)
            if base.returncode:
                raise RuntimeError(f"the targets' tests fail without a mutant:\n{base.stdout[-3000:]}")
        for target, path, mutated, _ in located:
            copy = package / path.relative_to(PACKAGE)
            original = copy.read_text(encoding="utf-8")
            copy.write_text(mutated, encoding="utf-8")
            try:
                result = _pytest(include, target.tests)
            finally:
                copy.write_text(original, encoding="utf-8")
            if result.returncode not in (0, 1):
                raise RuntimeError(f"mutation target {target.name!r}: pytest {' '.join(target.tests)} exited "
                                   f"{result.returncode} (not a test failure):\n{(result.stdout + result.stderr)[-3000:]}")
            killed[target.name] = result.returncode == 1
            print("KILLED  " if killed[target.name] else "SURVIVED", target.name, flush=True)
    return killed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="mutations the fast tests must kill")
    p.add_argument("names", nargs="*", help="only the targets whose name contains one of these")
    p.add_argument("--no-baseline", action="store_true", help="skip running the tests once unmutated")
    args = p.parse_args(argv)
    targets = [t for t in TARGETS if not args.names or any(n in t.name for n in args.names)]
    try:
        killed = run(targets, baseline=not args.no_baseline)
    except TargetNotFound as e:
        print(e, file=sys.stderr)
        return 2
    return 0 if all(killed.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
