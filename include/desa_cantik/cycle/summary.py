"""The cycle's summary for people: per dataset files and rows, findings, indicators, deliveries, and what
each pillar must do next (the last task of both DAGs logs it; ``python -m desa_cantik summary`` prints it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..coordination import levels_for
from ..findings import INFO
from ..kosakata import DITOLAK, KABUPATEN
from ..pengirim import expected_senders
from ..storage import layout, mask_url, none_if_missing
from . import cerita
from .handoff import CycleSummary, DatasetCounts, DeliveryRow
from .publication import last_published

if TYPE_CHECKING:
    import pandas as pd

    from .runtime import Runtime


class RunSummary(CycleSummary):
    langkah_berikut: cerita.NextSteps


def next_steps(rt: Runtime, subs: pd.DataFrame, issues: pd.DataFrame, indicators: pd.DataFrame,
               quarantined_rows: int, deliveries: list[DeliveryRow]) -> cerita.NextSteps:
    # only a kabupaten/kota collects files; above it the children's packages are the deliveries
    each, any_of = expected_senders(rt) if rt.tier.tingkat == KABUPATEN else ({}, {})
    return {"bps": cerita.bps_steps(subs, issues),
            "diskominfo": cerita.kominfo_steps(subs, each, any_of, quarantined_rows, deliveries),
            "bappeda": cerita.bappeda_steps(indicators, levels_for(rt.wilayah)[-1], last_published(rt))}


def summary(rt: Runtime) -> RunSummary:
    w = rt.warehouse
    subs = w.submissions(rt.tahun)
    per_dataset: dict[str, DatasetCounts] = {}
    for ds in rt.daftar.datasets:
        s = subs[subs["dataset"] == ds]
        per_dataset[ds] = {
            "berkas_diterima_server": len(s),
            "berkas_lolos": int((s["status"] != DITOLAK).sum()),
            "berkas_ditolak": int((s["status"] == DITOLAK).sum()),
            "baris_dibaca": int(s["baris_dibaca"].sum()),
            "baris_disimpan": w.count_rows(ds, rt.tahun),
            "baris_karantina": w.count_quarantined_rows(ds, rt.tahun),
        }
    ind = w.indicators(rt.tahun)
    issues = w.issues(rt.tahun)
    # JSON-clean (XCom): a child that never delivered has no version, not NaN
    deliveries: list[DeliveryRow] = [
        {k: none_if_missing(v) for k, v in row.items()}  # type: ignore[misc]
        for row in rt.tier.deliveries(rt).to_dict("records")]
    return {
        "tahun": rt.tahun,
        "wilayah": rt.wilayah,
        "dataset": per_dataset,
        "isu": {f"{k[0]}:{k[1]}": int(v) for k, v in issues.groupby(["keparahan", "aturan"]).size().items()}
        if len(issues) else {},
        "indikator_per_tingkat": {str(k): int(v) for k, v in ind.groupby("tingkat").size().items()},
        "laporan": rt.store.location(layout.archive_prefix(rt.tahun)),
        "paket": rt.store.location(layout.publication_prefix(rt.tahun, rt.settings.kode_paket)),
        "pengiriman": deliveries,
        "gudang": mask_url(rt.settings.gudang_url),
        "langkah_berikut": next_steps(rt, subs, issues, ind, sum(d["baris_karantina"] for d in per_dataset.values()),
                                      deliveries),
    }


def format_summary(s: RunSummary) -> str:
    lines = [f"Ringkasan siklus Desa Cantik {s['tahun']} — wilayah {s['wilayah']}", ""]
    lines.append(f"{'dataset':<20}{'berkas':>8}{'lolos':>8}{'ditolak':>9}{'baris':>8}{'disimpan':>10}{'karantina':>11}")
    for ds, d in s["dataset"].items():
        lines.append(f"{ds:<20}{d['berkas_diterima_server']:>8}{d['berkas_lolos']:>8}{d['berkas_ditolak']:>9}"
                     f"{d['baris_dibaca']:>8}{d['baris_disimpan']:>10}{d['baris_karantina']:>11}")
    lines.append("")
    lines.append("Indikator dihitung: " + ", ".join(f"{k} {v}" for k, v in s["indikator_per_tingkat"].items()))
    top = sorted(s["isu"].items(), key=lambda kv: -kv[1])
    if top:
        lines.append("Temuan validasi: " + ", ".join(f"{k} ×{v}" for k, v in top if not k.startswith(INFO)))
    for p in s["pengiriman"]:
        lines.append(f"  pengiriman {p['kode_wilayah']} {p['nama_wilayah']}: "
                     + (f"versi {p['versi_dipakai']} ({p['jumlah_versi']} versi)" if p["terkirim"] else "BELUM")
                     + (f", {p['ditolak']} ditolak" if p["ditolak"] else ""))
    lines += [f"Laporan per berkas : {s['laporan']}", f"Paket publikasi    : {s['paket']}", f"Gudang data        : {s['gudang']}"]
    lines += ["", cerita.format_next_steps(s["langkah_berikut"])]
    return "\n".join(lines)
