"""The upper tiers' side of stages 1-2: collect and verify the signed packages their children send.

A package is accepted only if it is complete and untampered (BagIt sha256), signed by a registered
child, for this cycle, and every component row lies in the sender's area; otherwise it is refused with
its reason in ``pengiriman_paket`` and stays archived, never merged.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pandas as pd

from ..coordination import master_for
from ..findings import DITERIMA, DITOLAK
from ..regions import is_within, region_name
from ..storage import get_many, put_many
from ..tiers import check_bag
from . import bundle as b
from . import layout
from .handoff import PACKAGE, CollectedPackage, PackageBatch, PackageObject, Validated

if TYPE_CHECKING:
    from .runtime import Runtime

COMPONENTS_FILE = "komponen_desa.csv"


def plan_package_batches(rt: Runtime) -> Iterator[PackageBatch]:
    """One batch per (child, version) not yet judged."""
    prefix = layout.package_inbox_prefix(rt.tahun)
    judged = rt.warehouse.deliveries(rt.tahun)
    seen = set(zip(judged["kode_pengirim"], judged["versi"], strict=True))
    bags: dict[tuple[str, str], list[PackageObject]] = {}
    for obj in rt.store.list(prefix):
        parts = obj.key[len(prefix):].split("/", 2)
        if len(parts) == 3 and (parts[0], parts[1]) not in seen:
            bags.setdefault((parts[0], parts[1]), []).append(
                {"kunci": obj.key, "ukuran": obj.size, "diterima_pada": layout.iso(obj.last_modified),
                 "relatif": parts[2]})
    for (sender, versi), objs in sorted(bags.items()):
        yield {"jenis": PACKAGE, "kelompok": f"paket-{sender}-{versi}", "pengirim": sender, "versi": versi,
               "objek": objs}


def collect_package(rt: Runtime, batch: PackageBatch) -> CollectedPackage:
    """Archive every file of a received package version as it arrived."""
    objs = batch["objek"]
    base = layout.package_archive(rt.tahun, batch["pengirim"], batch["versi"])
    datas = get_many(rt.store, [o["kunci"] for o in objs])
    put_many(rt.store, [(f"{base}/{o['relatif']}", d) for o, d in zip(objs, datas, strict=True)])
    return {"jenis": PACKAGE, "kelompok": batch["kelompok"], "pengirim": batch["pengirim"], "versi": batch["versi"],
            "arsip": base, "isi": [o["relatif"] for o in objs], "diterima_pada": max(o["diterima_pada"] for o in objs)}


def _refusal(rt: Runtime, sender: str, info: dict[str, str], components: pd.DataFrame) -> str | None:
    """Why a verified bag is still refused: wrong area, wrong cycle, or rows outside the sender's area."""
    if len(sender) != rt.tier.child_code_length or not is_within(sender, rt.wilayah):
        return f"{sender} bukan wilayah bawahan {rt.settings.tingkat} {rt.settings.kode_paket}"
    if info.get("Siklus", "").split("/")[1:2] != [str(rt.tahun)]:
        return f"paket untuk siklus {info.get('Siklus')}, bukan tahun {rt.tahun}"
    outside = ~components["kode_desa"].map(lambda k: is_within(k, sender))
    if outside.any():
        return f"{int(outside.sum())} baris komponen di luar wilayah {sender}"
    return None


def validate_package(rt: Runtime, collected: CollectedPackage, run_id: str) -> Validated:
    """The upper tier's gate: signature, checksums, sender, cycle, and every row inside the sender's area."""
    sender, versi = collected["pengirim"], collected["versi"]
    keys = [f"{collected['arsip']}/{rel}" for rel in collected["isi"]]
    files = dict(zip(collected["isi"], get_many(rt.store, keys), strict=True))
    check = check_bag(files, sender, rt.settings.kunci / "kunci_publik")
    reason = check.reason
    components = pd.DataFrame()
    if check.ok:
        components = pd.read_csv(io.BytesIO(check.payload[COMPONENTS_FILE]), dtype={"kode_desa": str})
        reason = _refusal(rt, sender, check.info, components)
    status = DITERIMA if reason is None else DITOLAK
    delivery = {"tahun": rt.tahun, "kode_pengirim": sender, "versi": versi, "diterima_pada": collected["diterima_pada"],
                "status": status, "alasan": reason, "kunci_arsip": collected["arsip"],
                "baris_komponen": len(components) if reason is None else 0, "run_id": run_id}
    frames = {b.DELIVERY: pd.DataFrame([delivery])}
    if reason is None:
        frames[b.COMPONENTS] = components.assign(tahun=rt.tahun, sumber=sender, versi=versi)
    staged = b.Bundle.for_batch(rt.store, rt.tahun, run_id, collected["kelompok"])
    staged.write(frames)
    return {"kelompok": collected["kelompok"], "bundel": staged.prefix, "status": {status: 1}, "alasan": reason}


def deliveries(rt: Runtime, child_code_length: int) -> pd.DataFrame:
    """Per child region: which delivered this cycle, when, which version is used, how many were refused."""
    children = sorted(set(master_for(rt.wilayah)["kode_desa"].str[:child_code_length]))
    got = rt.warehouse.deliveries(rt.tahun)
    rows = []
    for kode in children:
        mine = got[got["kode_pengirim"] == kode]
        ok = mine[mine["status"] == DITERIMA].sort_values("versi")
        rows.append({"kode_wilayah": kode, "nama_wilayah": region_name(kode), "terkirim": bool(len(ok)),
                     "versi_dipakai": ok["versi"].iloc[-1] if len(ok) else None,
                     "diterima_pada": ok["diterima_pada"].iloc[-1] if len(ok) else None,
                     "jumlah_versi": len(ok), "ditolak": int((mine["status"] == DITOLAK).sum())})
    return pd.DataFrame(rows)
