"""The run's story for the people who run it: the gate's verdicts per kecamatan, and each pillar's next steps.

Task logs and the summary are read by pillar staff, not engineers, so they are tables and short lists in
Indonesian with desa names, not JSON. Pure functions over what the stages already produced (the batch's
frames, the warehouse's tables), so the gate's log, the review task, the summary and the tests all show the
same text. File names and messages pass through ``pii.mask_text``: no 16-digit number (a NIK) is ever logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypedDict

import pandas as pd

from ..findings import ERROR, WARNING
from ..kosakata import DITERIMA, DITERIMA_DENGAN_CATATAN, DITOLAK, STATUS_LABEL, is_desa
from ..pengirim import AGENCY_BATCH, batch_of
from ..pii import mask_text
from ..regions import normalise_code, region_name
from .handoff import DeliveryRow

PAGE_PANTAU = "/desa-cantik/pantau"
PAGE_TEMUAN = "/desa-cantik/temuan"
PAGE_INDIKATOR = "/desa-cantik/indikator"
PAGE_PAKET = "/desa-cantik/paket"
LOW_COVERAGE = 0.95  # below this share of desa an indicator speaks for too few villages to publish unremarked
MAX_KECAMATAN = 10  # lines of a list in the summary; the pages have the rest
MAX_DESA = 8
MAX_RULES = 5
MAX_RULES_PER_FILE = 3
SHORT = 70  # characters of an example message
_ROW_PREFIX = re.compile(r"^Baris \d+:\s*")
_STATUS_ORDER = {DITOLAK: 0, DITERIMA_DENGAN_CATATAN: 1, DITERIMA: 2}


class StoryRule(TypedDict):
    aturan: str
    keparahan: str  # error | warning
    jumlah: int
    contoh: str  # one of its messages, shortened and masked


class FileStory(TypedDict):
    """One checked file as staff read it: who sent it, what it is, the verdict and the rules it broke."""

    kecamatan: str  # kode kecamatan, or ``opd-bps``
    pengirim: str  # kode desa, or the agency's code
    nama: str  # desa name, or the agency's code
    berkas: str  # the file's name as sent (masked)
    dataset: str
    status: str  # diterima | diterima_dengan_catatan | ditolak
    aturan: list[StoryRule]


class Rejections(TypedDict):
    """What ``tinjau_penolakan`` hands on: the batch's rejected files (or its refused package)."""

    kelompok: str
    berkas_ditolak: int
    berkas: list[FileStory]
    alasan_paket: dict[str, str]  # refused child packages (provinsi/pusat): ``pengirim-versi`` -> reason


class KecamatanToCoach(TypedDict):
    kecamatan: str
    nama: str
    berkas_ditolak: int
    desa: list[str]  # names of the desa whose latest file of a dataset is rejected


class BpsSteps(TypedDict):
    kecamatan: list[KecamatanToCoach]  # most open rejections first
    aturan: list[StoryRule]  # the errors behind the open rejections, most frequent first


class KominfoSteps(TypedDict):
    berkas_ditolak: int  # rejected files not yet replaced by an accepted resubmission (kept in arsip/)
    baris_karantina: int
    desa_belum_mengirim: dict[str, int]  # desa dataset -> desa that sent no file yet
    belum_per_kecamatan: dict[str, int]  # kecamatan -> (desa, dataset) pairs still missing, most first
    dataset_opd_belum: list[str]  # agency/BPS datasets no producer has sent, with who should
    paket_ditolak: list[str]  # children with a refused package version (provinsi/pusat)
    paket_belum: list[str]  # children that delivered nothing


class LowIndicator(TypedDict):
    indikator: str
    cakupan_persen: float
    desa_kontribusi: int
    desa_total: int


class BappedaSteps(TypedDict):
    cakupan_rendah: list[LowIndicator]
    paket_terakhir: str | None  # the version this tier last published, if any


class NextSteps(TypedDict):
    bps: BpsSteps
    diskominfo: KominfoSteps
    bappeda: BappedaSteps


# --- one batch: the gate's table -------------------------------------------------------------------------


