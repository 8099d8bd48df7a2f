"""Bappeda's approval before publishing: what Bappeda sees, and the decision as a record.

The approval step (``persetujuan_bappeda``, a human-in-the-loop task) shows this summary: the tier's own
indicators with their coverage, coverage per source, and the findings still open (senders whose newest
file is rejected, rules hit, children that have not delivered). Every decision (approved, rejected, or no
answer in time) is kept as JSON in the object store under ``persetujuan/{tahun}/{kode}/{waktu}-{hasil}.json``,
with who decided, when and why, so an auditor finds it beside the packages.

The yearly cycle closes a year once. Its first task (``check_close``) claims the year for its run
(``penutupan/{tahun}/{kode}/{run}.json``) and refuses a later run of the same year while an earlier one has claimed
it or has a recorded decision, unless that run is a correction run (the run parameters ``koreksi`` and
``alasan_koreksi``, in the trigger form), which says why and what it changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

from ..storage import layout  # stdlib only: the DAG file imports this module's option labels at parse time
from .handoff import KEPUTUSAN, PENUTUPAN  # stdlib only too

if TYPE_CHECKING:
    from .handoff import Penutupan
    from .runtime import Runtime

SETUJUI = "Setujui"  # the options Bappeda sees
TOLAK = "Tolak"  # also the default taken when the time runs out
DISETUJUI: Literal["disetujui"] = "disetujui"
DITOLAK_BAPPEDA: Literal["ditolak"] = "ditolak"
APPROVALS = "persetujuan"  # object-store prefix of the decisions (see layout.py's list)
TOP = 10  # rows of each list in the summary: enough to decide, short enough to read
KOREKSI = "koreksi"  # the yearly DAG's run parameters (its trigger form): close a closed year again ...
ALASAN_KOREKSI = "alasan_koreksi"  # ... and why (required with koreksi)


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
    koreksi: NotRequired[str]  # a correction run's reason (absent: the year's first close)
    versi_serah: NotRequired[int]  # handoff.KEPUTUSAN (absent in records stored before hand-offs carried it)


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


def approval_markdown(s: RingkasanPersetujuan, batas_jam: float, penutupan: Penutupan | None = None) -> str:
    """The request's body for Bappeda (Markdown, Indonesian): enough to decide without opening anything; a
    correction run says so first, with its reason and the decision it follows."""
    lines = [] if penutupan is None or not penutupan["koreksi"] else [
        f"> **Run koreksi**: tahun {penutupan['tahun']} sudah ditutup oleh run {penutupan['run_sebelumnya']} "
        f"({penutupan['sebelumnya']}). Alasan koreksi dari Diskominfo: {penutupan['alasan_koreksi']}", ""]
    lines += [f"Paket data Desa Cantik **{s['tahun']}** untuk **{s['nama_wilayah']}** ({s['kode_wilayah'] or 'nasional'}, "
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


def decision_from_event(event: Mapping[str, Any], run_id: str, koreksi: str = "") -> Keputusan:
    """The decision from the human-in-the-loop resume event (a person's answer, or the timeout default);
    ``koreksi``: the correction run's reason, kept with the decision."""
    chosen = (event.get("chosen_options") or [TOLAK])[0]
    user = event.get("responded_by_user") or {}
    when = event.get("responded_at")
    k: Keputusan = {
        "keputusan": DISETUJUI if chosen == SETUJUI else DITOLAK_BAPPEDA,
        "oleh": str(user.get("name") or ""),
        "pada": when.isoformat() if isinstance(when, datetime) else str(when or now_iso()),
        "alasan": str((event.get("params_input") or {}).get("alasan") or "").strip(),
        "batas_waktu_habis": bool(event.get("timedout", False)),
        "run_id": run_id,
        "versi_serah": KEPUTUSAN.tulis,
    }
    if koreksi:
        k["koreksi"] = koreksi
    return k


def decisions_prefix(tahun: int, kode: str) -> str:
    return f"{APPROVALS}/{tahun}/{kode}/"


def decision_key(tahun: int, kode: str, pada: str, keputusan: str) -> str:
    """``persetujuan/{tahun}/{kode}/{waktu}-{keputusan}.json`` (``ID`` is the centre)."""
    return f"{decisions_prefix(tahun, kode)}{layout.stamp(datetime.fromisoformat(pada))}-{keputusan}.json"


def decisions(rt: Runtime) -> list[Keputusan]:
    """This year's recorded decisions of this tier, oldest first (a key starts with its time)."""
    keys = sorted(o.key for o in rt.store.list(decisions_prefix(rt.tahun, rt.settings.kode_paket))
                  if o.key.endswith(".json"))
    found: list[Keputusan] = [json.loads(rt.store.get(key)) for key in keys]
    return found


# --- one close a year ------------------------------------------------------------------------------------


class PenutupanDitolak(RuntimeError):
    """This run may not close the year (closed already by another run, or a correction without its reason); the
    Indonesian message says why and what to do."""


def check_close(rt: Runtime, run_id: str, koreksi: bool, alasan_koreksi: str) -> Penutupan:
    """May run ``run_id`` close this year? Yes when no other run has begun closing it (the first close; a rerun of
    the same run included), or when the run is a correction run with its reason. Otherwise ``PenutupanDitolak``:
    the year is closed once, and a second close would ask Bappeda a second time.

    "Begun" is a claim the first task writes (``layout.closing_claim``), not only a recorded decision: a run that
    failed after Bappeda's answer but before the decision was kept (or that is still waiting for it) holds the year
    too, so a second run never closes it beside the first (the fix for a failed run is to clear it, not a new run).
    """
    alasan = alasan_koreksi.strip()
    if koreksi and not alasan:
        raise PenutupanDitolak(
            f"Run koreksi tanpa alasan: parameter '{KOREKSI}' dicentang tetapi '{ALASAN_KOREKSI}' kosong. Run ini "
            "berhenti di sini dan tidak mengubah apa pun. Picu lagi (▶) dengan alasan koreksi diisi: apa yang "
            "berubah sejak penutupan sebelumnya (mis. berkas perbaikan dari desa yang ditolak).")
    kode = rt.settings.kode_paket
    earlier = [k for k in decisions(rt) if k["run_id"] != run_id]
    claims = [c for c in _claims(rt) if c["run_id"] != run_id]
    if earlier and not koreksi:
        raise PenutupanDitolak(already_closed_text(rt.tahun, earlier[-1]))
    if claims and not earlier and not koreksi:
        raise PenutupanDitolak(being_closed_text(rt.tahun, claims[0]))
    mine = layout.closing_claim(rt.tahun, kode, run_id)
    if not rt.store.exists(mine):  # a rerun (clear) of the same run keeps its first claim and its place
        rt.store.put(mine, json.dumps({"run_id": run_id, "mulai": now_iso(), "koreksi": koreksi}).encode())
    if not (earlier or claims):  # the first close (a correction of a year nobody closed is just that)
        return {"versi_serah": PENUTUPAN.tulis, "tahun": rt.tahun, "koreksi": False, "alasan_koreksi": "",
                "run_sebelumnya": "", "sebelumnya": ""}
    if earlier:
        prev, text = earlier[-1]["run_id"], decision_text(earlier[-1])
    else:
        prev, text = claims[-1]["run_id"], f"mulai ditutup pada {claims[-1]['mulai']}, belum ada keputusan Bappeda"
    return {"versi_serah": PENUTUPAN.tulis, "tahun": rt.tahun, "koreksi": True, "alasan_koreksi": alasan,
            "run_sebelumnya": prev, "sebelumnya": text}


class _Klaim(TypedDict):
    run_id: str
    mulai: str
    koreksi: bool


def _claims(rt: Runtime) -> list[_Klaim]:
    """The runs that began closing this year, oldest first."""
    found: list[_Klaim] = [json.loads(rt.store.get(o.key))
                           for o in rt.store.list(layout.closing_claims(rt.tahun, rt.settings.kode_paket))
                           if o.key.endswith(".json")]
    return sorted(found, key=lambda c: (c["mulai"], c["run_id"]))


# why a second close stops, in both refusals: what it leaves alone, and why it happened
_SEKALI = ("Satu tahun ditutup satu kali, jadi run ini berhenti di sini: gudang, indikator, persetujuan dan paket tidak "
           "diubah, dan Bappeda tidak diminta menyetujui lagi. Run ganda seperti ini terjadi bila DAG dipicu (▶) lalu "
           "diaktifkan setelah batas akhir: tidak ada yang perlu dibereskan.")


def being_closed_text(tahun: int, claim: _Klaim) -> str:
    """Why a run is refused while another run of the same year has begun closing it and has no decision yet."""
    return (f"Siklus {tahun} sedang ditutup oleh run {claim['run_id']} (dimulai {claim['mulai']}), yang belum "
            f"mendapat keputusan Bappeda. {_SEKALI} Bila run {claim['run_id']} gagal, jangan memicu run baru: "
            "jalankan ulang (clear) tugas yang gagal di run itu. Bila run itu tidak dapat dilanjutkan, picu lagi (▶) "
            f"dengan parameter '{KOREKSI}' dicentang dan '{ALASAN_KOREKSI}' diisi.")


def already_closed_text(tahun: int, last: Keputusan) -> str:
    """Why a second close of the same year is refused, and what to do instead (the failed first task's message)."""
    return (f"Siklus {tahun} sudah ditutup oleh run {last['run_id']}: {decision_text(last).rstrip('.')}. {_SEKALI} "
            "Bila tahun ini memang perlu ditutup ulang (data diperbaiki "
            f"setelah penolakan Bappeda, atau kiriman terlambat harus masuk), picu lagi (▶) dengan parameter "
            f"'{KOREKSI}' dicentang dan '{ALASAN_KOREKSI}' diisi. Bila run {last['run_id']} gagal sebelum paketnya "
            "terbit, jangan memicu run baru: jalankan ulang (clear) tugas yang gagal di run itu.")


def closing_text(p: Penutupan) -> str:
    """What the first task logs: the year's first close, or a correction run and what it changes."""
    if not p["koreksi"]:
        return (f"Siklus {p['tahun']} belum pernah ditutup: run ini menutupnya, dan Bappeda diminta menyetujui "
                "publikasi satu kali.")
    return (f"KOREKSI siklus {p['tahun']}: run ini menutup ulang tahun yang sudah ditutup oleh run "
            f"{p['run_sebelumnya']} ({p['sebelumnya']}). Alasan: {p['alasan_koreksi']}. Yang berubah: berkas baru di "
            "kotak masuk diperiksa dan dimuat, indikator dihitung ulang, Bappeda diminta persetujuan lagi, dan bila "
            "disetujui terbit paket versi baru yang menggantikan versi sebelumnya di tingkat atas (versi lama tetap "
            "tersimpan). Keputusan sebelumnya tetap tercatat.")


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
