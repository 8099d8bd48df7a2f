"""The messy-file corpus (tests/corpus/): the pre-check prints the verdict and values each case expects."""

from __future__ import annotations

import json

import pytest

from desa_cantik.intake import ROW
from desa_cantik.precheck import precheck
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_case(name: str) -> None:
    exp = EXPECTED[name]
    v = precheck((CORPUS / name).read_bytes(), name, exp["dataset"], 2025, exp.get("region", "35.07.01"))
    assert v.status == exp["status"], [i.pesan for i in v.issues]
    assert v.submission.readable is not exp.get("unreadable", False)
    if not exp.get("unreadable"):
        assert v.rows_read == exp["rows_read"]
    for col, value in exp.get("values", {}).items():
        row = v.accepted.iloc[0] if col != ROW else v.submission.table.iloc[0]
        assert row[col] == value, col
    for want in exp.get("issues", []):
        hits = [i for i in v.issues if i.aturan == want["rule"]
                and ("row" not in want or i.baris == want["row"])
                and ("column" not in want or i.kolom == want["column"])
                and all(w in i.pesan for w in want.get("contains", []))]
        assert hits, (want, [(i.aturan, i.baris, i.kolom, i.pesan) for i in v.issues])
