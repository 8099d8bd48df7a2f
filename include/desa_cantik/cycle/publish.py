"""Stage 6, walidata (Diskominfo): the signed delivery package, kept and sent to the tier above.

Above kabupaten, with ``wait_for_all`` the tier waits while a child has not delivered; otherwise it
publishes with the coverage stated (``cakupan.csv``, ``pengiriman.csv``). A tier without its signing key
publishes nothing: the tier above refuses unsigned packages, so the task fails at once and says why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .. import feedback
from ..bags import SIGNATURE, bag_info, make_bag
from ..coordination import COMPONENT_COLUMNS
from ..publishing import MANIFEST, CycleIdentity, IdentityJson, build_package
from ..storage import ObjectStore, get_many, layout, put_many
from .handoff import Published, Waiting
from .publication import coverage

if TYPE_CHECKING:
    from .runtime import Runtime


class TanpaKunci(RuntimeError):
    """This tier has no signing key: it never publishes an unsigned package (its upper tier would refuse it)."""


def signing_key(rt: Runtime) -> Path:
    """The tier's private key, ``{DESA_CANTIK_KUNCI}/{kode}.key``; without it publishing refuses to start."""
    key = rt.settings.kunci / f"{rt.settings.kode_paket}.key"
    if not key.is_file():
        raise TanpaKunci(
            f"Kunci tanda tangan tingkat ini tidak ditemukan: {key}. Paket tidak disusun tanpa tanda tangan, "
            "karena tingkat di atas menolak paket yang tidak bertanda tangan. Buat kunci sekali dengan "
            "`python -m desa_cantik keygen` (Docker: layanan keygen), kirim berkas .pub-nya ke tingkat di atas, "
            "lalu jalankan ulang tugas ini.")
    return key


def publish(rt: Runtime, dibuat_pada: str, upstream: ObjectStore | None = None, wait_for_all: bool = False
            ) -> Published | Waiting:
    """Build the signed BagIt package, keep it under ``publikasi/{tahun}/{kode}/{versi}/`` and send it up.

    ``dibuat_pada`` is the run's time (its logical date, ISO-8601), not the moment of building: it is the package's
    version, so a retried task writes the same version again. ``bag-info.txt`` says both (``bags.bag_info``).
    """
    key = signing_key(rt)  # before anything else: no key, no package (never an unsigned one)
    sent = rt.tier.deliveries(rt)
    if wait_for_all and len(sent) and not sent["terkirim"].all():
        return {"status": "menunggu", "belum": sent.loc[~sent["terkirim"], "kode_wilayah"].tolist()}
    identity = CycleIdentity(rt.tahun, rt.settings.tingkat, rt.wilayah, dibuat_pada)
    # the large tables are read a slice at a time while their files are written: neither is ever whole in memory
    files = build_package(identity, lambda: rt.warehouse.indicator_slices(rt.tahun), coverage(rt), {
        "komponen_desa": lambda: rt.warehouse.component_slices(rt.tahun, columns=tuple(COMPONENT_COLUMNS)),
        **rt.tier.publication_extras(rt, sent)})
    rows = {entry["nama"]: int(entry["baris"]) for entry in json.loads(files[MANIFEST])["berkas"]}
    signed: IdentityJson = {**identity.to_json(), "kode_wilayah": rt.settings.kode_paket}
    built = datetime.now(ZoneInfo(rt.daftar.zona_waktu))  # the bag's Bagging-Date, beside the run's Tanggal-Siklus
    bag = make_bag(files, bag_info(signed, rows, built), key)
    versi = layout.stamp(datetime.fromisoformat(dibuat_pada))
    own = layout.publication(rt.tahun, rt.settings.kode_paket, versi)
    put_many(rt.store, [(f"{own}/{name}", data) for name, data in bag.items()])
    rt.store.put(layout.publication_pointer(rt.tahun, rt.settings.kode_paket), feedback.dumps(
        {"versi": versi, "dibuat_pada": dibuat_pada, "dipublikasi_pada": layout.iso(datetime.now(UTC))}).encode())
    result: Published = {"status": "terbit", "paket": rt.store.location(own), "versi": versi, "berkas": sorted(bag),
                         "siklus": identity.name, "ditandatangani": SIGNATURE in bag}
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