def sender_name(pengirim: str) -> str:
    """A desa's name; anything else as sent (the folder name is the sender's: masked, it may be a NIK)."""
    kode = normalise_code(pengirim)
    return region_name(kode) if kode and is_desa(kode) else mask_text(pengirim) or ""


def kecamatan_label(kecamatan: str) -> str:
    return "OPD dan BPS" if kecamatan == AGENCY_BATCH else f"Kecamatan {kecamatan} {region_name(kecamatan)}"


def short_message(pesan: object) -> str:
    text = _ROW_PREFIX.sub("", str(pesan or "")).strip()
    text = mask_text(text) or ""
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _hits(issues: pd.DataFrame) -> dict[tuple[str, str, str], list[StoryRule]]:
    """Errors and warnings per (file, sender, dataset): count and one example per rule, errors first."""
    if issues.empty or "aturan" not in issues:
        return {}
    rel = issues[issues["keparahan"].isin([ERROR, WARNING])]
    if rel.empty:
        return {}
    g = (rel.groupby(["sha256_berkas", "pengirim", "dataset", "aturan", "keparahan"], sort=False)
         .agg(jumlah=("aturan", "size"), contoh=("pesan", "first")).reset_index())
    g = g.assign(_err=(g["keparahan"] != ERROR)).sort_values(["_err", "jumlah", "aturan"], ascending=[True, False, True])
    out: dict[tuple[str, str, str], list[StoryRule]] = {}
    for r in g.to_dict("records"):
        out.setdefault((str(r["sha256_berkas"]), str(r["pengirim"]), str(r["dataset"])), []).append(
            {"aturan": str(r["aturan"]), "keparahan": str(r["keparahan"]), "jumlah": int(r["jumlah"]),
             "contoh": short_message(r["contoh"])})
    return out


def file_stories(submissions: pd.DataFrame, issues: pd.DataFrame) -> list[FileStory]:
    """Each checked file with its sender's names and the rules it broke (frames as the gate writes them)."""
    if submissions.empty:
        return []
    hits = _hits(issues)
    out: list[FileStory] = []
    for r in submissions.to_dict("records"):
        pengirim, dataset = str(r["pengirim"]), str(r["dataset"])
        out.append({"kecamatan": batch_of(pengirim), "pengirim": mask_text(pengirim) or "", "nama": sender_name(pengirim),
                    "berkas": mask_text(str(r["nama_berkas"])) or "", "dataset": mask_text(dataset) or "",
                    "status": str(r["status"]), "aturan": hits.get((str(r["sha256"]), pengirim, dataset), [])})
    return sorted(out, key=lambda s: (s["kecamatan"], _STATUS_ORDER.get(s["status"], 3), s["pengirim"], s["dataset"]))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def rules_text(hits: list[StoryRule], limit: int = MAX_RULES_PER_FILE) -> str:
    if not hits:
        return "-"
    parts = [f"{h['aturan']} ×{h['jumlah']}: {h['contoh']}" for h in hits[:limit]]
    more = f" (+{len(hits) - limit} aturan lain)" if len(hits) > limit else ""
    return "; ".join(parts) + more


def verdict_counts(stories: Iterable[FileStory]) -> str:
    counts: dict[str, int] = {}
    for s in stories:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    return ", ".join(f"{counts[k]} {STATUS_LABEL.get(k, k)}" for k in sorted(counts, key=lambda k: _STATUS_ORDER.get(k, 3)))


def by_kecamatan(stories: Iterable[FileStory]) -> dict[str, list[FileStory]]:
    groups: dict[str, list[FileStory]] = {}
    for s in stories:
        groups.setdefault(s["kecamatan"], []).append(s)
    return dict(sorted(groups.items()))


HEADER = f"  {'desa / pengirim':<24} {'berkas':<36} {'dataset':<18} {'putusan':<24} aturan yang dilanggar"


