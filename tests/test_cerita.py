"""The run's story: the gate's per-kecamatan table, the review task's skip/success, each pillar's next steps.

Real gate output on one kecamatan (Donomulyo, 10 desa, every error kind) through ``tests/stages.py``, plus
small hand-made frames for what one kecamatan cannot show (several kecamatan, a resubmission, a NIK).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import jinja2
import pandas as pd
import pytest

from desa_cantik.cycle import cerita
from desa_cantik.cycle.coordinate import coordinate
from desa_cantik.cycle.gate import rejections
from desa_cantik.cycle.handoff import Validated
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.cycle.summary import format_summary, summary
from desa_cantik.findings import DITERIMA, DITOLAK, ERROR, STATUS_LABEL
from desa_cantik.regions import desa_table

from . import stages
from .conftest import SMALL_REGION, TAHUN

RUN = "uji__cerita"
SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> tuple[Runtime, list[Validated], str]:
    """The gate and storage on Donomulyo, with what the gate logged at INFO."""
    rt = stages.embedded_with_uploads(tmp_path_factory.mktemp("cerita"), small_generated)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    gate_log = logging.getLogger("desa_cantik.cycle.gate")
    handler, level = Keep(level=logging.INFO), gate_log.level
    gate_log.addHandler(handler)
    gate_log.setLevel(logging.INFO)
    try:
        validated = stages.gate_and_store(rt, RUN)
    finally:
        gate_log.removeHandler(handler)
        gate_log.setLevel(level)
    coordinate(rt)
    return rt, validated, "\n".join(r.getMessage() for r in records if r.levelno == logging.INFO)


def test_gate_logs_a_table_per_kecamatan_with_desa_names_files_verdicts_and_rules(
        gated: tuple[Runtime, list[Validated], str]) -> None:
    rt, _, text = gated
    subs = rt.warehouse.submissions(TAHUN)
    assert "Kecamatan 35.07.01 Donomulyo" in text
    for name in desa_table(SMALL_REGION)["nama_desa"]:
        assert name in text  # every desa sent a file here
    for _, row in subs.iterrows():
        line = next(ln for ln in text.splitlines() if row["nama_berkas"][:35] in ln)
        assert STATUS_LABEL[row["status"]] in line
        if row["status"] == DITOLAK:
            assert re.search(r"\b[A-Z]{3}-[A-Z0-9]+ ×\d+:", line), line  # the rule that rejected it
    assert not SIXTEEN.search(text)


def test_review_task_is_skipped_without_rejections_and_succeeds_with_what_to_fix(
        gated: tuple[Runtime, list[Validated], str], monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    import common.pillars as pillars

    rt, validated, _ = gated
    context: dict[str, object] = {}
    monkeypatch.setattr(pillars, "runtime", lambda: rt)
    monkeypatch.setattr(pillars, "get_current_context", lambda: context)
    review = pillars.tinjau_penolakan.function
    batch = next(v for v in validated if v["status"].get(DITOLAK))
    result = review(batch)
    assert result["berkas_ditolak"] == batch["status"][DITOLAK] == len(result["berkas"])
    assert {s["kecamatan"] for s in result["berkas"]} == {SMALL_REGION}
    assert context["ditolak"] == f" · {batch['status'][DITOLAK]} ditolak"  # the grid's name for the instance
    with pytest.raises(AirflowSkipException):
        review({**batch, "status": {DITERIMA: 3}})
    refused: Validated = {"versi_serah": 1, "kelompok": "paket-35.07-x", "bundel": "-", "status": {DITOLAK: 1},
                          "alasan": {"35.07-x": "tanda tangan salah"}}
    assert "Paket 35.07-x ditolak: tanda tangan salah" in cerita.format_rejections(review(refused))


def test_rejections_say_what_to_fix_and_where_the_reports_are(gated: tuple[Runtime, list[Validated], str]) -> None:
    rt, validated, _ = gated
    batch = next(v for v in validated if v["status"].get(DITOLAK))
    text = cerita.format_rejections(rejections(rt, batch))
    assert "Kecamatan 35.07.01 Donomulyo" in text and cerita.PAGE_PANTAU in text
    assert re.search(r"^\s+[A-Z]{3}-[A-Z0-9]+ ×\d+: .+", text, re.MULTILINE)
    assert not SIXTEEN.search(text)


def test_summary_names_the_kecamatan_and_desa_to_coach_and_each_pillars_steps(
        gated: tuple[Runtime, list[Validated], str]) -> None:
    rt, _, _ = gated
    s = summary(rt)
    steps = s["langkah_berikut"]
    subs = rt.warehouse.submissions(TAHUN)
    rejected = subs[subs["status"] == DITOLAK]
    coach = steps["bps"]["kecamatan"]
    assert [c["kecamatan"] for c in coach] == [SMALL_REGION]
    names = dict(zip(desa_table(SMALL_REGION)["kode_desa"], desa_table(SMALL_REGION)["nama_desa"], strict=True))
    assert set(coach[0]["desa"]) == {names[p] for p in rejected["pengirim"] if p in names}
    assert steps["bps"]["aturan"] and all(r["keparahan"] == ERROR for r in steps["bps"]["aturan"])
    assert steps["diskominfo"]["berkas_ditolak"] == len(rejected)
    text = format_summary(s)
    for part in ("Langkah berikut", "BPS (pembina data)", "Diskominfo (walidata)", "Bappeda (koordinator data)",
                 "Kecamatan 35.07.01 Donomulyo", cerita.PAGE_INDIKATOR, "persetujuan_bappeda"):
        assert part in text, part
    assert not SIXTEEN.search(text)


# --- pure functions on hand-made frames ------------------------------------------------------------------


def _subs(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(sha256, pengirim, dataset, nama_berkas, status), arriving in list order."""
    return pd.DataFrame([{"sha256": s, "pengirim": p, "dataset": d, "nama_berkas": n, "status": st,
                          "diterima_pada": f"2026-02-{i + 1:02d}T00:00:00+00:00"} for i, (s, p, d, n, st) in enumerate(rows)])


