"""Stage 4, pembina (BPS): levels 2-4 (previous year, BPS reference, other datasets) on everything stored.

At the gate these rules see only what the warehouse held when a file arrived; at the close every source
is in, so the warnings become complete. Replaces earlier findings of the same rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from ..datasets import Dataset, get_dataset
from ..findings import WARNING
from ..intake import ROW, Provenance, Submission
from ..quality import referenced_rules, validate_batch
from .gate import Checked, gate_context, issue_rows, summarise
from .handoff import ArchivedFile

if TYPE_CHECKING:
    from .runtime import Runtime


def _stored_file(spec: Dataset, registry: pd.Series, rows: pd.DataFrame) -> tuple[ArchivedFile, Submission]:
    """A stored file's accepted rows as a submission again, with the provenance its registry entry holds."""
    table = rows[spec.columns].assign(**{ROW: rows["baris_berkas"].to_numpy()}).reset_index(drop=True)
    for c in spec.count_columns:
        table[c] = table[c].astype("float64")
    raw = table.astype("object").map(lambda v: None if v is None or v != v else str(v))
    raw[ROW] = table[ROW]
    f: ArchivedFile = {"kunci_masuk": str(registry["kunci_masuk"]), "kunci_arsip": str(registry["kunci_arsip"]),
                       "sha256": str(registry["sha256"]), "ukuran": int(registry["ukuran"]),
                       "diterima_pada": str(registry["diterima_pada"]), "dataset": str(registry["dataset"]),
                       "pengirim": str(registry["pengirim"]), "nama_berkas": str(registry["nama_berkas"])}
    prov = Provenance(f["kunci_masuk"], f["nama_berkas"], f["ukuran"], f["sha256"],
                      datetime.fromisoformat(f["diterima_pada"]))
    return f, Submission(spec, prov, table, raw)


def cross_check(rt: Runtime, run_id: str) -> dict[str, int]:
    ctx = gate_context(rt)
    found: dict[str, int] = {}
    for ds in rt.daftar.datasets:
        rules = referenced_rules(ds)
        stored = rt.warehouse.dataset_rows(ds, rt.tahun)
        if not rules or stored.empty:
            continue
        spec = get_dataset(ds)
        registry = rt.warehouse.submissions_by_sha(sorted(stored["sha256_berkas"].unique())).set_index("sha256",
                                                                                                        drop=False)
        pairs = [_stored_file(spec, registry.loc[sha], rows) for sha, rows in stored.groupby("sha256_berkas", sort=True)]
        verdicts = validate_batch([s for _, s in pairs], ctx, [rt.wilayah] * len(pairs), only_referenced=True)
        checked: list[Checked] = [(f, v) for (f, _), v in zip(pairs, verdicts, strict=True)]
        issues = pd.DataFrame([r for f, v in checked for r in issue_rows(f, v, rt.tahun) if r["keparahan"] == WARNING])
        summary = summarise(issues, run_id, checked)
        rt.warehouse.replace_findings(ds, rt.tahun, rules, issues, summary)
        found[ds] = len(issues)
    return found

