"""Stage 3, walidata (Diskominfo): load a validated bundle into the warehouse.

Accepted rows are upserted per (kode_desa, tahun), newest received file winning; the registry, findings,
quarantined rows and rule summary of the batch's files replace any earlier record of the same files;
a child's accepted package replaces that child's components only if it is its newest version.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from ..kosakata import DITERIMA
from ..storage import layout, none_if_missing, put_many
from ..storage.rows import Delivery
from . import bundle as b
from .handoff import Stored, Validated

if TYPE_CHECKING:
    from ..storage.kotak import Kabar
    from .runtime import Runtime

log = logging.getLogger(__name__)


def store_bundle(rt: Runtime, validated: Validated) -> Stored:
    """Load a validated bundle: a batch's files as one unit of work, or a child tier's delivery."""
    bundle = b.Staging(rt.store, validated["bundel"]).read()
    if isinstance(bundle, b.DeliveryBundle):
        return {"kelompok": validated["kelompok"], "baris_disimpan": _store_delivery(rt, bundle), "baris_karantina": 0}
    # the same bytes sent twice under two names are two submissions of one content: its rows, findings and
    # quarantine (keyed by the content's sha256) are stored once
    quarantine = bundle.quarantine.drop_duplicates(["sha256_berkas", "baris"])
    # objects first (rewritten identically by any rerun), then every table of the batch in one transaction
    put_many(rt.store, _quarantine_files(rt.tahun, bundle.submissions, quarantine))
    # the verdicts' notifications go into the outbox in the same transaction as the verdicts: once, and only if stored
    stored = rt.warehouse.store_checked(bundle.accepted, bundle.submissions, bundle.issues.drop_duplicates(), quarantine,
                                        bundle.summary.drop_duplicates(), kabar=_verdict_news(rt, bundle),
                                        now=datetime.now(UTC).replace(microsecond=0).isoformat())
    return {"kelompok": validated["kelompok"], "baris_disimpan": stored, "baris_karantina": len(quarantine)}


def _verdict_news(rt: Runtime, bundle: b.FileBundle) -> list[Kabar]:
    """Each file's verdict for its sender (``kabar``); a broken notification config never costs the batch its load."""
    from ..kabar import AturanKabar
    from ..kabar.peristiwa import putusan_bundel

    try:
        return putusan_bundel(AturanKabar.load(), rt.daftar.zona_waktu, bundle.submissions, bundle.issues)
    except Exception:  # the verdicts are stored all the same; the log says why nobody hears of them
        log.exception("kabar putusan tidak disusun (periksa config/kabar.yaml)")
        return []


def _store_delivery(rt: Runtime, bundle: b.DeliveryBundle) -> dict[str, int]:
    """Each package version of the batch in order (a sender's versions oldest first): its delivery recorded, its
    components loaded if it is the sender's newest accepted version (an older one in the same batch is not loaded
    only to be replaced)."""
    from datetime import UTC, datetime

    from .versions import is_newest, plausible_version

    comps = bundle.components
    per_version = dict(iter(comps.groupby(["sumber", "versi"], sort=False))) if comps is not None else {}
    now = datetime.now(UTC)
    latest: dict[str, str] = {}
    for d in bundle.deliveries.to_dict("records"):
        if d["status"] == DITERIMA and plausible_version(str(d["versi"]), now):
            latest[d["kode_pengirim"]] = max(latest.get(d["kode_pengirim"], ""), str(d["versi"]))
    stored: dict[str, int] = {}
    for delivery in bundle.deliveries.to_dict("records"):
        sender, versi = delivery["kode_pengirim"], delivery["versi"]
        mine = per_version.get((sender, versi), None if comps is None else comps.iloc[:0])
        if delivery["status"] == DITERIMA and mine is not None and latest.get(sender) == versi and \
                is_newest(rt, sender, versi):
            # a resend replaces the sender's earlier contribution (a retried load of the newest version
            # restores it; a future-dated version is never newest); every version stays archived
            stored["komponen"] = stored.get("komponen", 0) + rt.warehouse.replace_components(
                rt.tahun, sender, mine.reset_index(drop=True))
        row = Delivery(**{str(k): none_if_missing(v) for k, v in delivery.items()})
        # a refused version is announced to Diskominfo with its record: once per version, only if recorded
        rt.warehouse.record_delivery(row, kabar=_refusal_news(rt, row), now=layout.iso(now))
    return stored


def _refusal_news(rt: Runtime, row: Delivery) -> list[Kabar]:
    """A refused child package for Diskominfo and Admin (``kabar``: paket_ditolak); never costs the load."""
    if row.status == DITERIMA:
        return []
    from ..kabar import AturanKabar
    from ..kabar.peristiwa import paket_ditolak

    try:
        return paket_ditolak(AturanKabar.load(), rt.daftar.zona_waktu, row.tahun, row.kode_pengirim, row.versi,
                             row.diterima_pada, row.alasan or "")
    except Exception:
        log.exception("kabar paket ditolak tidak disusun (periksa config/kabar.yaml)")
        return []


def _quarantine_files(tahun: int, submissions: pd.DataFrame, quarantine: pd.DataFrame) -> list[tuple[str, bytes]]:
    """One CSV of rejected rows (with reasons) per file, beside the file's dataset and sender."""
    if quarantine.empty:
        return []
    files = submissions.drop_duplicates("sha256").set_index("sha256")  # the same bytes sent twice: one CSV
    out = []
    for sha, rows in quarantine.groupby("sha256_berkas"):
        f = files.loc[sha]
        out.append((layout.quarantine_key(tahun, f["dataset"], f["pengirim"], f["kunci_arsip"]),
                    rows.to_csv(index=False).encode()))
    return out
