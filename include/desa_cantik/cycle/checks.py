"""What the gate and the cross-check share, below both: the gate's context (the region's desa, its agencies, the
warehouse's references) and the auditor's rule counts per (file, desa, rule)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..kosakata import cut
from ..quality import GateContext, reference_specs
from ..regions import desa_table, normalise_code

if TYPE_CHECKING:
    from .runtime import Runtime

SUMMARY_COLUMNS = ["run_id", "dataset", "tahun", "kode_desa", "aturan", "keparahan", "tingkat", "jumlah", "sha256_berkas"]


def gate_context(rt: Runtime, with_references: bool = True) -> GateContext:
    desa = desa_table(rt.wilayah)["kode_desa"].tolist()
    refs = load_references(rt) if with_references else None
    return GateContext(rt.tahun, desa, rt.daftar.kode_opd(cut(rt.wilayah, "kabupaten")), refs)


def load_references(rt: Runtime) -> dict[str, pd.DataFrame]:
    """Reference columns the suites ask for, from what the warehouse holds now (absent -> rule skipped)."""
    refs: dict[str, pd.DataFrame] = {}
    for ds in rt.daftar.datasets:
        for spec in reference_specs(ds):
            frame = rt.warehouse.reference(spec.dataset, spec.kolom, rt.tahun + spec.selisih_tahun)
            if len(frame):
                refs[spec.kolom_rujukan] = frame
    return refs


def count_by_rule(issues: pd.DataFrame, desa_of: dict[tuple[str, int], str], sender_of: dict[str, str],
                  run_id: str) -> pd.DataFrame:
    """Group errors and warnings per (file, desa, rule); a file-level finding counts for its sender's desa."""
    kode = [desa_of.get((s, int(r))) if pd.notna(r) else (normalise_code(sender_of.get(s, "")) or None)
            for s, r in zip(issues["sha256_berkas"], issues["baris"], strict=True)]
    issues = issues.assign(kode_desa=kode, tingkat=issues["tingkat"].fillna(-1))
    out = (issues.groupby(["dataset", "tahun", "kode_desa", "aturan", "keparahan", "tingkat", "sha256_berkas"],
                          dropna=False).size().rename("jumlah").reset_index())
    out["tingkat"] = out["tingkat"].astype(int).replace(-1, pd.NA)
    out["run_id"] = run_id
    return out[SUMMARY_COLUMNS]