def gate_table(kelompok: str, stories: list[FileStory]) -> str:
    """The batch's verdicts as one table per kecamatan: rejected files first, each with the rules it broke."""
    lines = [f"Gerbang mutu kelompok {kelompok}: {len(stories)} berkas ({verdict_counts(stories) or 'tidak ada'})"]
    for kec, group in by_kecamatan(stories).items():
        lines += ["", f"{kecamatan_label(kec)}: {len(group)} berkas ({verdict_counts(group)})", HEADER]
        lines += [f"  {_cut(s['nama'], 24):<24} {_cut(s['berkas'], 36):<36} {_cut(s['dataset'], 18):<18} "
                  f"{STATUS_LABEL.get(s['status'], s['status']):<24} {rules_text(s['aturan'])}" for s in group]
    return "\n".join(lines)


# --- one batch: what to fix ------------------------------------------------------------------------------


def rejections(kelompok: str, stories: list[FileStory], refused_packages: dict[str, str] | None = None) -> Rejections:
    rejected = [s for s in stories if s["status"] == DITOLAK]
    packages = {label: mask_text(reason) or "" for label, reason in sorted((refused_packages or {}).items())}
    return {"kelompok": kelompok, "berkas_ditolak": len(rejected) + len(packages), "berkas": rejected,
            "alasan_paket": packages}


def format_rejections(r: Rejections) -> str:
    """What the senders of a batch must fix, per kecamatan and desa, and where the full reports are."""
    if r["alasan_paket"]:
        return "\n".join([*(f"Paket {label} ditolak: {reason}" for label, reason in r["alasan_paket"].items()),
                          "Pengirim perlu mengirim ulang paket yang benar. Riwayat paket: menu Desa Cantik → Paket "
                          f"({PAGE_PAKET})."])
    lines = [f"{r['berkas_ditolak']} berkas ditolak di kelompok {r['kelompok']}. Yang harus diperbaiki pengirim:"]
    for kec, group in by_kecamatan(r["berkas"]).items():
        lines += ["", f"{kecamatan_label(kec)} ({len(group)} berkas ditolak)"]
        for s in group:
            lines.append(f"  - {s['nama']} · {s['dataset']} · {s['berkas']}")
            lines += [f"      {h['aturan']} ×{h['jumlah']}: {h['contoh']}" for h in s["aturan"] if h["keparahan"] == ERROR]
    lines += ["", "Laporan lengkap tiap berkas (baris, kolom, nilai, yang diharapkan) ada di menu Desa Cantik → "
                  f"Pantau siklus ({PAGE_PANTAU}), per kecamatan lalu per desa, dan di samping berkas arsipnya. "
                  "Pengirim memperbaiki lalu mengirim ulang; kiriman ulang menggantikan data desa itu."]
    return "\n".join(lines)


# --- the run: each pillar's next steps -------------------------------------------------------------------


def latest_per_sender(submissions: pd.DataFrame) -> pd.DataFrame:
    """Each sender's newest file per dataset: an accepted resubmission closes an earlier rejection."""
    if submissions.empty:
        return submissions
    return (submissions.sort_values(["diterima_pada", "sha256"])
            .drop_duplicates(["dataset", "pengirim"], keep="last").reset_index(drop=True))


def bps_steps(submissions: pd.DataFrame, issues: pd.DataFrame) -> BpsSteps:
    """Kecamatan to coach (desa whose latest file is still rejected) and the errors behind those files."""
    latest = latest_per_sender(submissions)
    open_ = latest[latest["status"] == DITOLAK].sort_values(["pengirim", "dataset"]) if len(latest) else latest
    coach: dict[str, KecamatanToCoach] = {}
    for r in open_.to_dict("records"):
        kec = batch_of(str(r["pengirim"]))
        entry = coach.setdefault(kec, {"kecamatan": kec, "nama": kecamatan_label(kec), "berkas_ditolak": 0, "desa": []})
        entry["berkas_ditolak"] += 1
        name = sender_name(str(r["pengirim"]))
        if name not in entry["desa"]:
            entry["desa"].append(name)
    rules: list[StoryRule] = []
    if len(open_) and not issues.empty and "aturan" in issues:
        errs = issues[issues["sha256_berkas"].isin(set(open_["sha256"])) & (issues["keparahan"] == ERROR)]
        g = errs.groupby("aturan").agg(jumlah=("aturan", "size"), contoh=("pesan", "first")).reset_index()
        g = g.sort_values(["jumlah", "aturan"], ascending=[False, True])
        rules = [{"aturan": str(x["aturan"]), "keparahan": ERROR, "jumlah": int(x["jumlah"]),
                  "contoh": short_message(x["contoh"])} for x in g.head(MAX_RULES).to_dict("records")]
    ranked = sorted(coach.values(), key=lambda c: (-c["berkas_ditolak"], c["kecamatan"]))
    return {"kecamatan": ranked, "aturan": rules}