def _issues(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(sha256, pengirim, dataset, aturan, pesan): errors."""
    return pd.DataFrame([{"sha256_berkas": s, "pengirim": p, "dataset": d, "aturan": a, "keparahan": ERROR, "pesan": m}
                         for s, p, d, a, m in rows])


def test_table_groups_by_kecamatan_and_masks_a_nik() -> None:
    nik = "3507012345678901"
    subs = _subs([("a", "35.07.02.2001", "kependudukan", f"data_{nik}.csv", DITOLAK),
                  ("b", "35.07.01.2001", "fasilitas", "f.csv", DITERIMA),
                  ("c", "35.07.01.2002", "fasilitas", "g.csv", DITOLAK),
                  ("d", "35.07-DINKES", "kesehatan_anak", "dinkes.xlsx", DITERIMA),
                  ("e", nik, nik, "x.csv", DITOLAK)])  # a sender's own folder names: anything
    issues = _issues([("a", "35.07.02.2001", "kependudukan", "STR-NIK", f"Baris 3: kolom nik berisi {nik}"),
                      ("c", "35.07.01.2002", "fasilitas", "FAS-01", "Baris 4: kolom jumlah_sd bernilai -1")])
    text = cerita.gate_table("35.07.01_35.07.02", cerita.file_stories(subs, issues))
    assert not SIXTEEN.search(text)
    assert not SIXTEEN.search(cerita.format_rejections(cerita.rejections("k", cerita.file_stories(subs, issues))))
    sections = [ln for ln in text.splitlines() if ln.startswith(("Kecamatan", "OPD"))]
    assert [s.split(":")[0] for s in sections] == ["Kecamatan 35.07.01 Donomulyo", "Kecamatan 35.07.02 Pagak", "OPD dan BPS"]
    donomulyo = text.split("Kecamatan 35.07.02")[0]
    assert donomulyo.index("g.csv") < donomulyo.index("f.csv")  # rejected first
    assert "FAS-01 ×1: kolom jumlah_sd bernilai -1" in text  # the row prefix dropped: the report has rows


def test_a_resubmission_closes_a_rejection_and_missing_senders_are_counted() -> None:
    subs = _subs([("a", "35.07.01.2001", "fasilitas", "f.csv", DITOLAK),
                  ("b", "35.07.01.2001", "fasilitas", "f2.csv", DITERIMA),
                  ("c", "35.07.03.2001", "fasilitas", "g.csv", DITOLAK)])
    issues = _issues([("a", "35.07.01.2001", "fasilitas", "FAS-01", "x"), ("c", "35.07.03.2001", "fasilitas", "FAS-02", "y")])
    bps = cerita.bps_steps(subs, issues)
    assert [k["kecamatan"] for k in bps["kecamatan"]] == ["35.07.03"]
    assert [r["aturan"] for r in bps["aturan"]] == ["FAS-02"]
    k = cerita.kominfo_steps(subs, {"fasilitas": ["35.07.01.2001", "35.07.03.2001", "35.07.03.2002"]},
                             {"kesehatan_anak": ["35.07-DINKES"]}, 5, [])
    assert k["desa_belum_mengirim"] == {"fasilitas": 1} and k["belum_per_kecamatan"] == {"35.07.03": 1}
    assert k["dataset_opd_belum"] == ["kesehatan_anak (35.07-DINKES)"] and k["berkas_ditolak"] == 1


def test_low_coverage_indicators_lowest_first() -> None:
    ind = pd.DataFrame([{"tingkat": "kabupaten", "indikator": "a", "desa_kontribusi": 390, "desa_total": 390},
                        {"tingkat": "kabupaten", "indikator": "b", "desa_kontribusi": 300, "desa_total": 390},
                        {"tingkat": "kabupaten", "indikator": "c", "desa_kontribusi": 363, "desa_total": 390},
                        {"tingkat": "kecamatan", "indikator": "a", "desa_kontribusi": 1, "desa_total": 10}])
    low = cerita.bappeda_steps(ind, "kabupaten", None)["cakupan_rendah"]
    assert [(x["indikator"], x["cakupan_persen"]) for x in low] == [("b", 76.9), ("c", 93.1)]


def test_a_batch_is_named_with_its_rejected_count_once_run() -> None:
    from common.pillars import NAME_WITH_REJECTED

    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(NAME_WITH_REJECTED.format(arg="validated"))
    task = {"op_kwargs": {"validated": {"kelompok": "35.07.01_35.07.09"}}}
    assert template.render(task=task) == "35.07.01_35.07.09"  # before the task runs
    assert template.render(task=task, ditolak=" · 7 ditolak") == "35.07.01_35.07.09 · 7 ditolak"
