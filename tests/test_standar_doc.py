"""The data standard lives in the repository: docs/standar-data.md is what the standard's data generates."""

from __future__ import annotations

import re
from pathlib import Path

from desa_cantik.datasets import all_datasets, all_indicators
from desa_cantik.rules import file_rules, rule_catalogue
from desa_cantik.standar_doc import COMMAND, standard_markdown
from tests.conftest import ROOT

DOC = ROOT / "docs" / "standar-data.md"


def test_standard_document_is_generated() -> None:
    """Never hand-edited: a change to standar/*.yaml or a suite without regenerating fails here."""
    assert DOC.read_text(encoding="utf-8") == standard_markdown(), f"out of date: run `{COMMAND}`"


def test_standard_document_holds_every_item_of_the_data() -> None:
    doc = standard_markdown()
    for ds in all_datasets().values():
        assert f"### `{ds.nama}` — {ds.judul}" in doc
        for c in ds.all_columns():
            assert f"| `{c.nama}` |" in doc, c.nama
            for name in (*c.alias, *c.klasifikasi):
                assert f"`{name}`" in doc, (c.nama, name)
    for kode, indicator in all_indicators().items():
        assert f"| `{kode}` | {indicator.nama} | {indicator.metadata['rumus']} |" in doc
    for rule in [*file_rules(), *rule_catalogue()]:
        assert f"| {rule['aturan']} |" in doc


def test_nothing_points_outside_the_repository_for_the_standard() -> None:
    """The standard once lived in ../shared, which a clone does not have."""
    texts = [*ROOT.glob("*.md"), *ROOT.glob("*/README.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "scripts").glob("*"),
             *(ROOT / "include").rglob("*.py"), *(ROOT / "include").rglob("*.yaml"), *(ROOT / "tests").glob("*.py")]
    outside = re.compile(r"\.\./shared\b|STANDAR-DATA\.md")
    this = __file__.rsplit("/", 1)[-1]
    found = [p.relative_to(ROOT) for p in texts if p.is_file() and p.name != this
             and outside.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, f"refer to docs/standar-data.md instead: {found}"


def test_check_mode_says_when_the_document_is_stale(tmp_path: Path) -> None:
    from desa_cantik.standar_doc import main

    doc = tmp_path / "standar-data.md"
    assert main(["--out", str(doc), "--check"]) == 1  # missing
    assert main(["--out", str(doc)]) == 0 and main(["--out", str(doc), "--check"]) == 0
    doc.write_text(doc.read_text(encoding="utf-8").replace("| `PLN`", "| `PLN_LAMA`"), encoding="utf-8")
    assert main(["--out", str(doc), "--check"]) == 1
