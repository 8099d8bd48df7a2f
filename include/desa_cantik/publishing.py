"""Publishing upward: the delivery package a tier hands to the next one.

A package is a set of files (indicator tables per level, MS-Ind and MS-Var metadata, coverage) and a
``manifest.json`` with the cycle's identity and the sha256 and row count of every file, so the receiving
tier can check that what arrived is what was sent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

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
    return cast(str, frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")).encode("utf-8")


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def sdmx_schema() -> Any:
    """The data structure definition the project declares for its indicator tables (SDMX 2.1)."""
    from pysdmx.model import DataType
    from pysdmx.model.concept import Concept
    from pysdmx.model.dataflow import Component, Components, Role, Schema

    def comp(cid: str, role: Role, dtype: DataType = DataType.STRING, required: bool = True) -> Component:
        level = "O" if role == Role.ATTRIBUTE else None
        return Component(id=cid, required=required, role=role, concept=Concept(id=cid, dtype=dtype), attachment_level=level)

    return Schema(context="datastructure", agency="ID.SATUDATA", id="DSD_DESA_CANTIK", version="1.0",
                  components=Components([
                      comp("TINGKAT", Role.DIMENSION), comp("WILAYAH", Role.DIMENSION), comp("INDIKATOR", Role.DIMENSION),
                      comp("TIME_PERIOD", Role.DIMENSION), comp("OBS_VALUE", Role.MEASURE, DataType.DOUBLE, False),
                      comp("UNIT_MEASURE", Role.ATTRIBUTE, required=False),
                      comp("DESA_KONTRIBUSI", Role.ATTRIBUTE, DataType.INTEGER, False),
                      comp("DESA_TOTAL", Role.ATTRIBUTE, DataType.INTEGER, False)]))


def sdmx_csv(indicators: pd.DataFrame) -> bytes:
    """The indicator table as SDMX-CSV 2.1, written by pysdmx against ``sdmx_schema()``."""
    from pysdmx.io.csv.sdmx21.writer import write
    from pysdmx.io.pd import PandasDataset

    frame = pd.DataFrame({
        "TINGKAT": indicators["tingkat"].str.upper(), "WILAYAH": indicators["kode_wilayah"].replace("", "ID"),
        "INDIKATOR": indicators["indikator"].str.upper(), "TIME_PERIOD": indicators["tahun"].astype(str),
        "OBS_VALUE": indicators["nilai"].astype("float64").round(6), "UNIT_MEASURE": indicators["satuan"],
        "DESA_KONTRIBUSI": indicators["desa_kontribusi"].astype("int64"),
        "DESA_TOTAL": indicators["desa_total"].astype("int64"),
    }).sort_values(["TINGKAT", "WILAYAH", "INDIKATOR"], ignore_index=True)
    text = write([PandasDataset(structure=sdmx_schema(), data=frame)])
    return (text or "").encode("utf-8")


def ckan_package(identity: CycleIdentity, names: list[str]) -> dict[str, Any]:
    """CKAN ``package_create`` metadata, so a regional Satu Data portal can ingest the package as is."""
    slug = f"desa-cantik-{identity.tahun}-{identity.tingkat}-{(identity.kode_wilayah or 'id').replace('.', '-')}"
    return {
        "name": slug,
        "title": f"Indikator Desa Cantik {identity.tahun} — {identity.tingkat} {identity.kode_wilayah or 'Indonesia'}",
        "notes": "Indikator desa, kecamatan dan wilayah di atasnya dari siklus Desa Cantik / Satu Data "
                 "(Perpres 39/2019), dihitung dari baris yang lolos gerbang mutu BPS, dengan cakupan desa.",
        "license_id": "cc-by",
        "tags": [{"name": t} for t in ("desa-cantik", "satu-data", "indikator-desa")],
        "extras": [{"key": k, "value": str(v)} for k, v in identity.to_json().items()],
        "resources": [{"name": n, "url": n, "format": n.rsplit(".", 1)[-1].upper()} for n in names],
    }


def build_package(identity: CycleIdentity, indicators: pd.DataFrame, coverage: pd.DataFrame,
                  extra: dict[str, pd.DataFrame] | None = None) -> dict[str, bytes]:
    """Files of the package by name, manifest included. Deterministic for the same inputs."""
    files: dict[str, bytes] = {}
    rows: dict[str, int] = {}
    for name, frame in sorted((extra or {}).items()):
        files[f"{name}.csv"] = _csv(frame)
        rows[f"{name}.csv"] = len(frame)
    files["indikator.sdmx.csv"] = sdmx_csv(indicators)
    rows["indikator.sdmx.csv"] = len(indicators)
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
    files["ckan_package_create.json"] = _json(ckan_package(identity, sorted(files)))
    rows["ckan_package_create.json"] = 1
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
