"""Every rule of the standard, on the generated files: each injected error is caught by its rule with its
severity, and clean files pass without findings. Runs the real GX suites from expectations/."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from desa_cantik.datasets import get_dataset
from desa_cantik.intake import Provenance, read_submission
from desa_cantik.quality import ACCEPTED, REJECTED, GateContext, Verdict, expectations_dir, validate_batch
from desa_cantik.regions import desa_table
from desa_cantik.rules import rule_catalogue
from desa_cantik.synthetic import ERROR_KINDS

from .conftest import TAHUN

GateResults = dict[str, tuple[list[Path], list[Verdict]]]


def _validate_folder(root: Path, dataset: str, ctx: GateContext) -> tuple[list[Path], list[Verdict]]:
    files = sorted(p for p in (root / dataset).rglob("*") if p.is_file())
    subs = [read_submission(p.read_bytes(), get_dataset(dataset), Provenance.of(p.read_bytes(), p.name), TAHUN) for p in files]
    senders = [p.parent.name if get_dataset(dataset).produsen == "pemerintah_desa" else "35.07" for p in files]
    return files, validate_batch(subs, ctx, senders)


@pytest.fixture(scope="module")
def gate_results(generated: Path) -> GateResults:
    answer = generated / "_kebenaran"
    kep = pd.read_csv(answer / "kependudukan.csv", dtype={"kode_desa": str})
    pro = pd.read_csv(answer / "proyeksi_penduduk.csv", dtype={"kode_desa": str})
    refs = {
        "_proyeksi_penduduk": pro.rename(columns={"proyeksi_penduduk": "nilai"})[["kode_desa", "nilai"]],
        "_penduduk_desa": kep.rename(columns={"jumlah_penduduk": "nilai"})[["kode_desa", "nilai"]],
    }
    ctx = GateContext(TAHUN, desa_table("35.07")["kode_desa"].tolist(), ["35.07-DINKES", "35.07-DISDIK"], refs)
    out: GateResults = {}
    for ds in ("kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk"):
        out[ds] = _validate_folder(generated, ds, ctx)
    return out


def _findings_by_desa(files: list[Path], verdicts: list[Verdict], dataset: str) -> dict[str, set[tuple[str, str]]]:
    by_desa: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path, v in zip(files, verdicts, strict=True):
        table = v.submission.table
        for i in v.issues:
            if i.keparahan not in ("error", "warning"):
                continue
            kode = table.loc[table["_baris"] == i.baris, "kode_desa"].iloc[0] if dataset == "kesehatan_anak" else path.parent.name
            by_desa[kode].add((i.aturan, i.keparahan))
    return by_desa


def test_every_injected_error_is_caught_by_its_rule(generated: Path, gate_results: GateResults) -> None:
    galat = pd.read_csv(generated / "_kebenaran" / "galat.csv", dtype={"kode_desa": str})
    assert set(galat["jenis"]) == set(ERROR_KINDS), "the generator injects every kind"
    missed = []
    for ds, group in galat.groupby("dataset"):
        files, verdicts = gate_results[ds]
        found = _findings_by_desa(files, verdicts, ds)
        for row in group.itertuples():
            if (row.aturan, row.keparahan) not in found[row.kode_desa]:
                missed.append((ds, row.kode_desa, row.jenis, row.aturan, sorted(found[row.kode_desa])))
    assert missed == []


def test_clean_files_have_no_findings_and_counts_match_answer_key(generated: Path, gate_results: GateResults) -> None:
    galat = pd.read_csv(generated / "_kebenaran" / "galat.csv", dtype={"kode_desa": str})
    for ds in ("kependudukan", "fasilitas"):
        files, verdicts = gate_results[ds]
        dirty = set(galat.loc[galat["dataset"] == ds, "kode_desa"])
        found = _findings_by_desa(files, verdicts, ds)
        clean_with_findings = {k: v for k, v in found.items() if k not in dirty}
        assert clean_with_findings == {}
        accepted = sum(v.rows_accepted for v in verdicts)
        expected = len(pd.read_csv(generated / "_kebenaran" / f"{ds}.csv"))
        assert accepted == expected
    files, verdicts = gate_results["kesehatan_anak"]
    assert verdicts[0].rows_accepted == len(pd.read_csv(generated / "_kebenaran" / "kesehatan_anak.csv"))
    assert any(i.aturan == "STR-TOTAL" for i in verdicts[0].issues), "the Dinkes totals row is noted, not stored"
    assert gate_results["proyeksi_penduduk"][1][0].status == ACCEPTED


def test_rejected_file_statuses(gate_results: GateResults) -> None:
    files, verdicts = gate_results["kependudukan"]
    for path, v in zip(files, verdicts, strict=True):
        if any(i.keparahan == "error" for i in v.issues):
            assert v.status == REJECTED, path.name
            assert v.rows_accepted == 0


def test_rules_live_with_the_suites() -> None:
    cat = rule_catalogue()
    assert {r["suite"] for r in cat} == {"kependudukan", "fasilitas", "kesehatan_anak", "proyeksi_penduduk"}
    for r in cat:
        assert r["keparahan"] in ("error", "warning") and r["tingkat"] in (0, 1, 2, 3, 4) and r["pesan"]
    rules = {r["aturan"] for r in cat}
    assert rules >= {f"KEP-0{i}" for i in range(1, 10)} | {"FAS-01", "FAS-02", "FAS-03"} | {f"KES-0{i}" for i in range(1, 6)}
    levels = {r["aturan"]: r["tingkat"] for r in cat}
    assert (levels["KEP-08"], levels["KEP-09"], levels["FAS-03"], levels["KES-05"]) == (2, 3, 4, 4)
    for path in expectations_dir().glob("*.json"):
        json.loads(path.read_text())  # reviewed files stay valid JSON


def test_level_2_and_3_rules_compare_with_warehouse_references() -> None:
    from desa_cantik.intake import Provenance, read_submission

    text = (b"kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
            b"penduduk_datang,penduduk_pindah\n35.07.01.2001,2025,1510,1490,3000,850,45,20,30,25\n"
            b"35.07.01.2002,2025,1010,990,2000,600,30,10,5,5\n")
    sub = read_submission(text, get_dataset("kependudukan"), Provenance.of(text, "k.csv"), TAHUN)
    refs = {"_penduduk_tahun_lalu": pd.DataFrame({"kode_desa": ["35.07.01.2001", "35.07.01.2002"], "nilai": [2500, 1990]}),
            "_proyeksi_penduduk": pd.DataFrame({"kode_desa": ["35.07.01.2001", "35.07.01.2002"], "nilai": [3050, 3000]})}
    ctx = GateContext(TAHUN, desa_table("35.07.01")["kode_desa"].tolist(), [], refs)
    v = validate_batch([sub], ctx, ["35.07.01"])[0]
    found = {(i.aturan, i.baris) for i in v.issues if i.keparahan == "warning"}
    assert found == {("KEP-08", 2), ("KEP-09", 3)}  # +20 % on last year; -33 % from BPS's projection
    # comparisons with other data are reported, but the verdict is the file's own (a rerun never changes it)
    assert v.status == "diterima" and v.rows_accepted == 2 and v.skipped_rules == []
