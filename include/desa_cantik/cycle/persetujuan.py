"""Bappeda's approval before publishing: what Bappeda sees, and the decision as a record.

The approval step (``persetujuan_bappeda``, a human-in-the-loop task) shows this summary: the tier's own
indicators with their coverage, coverage per source, and the findings still open (senders whose newest
file is rejected, rules hit, children that have not delivered). Every decision (approved, rejected, or no
answer in time) is kept as JSON in the object store under ``persetujuan/{tahun}/{kode}/{waktu}-{hasil}.json``,
with who decided, when and why, so an auditor finds it beside the packages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from ..storage import layout  # stdlib only: the DAG file imports this module's option labels at parse time

if TYPE_CHECKING:
    from .runtime import Runtime

SETUJUI = "Setujui"  # the options Bappeda sees
TOLAK = "Tolak"  # also the default taken when the time runs out
DISETUJUI: Literal["disetujui"] = "disetujui"
DITOLAK_BAPPEDA: Literal["ditolak"] = "ditolak"
APPROVALS = "persetujuan"  # object-store prefix of the decisions (see layout.py's list)
TOP = 10  # rows of each list in the summary: enough to decide, short enough to read


class IndikatorRingkas(TypedDict):
    indikator: str
    nilai: float | None
    satuan: str
    desa_kontribusi: int
    desa_total: int


class CakupanRingkas(TypedDict):
    sumber: str  # a dataset at a kabupaten/kota; the children's components above
    desa_kontribusi: int
    desa_total: int


class TemuanRingkas(TypedDict):
    aturan: str
    keparahan: str
    jumlah: int


class RingkasanPersetujuan(TypedDict):
    """What Bappeda sees before deciding (JSON: it is also the task's record)."""

    tahun: int
    tingkat: str
    kode_wilayah: str
    nama_wilayah: str
    indikator: list[IndikatorRingkas]
    cakupan: list[CakupanRingkas]
    ditolak_belum_diperbaiki: dict[str, list[str]]  # dataset -> senders whose newest file is rejected
    temuan: list[TemuanRingkas]  # rules hit (error, warning), most first
    belum_mengirim: list[str]  # children without an accepted package (provinsi/pusat)


class Keputusan(TypedDict):
    """Bappeda's decision on one run (XCom ``keputusan`` of persetujuan_bappeda, and the stored record)."""

    keputusan: Literal["disetujui", "ditolak"]
    oleh: str  # the user who answered; empty when the time ran out
    pada: str  # ISO-8601 UTC
    alasan: str
    batas_waktu_habis: bool
    run_id: str


def approval_summary(rt: Runtime) -> RingkasanPersetujuan:
    """The summary from the warehouse, for the tier's own area (its indicators are what goes upward)."""
    from ..findings import DITOLAK, ERROR, WARNING
    from .publication import coverage

    ind = rt.warehouse.indicators(rt.tahun)
    own = ind[ind["kode_wilayah"] == rt.wilayah].sort_values("indikator")
    cov = coverage(rt)
    top = cov[cov["kode_wilayah"] == rt.wilayah] if (cov["kode_wilayah"] == rt.wilayah).any() else cov
    per_source = top.groupby("sumber", sort=True)[["desa_kontribusi", "desa_total"]].sum()
    subs = rt.warehouse.submissions(rt.tahun)
    newest = subs.sort_values("diterima_pada").groupby(["dataset", "pengirim"]).tail(1)
    rejected = newest[newest["status"] == DITOLAK]
    found = rt.warehouse.validation_summary(rt.tahun)
    found = found[found["keparahan"].isin([ERROR, WARNING])]
    rules = (found.groupby(["aturan", "keparahan"], as_index=False)["jumlah"].sum()
             .sort_values(["jumlah", "aturan"], ascending=[False, True]).head(TOP))
    sent = rt.tier.deliveries(rt)
    return {
        "tahun": rt.tahun,
        "tingkat": rt.settings.tingkat,
        "kode_wilayah": rt.wilayah,
        "nama_wilayah": str(own["nama_wilayah"].iloc[0]) if len(own) else (rt.wilayah or "Indonesia"),
        "indikator": [{"indikator": str(r.indikator), "nilai": None if r.nilai != r.nilai else float(r.nilai),
                       "satuan": str(r.satuan), "desa_kontribusi": int(r.desa_kontribusi),
                       "desa_total": int(r.desa_total)} for r in own.itertuples()],
        "cakupan": [{"sumber": str(s), "desa_kontribusi": int(r.desa_kontribusi), "desa_total": int(r.desa_total)}
                    for s, r in per_source.iterrows()],
        "ditolak_belum_diperbaiki": {str(ds): sorted(map(str, g["pengirim"]))
                                     for ds, g in rejected.groupby("dataset", sort=True)},
        "temuan": [{"aturan": str(r.aturan), "keparahan": str(r.keparahan), "jumlah": int(r.jumlah)}
                   for r in rules.itertuples()],
        "belum_mengirim": sorted(map(str, sent.loc[~sent["terkirim"].astype(bool), "kode_wilayah"])) if len(sent) else [],
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "–"


def _number(v: float | None) -> str:
    """Indonesian digits: 1.234,56."""
    if v is None:
        return "–"
    text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return text.translate(str.maketrans(",.", ".,"))


def approval_markdown(s: RingkasanPersetujuan, batas_jam: float) -> str:
    """The request's body for Bappeda (Markdown, Indonesian): enough to decide without opening anything."""
    lines = [f"Paket data Desa Cantik **{s['tahun']}** untuk **{s['nama_wilayah']}** ({s['kode_wilayah'] or 'nasional'}, "
             f"tingkat {s['tingkat']}) siap diterbitkan dan dikirim ke tingkat di atas. Mohon periksa lalu pilih "
             "**Setujui** atau **Tolak** (isi alasannya).", "", "### Cakupan data", "",
             "| sumber | desa dengan data | desa seluruhnya | cakupan |", "|---|---:|---:|---:|"]
    lines += [f"| {c['sumber']} | {c['desa_kontribusi']} | {c['desa_total']} | {_pct(c['desa_kontribusi'], c['desa_total'])} |"
              for c in s["cakupan"]]
    lines += ["", "### Indikator", "", "| indikator | nilai | satuan | desa dihitung |", "|---|---:|---|---:|"]
    lines += [f"| {i['indikator']} | {_number(i['nilai'])} | {i['satuan']} | {i['desa_kontribusi']} dari {i['desa_total']} |"
              for i in s["indikator"]] or ["| (belum ada indikator) | | | |"]
    lines += ["", "### Temuan yang masih terbuka", ""]
    open_files = s["ditolak_belum_diperbaiki"]
    if open_files:
        for ds, senders in open_files.items():
            shown = ", ".join(senders[:TOP]) + (f", … (+{len(senders) - TOP})" if len(senders) > TOP else "")
            lines.append(f"- **{ds}**: {len(senders)} pengirim dengan berkas terakhir *ditolak*: {shown}")
    else:
        lines.append("- Tidak ada berkas ditolak yang belum diperbaiki.")
    if s["belum_mengirim"]:
        lines.append(f"- **Belum mengirim paket** ({len(s['belum_mengirim'])}): {', '.join(s['belum_mengirim'][:TOP * 3])}")
    if s["temuan"]:
        lines += ["", "| aturan | keparahan | jumlah |", "|---|---|---:|"]
        lines += [f"| {t['aturan']} | {t['keparahan']} | {t['jumlah']} |" for t in s["temuan"]]
    lines += ["", f"Tanpa jawaban dalam {batas_jam:g} jam paket **tidak** diterbitkan (dicatat sebagai ditolak karena "
              "batas waktu). Rincian per desa: halaman *Desa Cantik: Pantau Siklus* dan *Temuan*."]
    return "\n".join(lines)


def rejected_without_reason(event: Mapping[str, Any]) -> bool:
    """A person chose Tolak and left the reason empty: not accepted (the request is asked again)."""
    reason = str((event.get("params_input") or {}).get("alasan") or "").strip()
    return TOLAK in (event.get("chosen_options") or []) and not reason and not event.get("timedout", False)


def decision_from_event(event: Mapping[str, Any], run_id: str) -> Keputusan:
    """The decision from the human-in-the-loop resume event (a person's answer, or the timeout default)."""
    chosen = (event.get("chosen_options") or [TOLAK])[0]
    user = event.get("responded_by_user") or {}
    when = event.get("responded_at")
    return {
        "keputusan": DISETUJUI if chosen == SETUJUI else DITOLAK_BAPPEDA,
        "oleh": str(user.get("name") or ""),
        "pada": when.isoformat() if isinstance(when, datetime) else str(when or now_iso()),
        "alasan": str((event.get("params_input") or {}).get("alasan") or "").strip(),
        "batas_waktu_habis": bool(event.get("timedout", False)),
        "run_id": run_id,
    }


def decision_key(tahun: int, kode: str, pada: str, keputusan: str) -> str:
    """``persetujuan/{tahun}/{kode}/{waktu}-{keputusan}.json`` (``ID`` is the centre)."""
    return f"{APPROVALS}/{tahun}/{kode}/{layout.stamp(datetime.fromisoformat(pada))}-{keputusan}.json"


def record_decision(rt: Runtime, k: Keputusan) -> str:
    """Keep the decision beside the packages; returns where it is."""
    from .. import feedback

    key = decision_key(rt.tahun, rt.settings.kode_paket, k["pada"], k["keputusan"])
    rt.store.put(key, feedback.dumps(dict(k)).encode())
    return rt.store.location(key)


def decision_text(k: Keputusan) -> str:
    """One Indonesian sentence for the log and the summary."""
    if k["batas_waktu_habis"]:
        return f"Publikasi TIDAK diterbitkan: batas waktu persetujuan Bappeda habis tanpa jawaban ({k['pada']})."
    what = "DISETUJUI" if k["keputusan"] == DISETUJUI else "DITOLAK"
    return f"Publikasi {what} oleh {k['oleh'] or '(tidak diketahui)'} pada {k['pada']}: {k['alasan'] or '(tanpa catatan)'}"


def now_iso() -> str:
    return layout.iso(datetime.now(UTC))
