"""Stage 6, walidata (Diskominfo): the signed delivery package, kept and sent to the tier above.

Above kabupaten, with ``wait_for_all`` the tier waits while a child has not delivered; otherwise it
publishes with the coverage stated (``cakupan.csv``, ``pengiriman.csv``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from .. import feedback
from ..coordination import LEVELS, levels_for, master_for
from ..publishing import MANIFEST, CycleIdentity, build_package
from ..storage import ObjectStore, get_many, put_many
from ..tiers import SIGNATURE, bag_info, make_bag
from . import layout
from .handoff import Published, Waiting

if TYPE_CHECKING:
    from .runtime import Runtime


def coverage(rt: Runtime) -> pd.DataFrame:
    """Per source and area: desa with accepted data / desa in the master list."""
    master = master_for(rt.wilayah)
    out = []
    levels = [lv for lv in levels_for(rt.wilayah) if lv != "desa"]
    for source, codes in rt.tier.coverage_sources(rt).items():
        got = master["kode_desa"].isin(codes)
        for level in levels:
            g = pd.DataFrame({"kode": master["kode_desa"].str[:LEVELS[level]], "ada": got}).groupby("kode")["ada"]
            out.append(pd.DataFrame({"sumber": source, "tingkat": level, "kode_wilayah": g.sum().index,
                                     "desa_kontribusi": g.sum().to_numpy().astype(int),
                                     "desa_total": g.size().to_numpy()}))
    return pd.concat(out, ignore_index=True)


def publish(rt: Runtime, dibuat_pada: str, upstream: ObjectStore | None = None, wait_for_all: bool = False
            ) -> Published | Waiting:
    """Build the signed BagIt package, keep it under ``publikasi/{tahun}/{kode}/{versi}/`` and send it up."""
    sent = rt.tier.deliveries(rt)
    if wait_for_all and len(sent) and not sent["terkirim"].all():
        return {"status": "menunggu", "belum": sent.loc[~sent["terkirim"], "kode_wilayah"].tolist()}
    identity = CycleIdentity(rt.tahun, rt.settings.tingkat, rt.wilayah, dibuat_pada)
    comps = rt.warehouse.components(rt.tahun)
    extra = {"komponen_desa": comps[["kode_desa", "indikator", "pembilang", "penyebut"]],
             **rt.tier.publication_extras(rt, sent)}
    files = build_package(identity, rt.warehouse.indicators(rt.tahun), coverage(rt), extra)
    rows = {entry["nama"]: int(entry["baris"]) for entry in json.loads(files[MANIFEST])["berkas"]}
    key = rt.settings.kunci / f"{rt.settings.kode_paket}.key"
    bag = make_bag(files, bag_info({**identity.to_json(), "kode_wilayah": rt.settings.kode_paket}, rows),
                   key if key.is_file() else None)
    versi = layout.stamp(datetime.fromisoformat(dibuat_pada))
    own = layout.publication(rt.tahun, rt.settings.kode_paket, versi)
    put_many(rt.store, [(f"{own}/{name}", data) for name, data in bag.items()])
    rt.store.put(layout.publication_pointer(rt.tahun, rt.settings.kode_paket), feedback.dumps(
        {"versi": versi, "dibuat_pada": dibuat_pada, "dipublikasi_pada": layout.iso(datetime.now(UTC))}).encode())
    result: Published = {"status": "terbit", "paket": rt.store.location(own), "versi": versi, "berkas": sorted(bag),
                         "siklus": identity.name, "ditandatangani": key.is_file()}
    if upstream is not None:
        result["hulu"] = send_upward(rt, upstream, versi, bag)
    return result


def send_upward(rt: Runtime, upstream: ObjectStore, versi: str, bag: dict[str, bytes]) -> str:
    up = layout.package_inbox(rt.tahun, rt.settings.kode_paket, versi)
    put_many(upstream, [(f"{up}/{n}", d) for n, d in bag.items() if n != SIGNATURE])
    if SIGNATURE in bag:
        upstream.put(f"{up}/{SIGNATURE}", bag[SIGNATURE])  # last: a package is complete once signed
    return upstream.location(up)


def latest_package(rt: Runtime) -> dict[str, bytes]:
    """The payload files of this tier's newest publication (what auditors and tests read)."""
    pointer = json.loads(rt.store.get(layout.publication_pointer(rt.tahun, rt.settings.kode_paket)))
    prefix = layout.publication(rt.tahun, rt.settings.kode_paket, pointer["versi"]) + "/data/"
    keys = [o.key for o in rt.store.list(prefix)]
    return dict(zip([k.removeprefix(prefix) for k in keys], get_many(rt.store, keys), strict=True))


def needs_correction(rt: Runtime) -> bool:
    """A child's package accepted after this tier published: the publication must be redone."""
    key = layout.publication_pointer(rt.tahun, rt.settings.kode_paket)
    if not rt.tier.corrects_late_packages or not rt.store.exists(key):
        return False
    return rt.warehouse.accepted_since(rt.tahun, json.loads(rt.store.get(key))["dipublikasi_pada"])