def missing_senders(submissions: pd.DataFrame, each: dict[str, list[str]], any_of: dict[str, list[str]]
                    ) -> tuple[dict[str, list[str]], list[str]]:
    """Who the Daftar Data expects and sent nothing: per desa dataset the desa codes (each must send), and
    the agency datasets none of whose producers sent a file (one of them suffices)."""
    sent = set(zip(submissions.get("dataset", pd.Series(dtype=str)).astype(str),
                   submissions.get("pengirim", pd.Series(dtype=str)).astype(str), strict=True))
    per_desa = {ds: [s for s in senders if (ds, s) not in sent] for ds, senders in each.items()}
    agencies = [f"{ds} ({', '.join(senders)})" for ds, senders in any_of.items()
                if not any((ds, s) in sent for s in senders)]
    return per_desa, agencies


def kominfo_steps(submissions: pd.DataFrame, each: dict[str, list[str]], any_of: dict[str, list[str]],
                  quarantined_rows: int, deliveries: list[DeliveryRow]) -> KominfoSteps:
    """Files waiting for a resubmission, expected senders that sent nothing, children's refused or missing packages."""
    latest = latest_per_sender(submissions)
    per_desa, agencies = missing_senders(submissions, each, any_of)
    per_kec: dict[str, int] = {}
    for senders in per_desa.values():
        for s in senders:
            per_kec[batch_of(s)] = per_kec.get(batch_of(s), 0) + 1
    return {"berkas_ditolak": int((latest["status"] == DITOLAK).sum()) if len(latest) else 0,
            "baris_karantina": quarantined_rows,
            "desa_belum_mengirim": {ds: len(s) for ds, s in per_desa.items()},
            "belum_per_kecamatan": dict(sorted(per_kec.items(), key=lambda kv: (-kv[1], kv[0]))),
            "dataset_opd_belum": agencies,
            "paket_ditolak": [f"{d['kode_wilayah']} {d['nama_wilayah']}" for d in deliveries if d["ditolak"]],
            "paket_belum": [f"{d['kode_wilayah']} {d['nama_wilayah']}" for d in deliveries if not d["terkirim"]]}


def bappeda_steps(indicators: pd.DataFrame, top_level: str, last_package: str | None) -> BappedaSteps:
    """The tier's own-area indicators whose coverage is below ``LOW_COVERAGE``, lowest first."""
    low: list[LowIndicator] = []
    if len(indicators):
        top = indicators[indicators["tingkat"] == top_level]
        for r in top.to_dict("records"):
            total = int(r["desa_total"] or 0)
            got = int(r["desa_kontribusi"] or 0)
            share = got / total if total else 0.0
            if share < LOW_COVERAGE:
                low.append({"indikator": str(r["indikator"]), "cakupan_persen": round(100 * share, 1),
                            "desa_kontribusi": got, "desa_total": total})
    return {"cakupan_rendah": sorted(low, key=lambda x: (x["cakupan_persen"], x["indikator"])),
            "paket_terakhir": last_package}


