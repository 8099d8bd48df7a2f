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
from ..pii import mask_text
from ..quality import GateContext, Verdict, reference_specs, validate_batch
from ..regions import desa_table, is_within, normalise_code
from ..storage import get_many, layout, put_many, to_json_text
from . import bundle as b
from . import cerita
from .handoff import PACKAGE, ArchivedFile, Collected, CollectedFiles, Validated

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger(__name__)
# GX narrates its own import and runs at INFO (hundreds of lines per batch); the task log is for the verdicts
logging.getLogger("great_expectations").setLevel(logging.WARNING)
Checked = tuple[ArchivedFile, Verdict]
SUMMARY_COLUMNS = ["run_id", "dataset", "tahun", "kode_desa", "aturan", "keparahan", "tingkat", "jumlah", "sha256_berkas"]


def gate_context(rt: Runtime, with_references: bool = True) -> GateContext:
    desa = desa_table(rt.wilayah)["kode_desa"].tolist()
    refs = load_references(rt) if with_references else None
    return GateContext(rt.tahun, desa, rt.daftar.kode_opd(rt.wilayah[:5]), refs)


def load_references(rt: Runtime) -> dict[str, pd.DataFrame]:
    """Reference columns the suites ask for, from what the warehouse holds now (absent -> rule skipped)."""
    refs: dict[str, pd.DataFrame] = {}
    for ds in rt.daftar.datasets:
        for spec in reference_specs(ds):
            frame = rt.warehouse.reference(spec.dataset, spec.kolom, rt.tahun + spec.selisih_tahun)
            if len(frame):
                refs[spec.kolom_rujukan] = frame
    return refs


def sender_problem(rt: Runtime, dataset: str, pengirim: str) -> str | None:
    """Why this sender may not submit this dataset here (None: allowed), per the Daftar Data's producers."""
    if dataset not in rt.daftar.datasets:
        return (f"Dataset '{dataset}' tidak ada di Daftar Data tahun {rt.tahun}. Kirim ke folder dataset yang benar: "
                + ", ".join(rt.daftar.datasets) + ".")
    producer = get_dataset(dataset).produsen
    if producer == "pemerintah_desa":
        kode = normalise_code(pengirim)
        if not kode or kode.count(".") != 3 or not is_within(kode, rt.wilayah):
            return f"Pengirim '{pengirim}' bukan desa/kelurahan di wilayah {rt.wilayah}."
    elif producer == "opd":
        allowed = rt.daftar.pengirim_opd(dataset, rt.wilayah[:5])
        if pengirim.upper() not in allowed:
            return (f"Pengirim '{pengirim}' bukan produsen dataset {dataset} menurut Daftar Data "
                    f"(yang berhak: {', '.join(allowed)}).")
    elif producer == "bps" and pengirim.upper() != "BPS":
        return f"Dataset {dataset} hanya dikirim oleh BPS, bukan '{pengirim}'."
    return None


def sender_region(rt: Runtime, dataset: str, pengirim: str) -> str:
    """The area a sender's rows must lie in: its own desa for a village operator, the tier's region otherwise."""
    if dataset in rt.daftar.datasets and get_dataset(dataset).produsen == "pemerintah_desa":
        return normalise_code(pengirim) or pengirim
    return rt.wilayah


def validate_collected(rt: Runtime, collected: Collected, run_id: str) -> Validated:
    """Run the gate on a collected batch: village/agency files, or a child tier's package."""
    if collected["jenis"] == PACKAGE:
        from .packages import validate_packages

        return validate_packages(rt, collected, run_id)
    return validate_files(rt, collected, run_id)


INTERNAL = ("Berkas tidak dapat diproses karena gangguan di server ({kind}). Berkas sudah disimpan dan akan "
            "diperiksa petugas; tidak perlu dikirim ulang kecuali diminta.")


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
        return Submission.unreadable(spec, prov, INTERNAL.format(kind=type(exc).__name__))


def _judge_isolated(subs: list[Submission], ctx: GateContext, senders: list[str],
                    results: dict[str, object]) -> list[Verdict]:
    """One GX run for the dataset's files; if it fails, each file alone, and a file that still fails is refused."""
    try:
        return validate_batch(subs, ctx, senders, results=results)
    except Exception:
        log.exception("gerbang gagal untuk %d berkas %s; diperiksa satu per satu", len(subs), subs[0].dataset.nama)
    verdicts = []
    for sub, sender in zip(subs, senders, strict=True):
        try:
            verdicts += validate_batch([sub], ctx, [sender])
        except Exception as exc:
            log.exception("gerbang gagal untuk %s", sub.provenance.object_key)
            refused = Submission.unreadable(sub.dataset, sub.provenance, INTERNAL.format(kind=type(exc).__name__))
            verdicts += validate_batch([refused], ctx, [sender])
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
        checked += list(zip(group, _judge_isolated(subs, ctx, senders, results), strict=True))
    put_many(rt.store, _reports(checked))
    datadocs.publish(rt.store, datadocs.RunDocs(rt.tahun, run_id, collected["kelompok"], rt.settings.tingkat, rt.wilayah),
                     results, checked)
    staged = b.Staging.for_batch(rt.store, rt.tahun, run_id, collected["kelompok"])
    bundle = verdict_frames(rt.tahun, checked, run_id)
    staged.write(bundle)
    # the task log staff read: per kecamatan, each desa's file, verdict and rules broken (names, never a NIK)
    log.info("%s", cerita.gate_table(collected["kelompok"], cerita.file_stories(bundle.submissions, bundle.issues)))
    return {"kelompok": collected["kelompok"], "bundel": staged.prefix,
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
