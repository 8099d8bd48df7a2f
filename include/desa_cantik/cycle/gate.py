"""Stage 2, pembina (BPS): the quality gate on a collected batch, and the operator's reports.

Every file gets a verdict and a report beside its archived copy; the rows, the registry entry, the
findings and the quarantined rows go to storage as one bundle. Files of a dataset are checked together
(one GX run per dataset and batch), each judged on its own rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import datadocs, feedback
from ..datasets import Dataset, get_dataset
from ..findings import ERROR, WARNING, Issue
from ..intake import ROW, Provenance, Submission, read_submission
from ..isolation import internal_error, judge_isolated
from ..pengirim import sender_problem, sender_region
from ..pii import mask_text
from ..quality import GateContext, Verdict, validate_batch
from ..storage import get_many, layout, put_many, to_json_text
from . import bundle as b
from . import cerita
from .checks import SUMMARY_COLUMNS, count_by_rule, gate_context
from .handoff import VALIDASI, ArchivedFile, Collected, CollectedFiles, Validated

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)
# GX narrates its own import and runs at INFO (hundreds of lines per batch); the task log is for the verdicts
logging.getLogger("great_expectations").setLevel(logging.WARNING)
Checked = tuple[ArchivedFile, Verdict]


def validate_collected(rt: Runtime, collected: Collected, run_id: str) -> Validated:
    """Run the gate on a collected batch: village/agency files, or a child tier's packages (the tier's policy)."""
    return rt.tier.validate(rt, collected, run_id)


def _read(rt: Runtime, f: ArchivedFile, data: bytes, spec: Dataset) -> Submission:
    """One file as a submission; whatever goes wrong becomes that file's reason, never the batch's failure."""
    prov = Provenance(f["kunci_masuk"], f["nama_berkas"], f["ukuran"], f["sha256"],
                      datetime.fromisoformat(f["diterima_pada"]))
    if f["dataset"] == layout.UNKNOWN:
        return Submission.unreadable(spec, prov, f"Berkas diletakkan di luar susunan kotak masuk ('{f['kunci_masuk'][:200]}'). "
                                       f"Kirim ulang ke masuk/{rt.tahun}/{{dataset}}/{{pengirim}}/{{nama berkas}}.")
    problem = sender_problem(rt, f["dataset"], f["pengirim"])
    if problem:
        return Submission.unreadable(spec, prov, problem)
    try:
        return read_submission(data, spec, prov, rt.tahun, rt.daftar.batas)
    except Exception as exc:  # a reader bug must not cost the other files of the batch their verdicts
        log.exception("membaca %s gagal", f["kunci_arsip"])
        return Submission.unreadable(spec, prov, internal_error(exc))


def _judge(subs: list[Submission], ctx: GateContext, senders: list[str], results: dict[str, object],
           codes: list[str]) -> list[Verdict]:
    """One GX run for the dataset's files; if it breaks, each file alone, and a file that still breaks is refused.
    ``senders``: the area each file's rows must lie in; ``codes``: each file's sender (its inbox folder)."""
    triples = list(zip(subs, senders, codes, strict=True))

    def refuse(one: tuple[Submission, str, str], message: str) -> Verdict:
        sub, sender, code = one
        return validate_batch([Submission.unreadable(sub.dataset, sub.provenance, message)], ctx, [sender],
                              kode_pengirim=[code])[0]

    verdicts = judge_isolated(triples, lambda t: validate_batch([t[0]], ctx, [t[1]], kode_pengirim=[t[2]])[0], refuse,
                              together=lambda _: validate_batch(subs, ctx, senders, results=results, kode_pengirim=codes),
                              what=f"berkas {subs[0].dataset.nama}", name=lambda t: t[0].provenance.object_key)
    for v in verdicts:
        v.issues = v.submission.named(v.issues)  # a row past the first sheet read: its sheet and row
    return verdicts


def validate_files(rt: Runtime, collected: CollectedFiles, run_id: str) -> Validated:
    files = collected["berkas"]
    datas = dict(zip([f["kunci_arsip"] for f in files], get_many(rt.store, [f["kunci_arsip"] for f in files]),
                     strict=True))
    ctx = gate_context(rt)
    by_dataset: dict[str, list[ArchivedFile]] = {}
    for f in files:
        by_dataset.setdefault(f["dataset"], []).append(f)
    checked: list[Checked] = []
    results: dict[str, object] = {}  # each dataset's GX result: its Data Docs page is drawn with the verdicts
    for dataset, group in by_dataset.items():
        spec = get_dataset(dataset if dataset in rt.daftar.datasets else rt.daftar.datasets[0])
        subs = [_read(rt, f, datas[f["kunci_arsip"]], spec) for f in group]
        senders = [sender_region(rt, dataset, f["pengirim"]) for f in group]
        checked += list(zip(group, _judge(subs, ctx, senders, results, [f["pengirim"] for f in group]), strict=True))
    put_many(rt.store, _reports(checked))
    datadocs.publish(rt.store, datadocs.RunDocs(rt.tahun, run_id, collected["kelompok"], rt.settings.tingkat, rt.wilayah),
                     results, checked)
    staged = b.Staging.for_batch(rt.store, rt.tahun, run_id, collected["kelompok"])
    bundle = verdict_frames(rt.tahun, checked, run_id)
    staged.write(bundle)
    # the task log staff read: per kecamatan, each desa's file, verdict and rules broken (names, never a NIK)
    log.info("%s", cerita.gate_table(collected["kelompok"], cerita.file_stories(bundle.submissions, bundle.issues)))
    return {"versi_serah": VALIDASI.tulis, "kelompok": collected["kelompok"], "bundel": staged.prefix,
            "status": dict(Counter(v.status for _, v in checked))}


def rejections(rt: Runtime, validated: Validated) -> cerita.Rejections:
    """A gated batch's rejected files with their rules (read back from its bundle), or its refused package."""
    if "alasan" in validated:  # child tiers' packages: each refused one's reason travels in the hand-off
        return cerita.rejections(validated["kelompok"], [], validated["alasan"])
    bundle = b.Staging(rt.store, validated["bundel"]).read()
    stories = cerita.file_stories(bundle.submissions, bundle.issues) if isinstance(bundle, b.FileBundle) else []
    return cerita.rejections(validated["kelompok"], stories)


