"""Team policy as tests: every DAG imports cleanly, is owned, tagged, retried and documented, every pillar
stage is owned by its pillar, and every DAG file parses in well under a second without heavy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import ROOT

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

PILLARS = {"bps-pembina-data", "diskominfo-walidata", "bappeda-koordinator-data"}
DAG_FILES = sorted(p for p in (ROOT / "dags").glob("*.py"))


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    from airflow.dag_processing.dagbag import DagBag

    os.environ.pop("DESA_CANTIK_RETRIES", None)
    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"desa_cantik_siklus_tahunan", "desa_cantik_gerbang_masuk"}


def test_every_dag_is_owned_tagged_retried_documented(dagbag: DagBag) -> None:
    for dag in dagbag.dags.values():
        assert dag.tags and "desa-cantik" in dag.tags, dag.dag_id
        assert dag.doc_md and "Triase" in dag.doc_md, dag.dag_id
        assert dag.max_active_runs == 1 and dag.catchup is False
        for t in dag.tasks:
            assert t.owner in PILLARS, (dag.dag_id, t.task_id, t.owner)
            assert t.retries is not None and t.retries >= 1, (dag.dag_id, t.task_id)
            assert t.execution_timeout is not None, (dag.dag_id, t.task_id)  # nothing holds a worker forever


def test_each_stage_is_owned_by_its_pillar(dagbag: DagBag) -> None:
    expected = {"validasi_bps.": "bps-pembina-data", "pengumpulan_kominfo.": "diskominfo-walidata",
                "penyimpanan_kominfo.": "diskominfo-walidata", "hitung_indikator": "bappeda-koordinator-data",
                "periksa_lintas_dataset": "bps-pembina-data", "susun_paket": "diskominfo-walidata"}
    cycle = dagbag.dags["desa_cantik_siklus_tahunan"]
    for t in cycle.tasks:
        for prefix, owner in expected.items():
            if t.task_id.startswith(prefix):
                assert t.owner == owner, t.task_id
    assert {t.task_id for t in cycle.tasks} >= {"validasi_bps.gerbang_mutu", "hitung_indikator", "susun_paket"}


def test_hourly_window_guards_every_task(dagbag: DagBag) -> None:
    """Outside the collection window nothing is archived, checked or stored: every task waits for the window."""
    gate = dagbag.dags["desa_cantik_gerbang_masuk"]
    window = gate.get_task("jendela_terbuka")
    assert window.get_flat_relative_ids(upstream=False) == {t.task_id for t in gate.tasks} - {"jendela_terbuka"}


def test_runs_tell_their_story(dagbag: DagBag) -> None:
    """Each batch's review task and the summary end their branches (a skipped review skips nothing else), and
    the triage notes send staff to the pages, not to SQL."""
    for dag in dagbag.dags.values():
        review, last = dag.get_task("validasi_bps.tinjau_penolakan"), dag.get_task("ringkasan")
        assert review.owner == "bps-pembina-data" and review.get_flat_relative_ids(upstream=False) == set(), dag.dag_id
        assert last.get_flat_relative_ids(upstream=False) == set() and last.trigger_rule == "none_failed", dag.dag_id
        assert dag.doc_md and "/desa-cantik/pantau" in dag.doc_md and "tinjau_penolakan" in dag.doc_md, dag.dag_id
        assert "SELECT" not in dag.doc_md.upper(), dag.dag_id


def test_schedules_follow_the_daftar_data(dagbag: DagBag) -> None:
    from airflow.timetables.base import Timetable

    from desa_cantik.config import DaftarData, Settings

    daftar = DaftarData.load(Settings.daftar_data_path())
    cycle = dagbag.dags["desa_cantik_siklus_tahunan"]
    gate = dagbag.dags["desa_cantik_gerbang_masuk"]
    assert isinstance(cycle.timetable, Timetable) and isinstance(gate.timetable, Timetable)  # both are CronTriggerTimetable
    assert daftar.closing_cron() == "59 23 31 3 *"
    assert daftar.closing_cron() in cycle.timetable.summary
    assert daftar.interval_gerbang in gate.timetable.summary


PARSE_PROBE = """
import importlib.util, json, sys, time
import airflow.sdk  # the framework's own import is not the DAG file's cost
t = time.perf_counter()
spec = importlib.util.spec_from_file_location("dagfile", sys.argv[1])
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
elapsed = time.perf_counter() - t
heavy = [m for m in ("great_expectations", "pandas", "openpyxl", "minio", "pyarrow") if m in sys.modules]
print(json.dumps({"seconds": elapsed, "heavy": heavy}))
"""


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_parses_fast_without_heavy_imports(path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "dags")}
    out = subprocess.run([sys.executable, "-c", PARSE_PROBE, str(path)], capture_output=True, text=True, env=env,
                         check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [], result
    assert result["seconds"] < 1.0, result


SHAPE_PROBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
assert not bag.import_errors, bag.import_errors
print(json.dumps(sorted(t.task_id for t in bag.dags["desa_cantik_gerbang_masuk"].tasks)))
"""


@pytest.mark.parametrize(("tingkat", "wilayah", "corrects"),
                         [("kabupaten", "35.07", False), ("provinsi", "35", True), ("pusat", "", True)])
def test_hourly_gate_has_a_correction_task_only_above_kabupaten(tingkat: str, wilayah: str, corrects: bool) -> None:
    """Only a province or the centre republishes when a child's package comes late; a kabupaten/kota's hourly
    run has no task that would always be skipped (each task is a process and a scheduling round)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "dags"), "DESA_CANTIK_TINGKAT": tingkat, "DESA_CANTIK_WILAYAH": wilayah}
    out = subprocess.run([sys.executable, "-c", SHAPE_PROBE, str(ROOT / "dags" / "desa_cantik_gerbang_masuk.py")],
                         capture_output=True, text=True, env=env, check=True, timeout=120)
    tasks = json.loads(out.stdout.strip().splitlines()[-1])
    assert ("koreksi_publikasi" in tasks) is corrects, tasks
    assert {"jendela_terbuka", "validasi_bps.gerbang_mutu", "ringkasan"} <= set(tasks)