def _persen(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + " %"


def _more(items: list[str], limit: int) -> str:
    return ", ".join(items[:limit]) + (f" dan {len(items) - limit} lainnya" if len(items) > limit else "")


def _bps_lines(b: BpsSteps) -> list[str]:
    lines = ["BPS (pembina data):"]
    if not b["kecamatan"]:
        return [*lines, "  - Tidak ada berkas yang masih ditolak: tidak ada desa yang perlu dibina saat ini."]
    n_desa = sum(len(k["desa"]) for k in b["kecamatan"])
    lines.append(f"  - Bina {n_desa} desa di {len(b['kecamatan'])} kecamatan yang berkasnya masih ditolak "
                 "(terbanyak dulu):")
    lines += [f"      {k['nama']}: {k['berkas_ditolak']} berkas — {_more(k['desa'], MAX_DESA)}"
              for k in b["kecamatan"][:MAX_KECAMATAN]]
    if len(b["kecamatan"]) > MAX_KECAMATAN:
        lines.append(f"      … dan {len(b['kecamatan']) - MAX_KECAMATAN} kecamatan lain")
    if b["aturan"]:
        lines.append("  - Aturan yang paling sering membuat berkas ditolak:")
        lines += [f"      {h['aturan']} ×{h['jumlah']} (contoh: {h['contoh']})" for h in b["aturan"]]
    lines.append(f"  - Rincian per desa: menu Desa Cantik → Pantau siklus ({PAGE_PANTAU}); per aturan: Temuan ({PAGE_TEMUAN}).")
    return lines


def _kominfo_lines(k: KominfoSteps) -> list[str]:
    lines = ["Diskominfo (walidata):",
             f"  - {k['berkas_ditolak']} berkas ditolak menunggu kiriman ulang (tersimpan di arsip); "
             f"{k['baris_karantina']} baris ditolak di karantina."]
    missing = {ds: n for ds, n in k["desa_belum_mengirim"].items() if n}
    if missing:
        lines.append("  - Desa belum mengirim: " + ", ".join(f"{ds} {n} desa" for ds, n in missing.items()) + ".")
        top = list(k["belum_per_kecamatan"].items())[:MAX_KECAMATAN]
        lines.append("      kecamatan terbanyak: " + ", ".join(f"{kecamatan_label(c)} ({n})" for c, n in top))
    if k["dataset_opd_belum"]:
        lines.append(f"  - Dataset OPD/BPS belum dikirim: {'; '.join(k['dataset_opd_belum'])}.")
    if k["desa_belum_mengirim"] and not missing and not k["dataset_opd_belum"]:
        lines.append("  - Semua pengirim yang diharapkan Daftar Data sudah mengirim.")
    if k["paket_ditolak"]:
        lines.append(f"  - Paket ditolak (minta kirim ulang): {_more(k['paket_ditolak'], MAX_DESA)}.")
    if k["paket_belum"]:
        lines.append(f"  - Belum mengirim paket: {_more(k['paket_belum'], MAX_DESA)}.")
    lines.append(f"  - Siapa yang belum mengirim, per kecamatan: {PAGE_PANTAU}; paket: {PAGE_PAKET}.")
    return lines


def _bappeda_lines(b: BappedaSteps) -> list[str]:
    lines = ["Bappeda (koordinator data):"]
    if b["cakupan_rendah"]:
        lines.append(f"  - Indikator dengan cakupan di bawah {_persen(100 * LOW_COVERAGE)} desa:")
        lines += [f"      {x['indikator']}: {_persen(x['cakupan_persen'])} ({x['desa_kontribusi']} dari {x['desa_total']} desa)"
                  for x in b["cakupan_rendah"]]
    else:
        lines.append(f"  - Cakupan semua indikator sedikitnya {_persen(100 * LOW_COVERAGE)} desa.")
    lines.append(f"  - Tinjau indikator dan cakupannya (menu Desa Cantik → Indikator, {PAGE_INDIKATOR}), lalu setujui "
                 "atau tolak publikasi paket di tugas persetujuan_bappeda siklus tahunan (Required Actions).")
    if b["paket_terakhir"]:
        lines.append(f"  - Paket terakhir yang terbit: versi {b['paket_terakhir']} ({PAGE_PAKET}).")
    return lines


def format_next_steps(steps: NextSteps) -> str:
    """Each pillar's next steps as a short list, pages named instead of queries."""
    return "\n".join(["Langkah berikut", *_bps_lines(steps["bps"]), *_kominfo_lines(steps["diskominfo"]),
                      *_bappeda_lines(steps["bappeda"])])