def _reports(checked: list[Checked]) -> list[tuple[str, bytes]]:
    """The operator's report beside each archived file, as JSON, HTML and text (the pre-check's text)."""
    return [(layout.report_key(f["kunci_arsip"], fmt), text.encode())
            for f, v in checked for fmt, text in feedback.reports(v).items()]


# --- verdicts as the warehouse's rows --------------------------------------------------------------


def issue_rows(f: ArchivedFile, v: Verdict, tahun: int) -> list[dict[str, object]]:
    return [{"sha256_berkas": f["sha256"], "dataset": f["dataset"], "tahun": tahun, "pengirim": f["pengirim"],
             "baris": i.baris, "kolom": i.kolom, "aturan": i.aturan, "keparahan": i.keparahan, "tingkat": i.tingkat,
             "pesan": i.pesan, "nilai": i.nilai, "diharapkan": i.diharapkan} for i in v.issues]


def _submission_row(f: ArchivedFile, v: Verdict, tahun: int, run_id: str) -> dict[str, object]:
    return {"kunci_masuk": f["kunci_masuk"], "sha256": f["sha256"], "dataset": f["dataset"], "pengirim": f["pengirim"],
            "kunci_arsip": f["kunci_arsip"], "nama_berkas": f["nama_berkas"], "ukuran": f["ukuran"],
            "diterima_pada": f["diterima_pada"], "tahun": tahun, "status": v.status, "baris_dibaca": v.rows_read,
            "baris_diterima": v.rows_accepted, "baris_ditolak": v.rows_read - v.rows_accepted,
            "kunci_laporan": layout.report_key(f["kunci_arsip"], "json"), "run_id": run_id}


