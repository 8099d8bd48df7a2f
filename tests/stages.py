"""The cycle's stages driven the way the gate DAG's three groups drive them, for fast tests without Airflow."""

from __future__ import annotations

from pathlib import Path

from desa_cantik.cycle.gate import validate_collected
from desa_cantik.cycle.handoff import Validated
from desa_cantik.cycle.inbox import collect_batch, plan_batches, upload_folder
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.store import store_bundle

from .conftest import SMALL_REGION, TAHUN


def gate_and_store(rt: Runtime, run_id: str) -> list[Validated]:
    """plan -> collect -> validate -> store, batch by batch (an exception here is a crashed batch)."""
    validated = []
    for batch in plan_batches(rt):
        v = validate_collected(rt, collect_batch(rt, batch), run_id)
        store_bundle(rt, v)
        validated.append(v)
    return validated


def embedded_with_uploads(home: Path, folder: Path, wilayah: str = SMALL_REGION) -> Runtime:
    """An embedded tier (SQLite + a folder) whose inbox holds a generated folder's files."""
    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": wilayah,
                           "DESA_CANTIK_GUDANG": f"sqlite:///{home / 'gudang.sqlite'}"})
    upload_folder(rt.store, folder, TAHUN)
    return rt

