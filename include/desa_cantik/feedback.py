"""Feedback for village operators, in Indonesian: the same report as text (pre-check CLI), JSON and HTML."""

from __future__ import annotations

import html
import json

from .findings import ERROR, INFO, WARNING, Issue
from .intake import LEMBAR_KE
from .intake.canonical import ProvenanceJson
from .kosakata import DITOLAK, STATUS_LABEL
from .quality import FILE_LEVEL, Verdict, VerdictJson

_SEVERITY_ID = {ERROR: "GALAT", WARNING: "PERINGATAN", INFO: "CATATAN"}


class ReportJson(VerdictJson):
    """The stored JSON report of a file: the verdict's machine form, its label, the dataset and the file."""

    verdict: str
    dataset: str
    berkas: ProvenanceJson


def report_json(verdict: Verdict) -> ReportJson:
    """The machine form: the pre-check's ``--json`` contract plus provenance."""
    out = verdict.to_json()
    names = verdict.submission.lembar
    if names:  # several sheets: each issue's row on its sheet, and the sheet's name
        for issue in out["issues"]:
            k, n = divmod(issue["row"], LEMBAR_KE) if issue["row"] else (0, issue["row"])
            issue["row"], issue["sheet"] = n, names[k] if k < len(names) else None
    return {
        **out,
        "verdict": STATUS_LABEL[verdict.status],
        "dataset": verdict.submission.dataset.nama,
        "berkas": verdict.submission.provenance.to_json(),
    }


def report_text(verdict: Verdict) -> str:
    p = verdict.submission.provenance
    counts = {s: sum(1 for i in verdict.issues if i.keparahan == s) for s in (ERROR, WARNING, INFO)}
    lines = [
        f"Laporan pemeriksaan berkas: {p.nama_berkas}",
        f"Dataset          : {verdict.submission.dataset.nama}",
        f"SHA-256          : {p.sha256}",
        f"Keputusan        : {STATUS_LABEL[verdict.status].upper()}",
        f"Baris dibaca     : {verdict.rows_read}",
        f"Baris diterima   : {verdict.rows_accepted}",
        f"Baris ditolak    : {verdict.rows_read - verdict.rows_accepted}",
        f"Galat / peringatan / catatan: {counts[ERROR]} / {counts[WARNING]} / {counts[INFO]}",
    ]
    if verdict.issues:
        lines.append("")
        lines.append("Yang perlu diperbaiki atau diperiksa:")
    for i in verdict.issues:
        where = ", ".join(x for x in (_row(verdict, i), f"kolom {i.kolom}" if i.kolom else "") if x)
        head = f"- [{_SEVERITY_ID[i.keparahan]} {i.aturan}]" + (f" ({where})" if where else "")
        lines.append(f"{head} {i.pesan}")
        if i.keparahan != INFO and (i.nilai is not None or i.diharapkan):
            lines.append(f"    ditemukan: {i.nilai if i.nilai is not None else '-'}; seharusnya: {i.diharapkan or '-'}")
    if any(i.keparahan == WARNING and (i.tingkat or 0) > FILE_LEVEL for i in verdict.issues):
        lines += ["", "Peringatan tingkat 2-4 membandingkan dengan data lain (tahun lalu, proyeksi BPS, dataset lain);",
                  "keputusan tidak berubah karenanya. Periksa kembali angkanya dan kirim ulang bila memang keliru."]
    if verdict.status == DITOLAK:
        lines += ["", "Perbaiki galat di atas lalu kirim ulang berkas. Berkas yang baru menggantikan yang lama."]
    return "\n".join(lines) + "\n"


def _row(verdict: Verdict, issue: Issue) -> str:
    """``baris 7``; on a sheet past the first of several read, ``lembar 'Desa B', baris 7``."""
    return verdict.submission.tempat(issue.baris) if issue.baris else ""


def report_html(verdict: Verdict) -> str:
    p = verdict.submission.provenance
    rows = "\n".join(
        "<tr class='{cls}'><td>{sev}</td><td>{rule}</td><td>{row}</td><td>{col}</td><td>{val}</td><td>{exp}</td>"
        "<td>{msg}</td></tr>".format(
            cls=i.keparahan, sev=_SEVERITY_ID[i.keparahan], rule=html.escape(i.aturan),
            row=html.escape(_row(verdict, i).removeprefix("baris ")),
            col=html.escape(i.kolom or ""), val=html.escape(i.nilai or ""), exp=html.escape(i.diharapkan or ""),
            msg=html.escape(i.pesan))
        for i in verdict.issues
    )
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan {html.escape(p.nama_berkas)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px 8px}}tr.error{{background:#fde2e2}}tr.warning{{background:#fff4d6}}.v{{font-size:1.4em}}</style></head>
<body><h1>Laporan pemeriksaan berkas</h1>
<p class="v">Keputusan: <b>{STATUS_LABEL[verdict.status].upper()}</b></p>
<p>Berkas: {html.escape(p.nama_berkas)} &middot; dataset {html.escape(verdict.submission.dataset.nama)} &middot;
diterima {p.diterima_pada.isoformat()} &middot; SHA-256 <code>{p.sha256}</code></p>
<p>Baris dibaca {verdict.rows_read}, diterima {verdict.rows_accepted},
ditolak {verdict.rows_read - verdict.rows_accepted}.</p>
<table><tr><th>Jenis</th><th>Aturan</th><th>Baris</th><th>Kolom</th><th>Ditemukan</th><th>Seharusnya</th>
<th>Pesan</th></tr>
{rows}
</table></body></html>
"""


def reports(verdict: Verdict) -> dict[str, str]:
    """The three forms kept beside a file (``layout.REPORT_FORMATS``): by the gate, and by the Kirim data page."""
    return {"json": dumps(report_json(verdict)), "html": report_html(verdict), "txt": report_text(verdict)}


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
