"""Stage 4, pembina (BPS): levels 2-4 (previous year, BPS reference, other datasets) on everything stored.

At the gate these rules see only what the warehouse held when a file arrived; at the close every source
is in, so the warnings become complete. Replaces earlier findings of the same rules.

One pass per dataset, linear in rows: the stored rows become one frame in the gate's shape (each file's
rows together, files in sha256 order), one GX run checks them, and only the rows with a finding are
turned back into text for their messages. The findings are the ones the gate's ``validate_batch`` would
give each stored file (``tests/test_scale.py`` compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..datasets import Dataset, get_dataset
from ..findings import ERROR, WARNING, Issue
from ..intake import ROW
from ..quality import FILE, SENDER, GateContext, RawRows, masked, referenced_rules, validate_rows
from .checks import SUMMARY_COLUMNS, count_by_rule, gate_context

if TYPE_CHECKING:
    from .runtime import Runtime


@dataclass
class StoredFiles:
    """A dataset's stored rows as the gate's table (counts as float64, ``ROW`` = the row in its file), each
    file's rows together, files in sha256 order; ``file`` numbers each row's file (an index into ``shas``)."""

    table: pd.DataFrame
    file: np.ndarray
    shas: np.ndarray
    sha_of_row: pd.Series

    @classmethod
    def of(cls, spec: Dataset, stored: pd.DataFrame) -> StoredFiles:
        rows = stored.sort_values("sha256_berkas", kind="stable", ignore_index=True)
        file, shas = pd.factorize(rows["sha256_berkas"], sort=True)
        table = rows[spec.columns].assign(**{ROW: rows["baris_berkas"].to_numpy()})
        for c in spec.count_columns:
            table[c] = table[c].astype("float64")
        return cls(table, np.asarray(file), np.asarray(shas, dtype=object), rows["sha256_berkas"])


def _as_text(v: Any) -> str | None:
    return None if v is None or v != v else str(v)


def _raw_rows(table: pd.DataFrame) -> RawRows:
    """The cells of some rows as text (what a stored file shows in messages), made only for rows with findings."""
    def rows(positions: list[int]) -> pd.DataFrame:
        part = table.loc[positions]
        raw = part.astype("object").map(_as_text)
        raw[ROW] = part[ROW]
        return raw

    return rows


def _summary(issues: pd.DataFrame, run_id: str, stored: StoredFiles, senders: dict[str, str]) -> pd.DataFrame:
    """Rule counts per (file, desa, rule): the auditor's table, as ``gate.summarise`` makes it for the gate."""
    if issues.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    issues = issues[issues["keparahan"].isin([ERROR, WARNING])]
    hit = stored.sha_of_row.isin(set(issues["sha256_berkas"])).to_numpy()  # rows of files with findings
    t = stored.table
    desa_of = {(s, int(r)): k for s, r, k in zip(stored.sha_of_row[hit], t[ROW][hit], t["kode_desa"][hit], strict=True)
               if isinstance(k, str)}
    return count_by_rule(issues, desa_of, senders, run_id)


def _issue_rows(found: list[tuple[int, Issue]], shas: np.ndarray, registry: pd.DataFrame,
                tahun: int) -> pd.DataFrame:
    """Warnings as the warehouse's rows: per file in sha256 order, each file's findings in the gate's order."""
    ordered = sorted(found, key=lambda fi: (fi[0], fi[1].baris or 0, fi[1].aturan, fi[1].kolom or ""))
    rows = []
    for f, issue in ordered:
        if issue.keparahan != WARNING:
            continue
        i = masked(issue)
        sha = str(shas[f])
        rows.append({"sha256_berkas": sha, "dataset": str(registry.at[sha, "dataset"]), "tahun": tahun,
                     "pengirim": str(registry.at[sha, "pengirim"]), "baris": i.baris, "kolom": i.kolom,
                     "aturan": i.aturan, "keparahan": i.keparahan, "tingkat": i.tingkat, "pesan": i.pesan,
                     "nilai": i.nilai, "diharapkan": i.diharapkan})
    return pd.DataFrame(rows)


def findings(rt: Runtime, ds: str, ctx: GateContext, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The close's warnings on one dataset's stored rows and their rule counts (a dataset with such rules,
    ``cross_check``); None when no row is stored."""
    stored = rt.warehouse.dataset_rows(ds, rt.tahun)
    if stored.empty:
        return None
    files = StoredFiles.of(get_dataset(ds), stored)
    registry = rt.warehouse.submissions_by_sha(list(files.shas)).set_index("sha256", drop=False).loc[files.shas]
    frame = files.table.assign(**{FILE: files.file, SENDER: rt.wilayah})
    found, _ = validate_rows(frame, ds, ctx, _raw_rows(files.table), only_referenced=True)
    issues = _issue_rows(found, files.shas, registry, rt.tahun)
    senders = {str(s): str(p) for s, p in zip(registry["sha256"], registry["pengirim"], strict=True)}
    return issues, _summary(issues, run_id, files, senders)


def cross_check(rt: Runtime, run_id: str) -> dict[str, int]:
    """Every dataset with such rules and stored rows; the gate's context (the region's desa list, the references)
    is built only if there is one: the tiers above kabupaten store no rows, and the centre's list is every desa."""
    datasets = [ds for ds in rt.daftar.datasets if referenced_rules(ds) and rt.warehouse.count_rows(ds, rt.tahun)]
    if not datasets:
        return {}
    ctx = gate_context(rt)
    found: dict[str, int] = {}
    for ds in datasets:
        checked = findings(rt, ds, ctx, run_id)
        if checked is None:
            continue
        issues, summary = checked
        rt.warehouse.replace_findings(ds, rt.tahun, referenced_rules(ds), issues, summary)
        found[ds] = len(issues)
    return found