def _accepted_rows(files: list[Checked]) -> pd.DataFrame:
    """A dataset's accepted rows of every file, with each row's file, line and arrival: one concat, not one per file."""
    lines = []
    for _, v in files:
        table = v.submission.table
        kept = table[ROW].to_numpy() if v.rejected.empty else table.loc[~table[ROW].isin(v.rejected[ROW]), ROW].to_numpy()
        lines.append(kept)
    rows = pd.concat([v.accepted for _, v in files], ignore_index=True)
    counts = [len(v.accepted) for _, v in files]
    rows["baris_berkas"] = np.concatenate(lines)
    rows["sha256_berkas"] = np.repeat(np.array([f["sha256"] for f, _ in files], dtype=object), counts)
    rows["diterima_pada"] = np.repeat(np.array([f["diterima_pada"] for f, _ in files], dtype=object), counts)
    return rows


def _reasons(issues: list[Issue]) -> tuple[dict[int, list[str]], list[str]]:
    """Error messages per row, and those about the whole file."""
    per_row: dict[int, list[str]] = {}
    whole: list[str] = []
    for i in issues:
        if i.keparahan != ERROR:
            continue
        if i.baris is None:
            whole.append(f"{i.aturan}: {i.pesan}")
        else:
            per_row.setdefault(i.baris, []).append(f"{i.aturan}: {i.pesan}")
    return per_row, whole


def _quarantine_rows(f: ArchivedFile, v: Verdict, tahun: int) -> list[dict[str, object]]:
    """Rejected rows as read, with every reason; a file that cannot be read is kept whole as one entry."""
    if v.submission.readable and v.rejected.empty:  # most files: nothing to keep, nothing to index
        return []
    per_row, whole = _reasons(v.issues)
    raw = v.submission.raw.set_index(ROW) if len(v.submission.raw) else None
    out: list[dict[str, object]] = []
    for _, row in v.rejected.iterrows():
        n = int(row[ROW])
        raw_row = raw.loc[n].to_dict() if raw is not None and n in raw.index else {}
        kode = row.get("kode_desa")
        out.append({"sha256_berkas": f["sha256"], "baris": n, "dataset": f["dataset"], "tahun": tahun,
                    "kode_desa": kode if isinstance(kode, str) else None, "isi": mask_text(to_json_text(raw_row)),
                    "alasan": " | ".join(per_row.get(n, []) + whole)})
    if not v.submission.readable:
        out.append({"sha256_berkas": f["sha256"], "baris": 0, "dataset": f["dataset"], "tahun": tahun,
                    "kode_desa": None,  # the file as named and sized (its keys carry arrival times, the registry has them)
                    "isi": to_json_text({"nama_berkas": mask_text(f["nama_berkas"]), "ukuran": f["ukuran"]}),
                    "alasan": " | ".join(whole)})
    return out


def verdict_frames(tahun: int, checked: list[Checked], run_id: str) -> b.FileBundle:
    """The bundle for storage: registry rows, findings, quarantine, rule summary, accepted rows per dataset."""
    accepted: dict[str, list[Checked]] = {}
    subs, issues, quarantine = [], [], []
    for f, v in checked:
        subs.append(_submission_row(f, v, tahun, run_id))
        issues += issue_rows(f, v, tahun)
        quarantine += _quarantine_rows(f, v, tahun)
        if v.rows_accepted:
            accepted.setdefault(f["dataset"], []).append((f, v))
    issue_frame = pd.DataFrame(issues)
    return b.FileBundle(pd.DataFrame(subs), issue_frame, pd.DataFrame(quarantine), summarise(issue_frame, run_id, checked),
                        {ds: _accepted_rows(files) for ds, files in accepted.items()})


def summarise(issues: pd.DataFrame, run_id: str, checked: list[Checked]) -> pd.DataFrame:
    """Rule counts per (file, desa, rule) for errors and warnings: the auditor's one-query table."""
    if issues.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    issues = issues[issues["keparahan"].isin([ERROR, WARNING])]
    desa_of: dict[tuple[str, int], str] = {}
    sender_of: dict[str, str] = {}
    for f, v in checked:
        sender_of[f["sha256"]] = f["pengirim"]
        t = v.submission.table
        if "kode_desa" in t:
            desa_of.update({(f["sha256"], int(r)): k for r, k in zip(t[ROW], t["kode_desa"], strict=True)
                            if isinstance(k, str)})
    return count_by_rule(issues, desa_of, sender_of, run_id)
