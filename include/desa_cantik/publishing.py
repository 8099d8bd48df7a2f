"""Publishing upward: the delivery package a tier hands to the next one.

A package is a set of files (indicator tables per level, MS-Ind and MS-Var metadata, coverage) and a
``manifest.json`` with the cycle's identity and the sha256 and row count of every file, so the receiving
tier can check that what arrived is what was sent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .datasets import all_datasets, all_indicators, standard_version

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class CycleIdentity:
    tahun: int
    tingkat: str  # kabupaten | provinsi | pusat
    kode_wilayah: str
    dibuat_pada: str  # ISO time of the run that built the package

    @property
    def name(self) -> str:
        return f"desa-cantik/{self.tahun}/{self.tingkat}/{self.kode_wilayah}"

    def to_json(self) -> dict[str, Any]:
        return {"siklus": self.name, "tahun": self.tahun, "tingkat": self.tingkat, "kode_wilayah": self.kode_wilayah,
                "versi_standar": standard_version(), "dibuat_pada": self.dibuat_pada}


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6f").encode("utf-8")


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_package(identity: CycleIdentity, indicators: pd.DataFrame, coverage: pd.DataFrame) -> dict[str, bytes]:
    """Files of the package by name, manifest included. Deterministic for the same inputs."""
    files: dict[str, bytes] = {}
    rows: dict[str, int] = {}
    for level, frame in indicators.groupby("tingkat", sort=True):
        name = f"indikator_{level}.csv"
        files[name] = _csv(frame.drop(columns=["tingkat"]).sort_values(["kode_wilayah", "indikator"]))
        rows[name] = len(frame)
    files["cakupan.csv"] = _csv(coverage)
    rows["cakupan.csv"] = len(coverage)
    meta_ind = [ind.metadata for ind in all_indicators().values()]
    files["metadata_indikator.json"] = _json(meta_ind)
    rows["metadata_indikator.json"] = len(meta_ind)
    meta_var = [{"dataset": ds.nama, **c.as_metadata()} for ds in all_datasets().values() for c in ds.all_columns()]
    files["metadata_variabel.json"] = _json(meta_var)
    rows["metadata_variabel.json"] = len(meta_var)
    manifest = {
        **identity.to_json(),
        "berkas": [{"nama": n, "sha256": hashlib.sha256(b).hexdigest(), "baris": rows[n], "ukuran": len(b)}
                   for n, b in sorted(files.items())],
    }
    files[MANIFEST] = _json(manifest)
    return files


def verify_package(files: dict[str, bytes]) -> list[str]:
    """Problems found checking a package against its manifest (empty list: intact)."""
    if MANIFEST not in files:
        return ["manifest.json tidak ada"]
    manifest = json.loads(files[MANIFEST])
    problems = []
    for entry in manifest["berkas"]:
        data = files.get(entry["nama"])
        if data is None:
            problems.append(f"{entry['nama']} tidak ada")
        elif hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['nama']}: sha256 tidak cocok")
    return problems
