"""Paket: this tier's published package versions, above kabupaten every child region's deliveries, and
Bappeda's decisions before publishing."""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..bags import BAG_INFO, READABLE_FORMATS, RELEASE, BagRelease, read_release
from ..kosakata import DITERIMA, DITOLAK, status_label
from ..pii import mask_text
from ..regions import desa_table, region_name
from ..storage import NotFound, ObjectStore, Warehouse, layout
from ..storage.rows import Delivery


@dataclass(frozen=True)
class BerkasPaket:
    nama: str
    baris: int


@dataclass(frozen=True)
class VersiTerbit:
    versi: str
    objek: int
    ukuran: int
    bertanda_tangan: bool
    terbaru: bool
    berkas: list[BerkasPaket]


@dataclass(frozen=True)
class VersiAnak:
    versi: str
    diterima_pada: str
    status: str
    alasan: str | None
    baris_komponen: int
    dipakai: bool

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Anak:
    kode: str
    nama: str
    versi: list[VersiAnak]  # newest first
    desa_komponen: int
    desa_total: int
    rilis: BagRelease | None = None  # the release and package format of the version in use (its bag-info.txt)

    @property
    def terkirim(self) -> bool:
        return any(v.status == DITERIMA for v in self.versi)

    @property
    def ditolak(self) -> int:
        return sum(v.status == DITOLAK for v in self.versi)


@dataclass(frozen=True)
class KeputusanBappeda:
    """Bappeda's answer before publishing (``persetujuan/{tahun}/{kode}/``): approved, refused, or no answer."""

    keputusan: str  # disetujui | ditolak
    oleh: str
    pada: str
    alasan: str
    batas_waktu_habis: bool
    run_id: str


@dataclass(frozen=True)
class HalamanPaket:
    tahun: int
    tingkat: str
    kode_paket: str
    terbit: list[VersiTerbit]  # newest first
    dipublikasi_pada: str | None
    anak: list[Anak]  # above kabupaten: every child region, delivered or not
    keputusan: list[KeputusanBappeda] = field(default_factory=list)  # newest first

    @property
    def belum(self) -> list[Anak]:
        return [a for a in self.anak if not a.terkirim]

    @property
    def rilis(self) -> str:
        return RELEASE

    @property
    def format_diterima(self) -> str:
        return " dan ".join(str(n) for n in READABLE_FORMATS)


def published_versions(store: ObjectStore, tahun: int, kode_paket: str) -> tuple[list[VersiTerbit], str | None]:
    """This tier's packages under ``publikasi/``: objects, size, signature, and the files with their rows."""
    from ..bags import SIGNATURE
    from ..publishing import MANIFEST

    prefix = layout.publication_prefix(tahun, kode_paket)
    pointer = layout.publication_pointer(tahun, kode_paket)
    newest = json.loads(store.get(pointer)) if store.exists(pointer) else {}
    objects: dict[str, list[str]] = defaultdict(list)
    size: dict[str, int] = defaultdict(int)
    listed: set[str] = set()
    for obj in store.list(prefix):
        listed.add(obj.key)
        versi, _, rest = obj.key[len(prefix):].partition("/")
        if rest:
            objects[versi].append(rest)
            size[versi] += obj.size
    out = []
    for versi in sorted(objects, reverse=True):
        manifest_key = layout.publication_manifest(tahun, kode_paket, versi, MANIFEST)
        files = json.loads(store.get(manifest_key))["berkas"] if manifest_key in listed else []
        out.append(VersiTerbit(versi, len(objects[versi]), size[versi], SIGNATURE in objects[versi],
                               versi == newest.get("versi"), [BerkasPaket(f["nama"], int(f["baris"])) for f in files]))
    return out, newest.get("dipublikasi_pada")


def children_deliveries(wh: Warehouse, store: ObjectStore, tahun: int, wilayah_tingkat: str, child_length: int
                        ) -> list[Anak]:
    """Above kabupaten: every child region, its package versions (refusals with reasons), the version in use with
    the release that made it, and how many of its desa have components."""
    master = desa_table(wilayah_tingkat)["kode_desa"].str[:child_length].value_counts()
    have = wh.component_desa_counts(tahun, child_length)
    versions: dict[str, list[Delivery]] = defaultdict(list)
    for r in wh.delivery_rows(tahun):
        versions[r.kode_pengirim].append(r)
    used = {kode: max((r for r in rows if r.status == DITERIMA), key=lambda r: r.versi, default=None)
            for kode, rows in versions.items()}
    releases = _releases(store, {kode: r.kunci_arsip for kode, r in used.items() if r is not None})
    out = []
    for kode in sorted(master.index):
        rows = versions.get(kode, [])
        in_use = used.get(kode)
        out.append(Anak(kode, region_name(kode), [
            VersiAnak(r.versi, r.diterima_pada, r.status, mask_text(r.alasan), int(r.baris_komponen),
                      in_use is not None and r.versi == in_use.versi) for r in rows], have.get(kode, 0),
            int(master[kode]), releases.get(kode)))
    return out


# an archived version's bag-info.txt never changes: read once per process (by its location: store and key)
_RELEASES: dict[str, BagRelease] = {}
_RELEASES_KEPT = 10_000


def _releases(store: ObjectStore, archives: dict[str, str]) -> dict[str, BagRelease | None]:
    """Per child, the release named by the archived ``bag-info.txt`` of its version in use (checked when accepted)."""
    def one(arsip: str) -> BagRelease | None:
        key = layout.package_archive_file(arsip, BAG_INFO)
        where = store.location(key)
        if where in _RELEASES:
            return _RELEASES[where]
        try:
            found = read_release(store.get(key))
        except (NotFound, OSError, ValueError):  # the archive went missing: the page still shows the rest
            return None
        if found is not None:
            if len(_RELEASES) >= _RELEASES_KEPT:
                _RELEASES.clear()
            _RELEASES[where] = found
        return found

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(archives, pool.map(one, archives.values()), strict=True))


def bappeda_decisions(store: ObjectStore, tahun: int, kode_paket: str) -> list[KeputusanBappeda]:
    """Every publication decision Bappeda made (or that timed out) for this tier's cycle, newest first."""
    from ..cycle.persetujuan import APPROVALS

    out = []
    for obj in sorted(store.list(f"{APPROVALS}/{tahun}/{kode_paket}/"), key=lambda o: o.key, reverse=True):
        if obj.key.endswith(".json"):
            k = json.loads(store.get(obj.key))
            out.append(KeputusanBappeda(str(k.get("keputusan", "")), mask_text(str(k.get("oleh") or "")) or "",
                                        str(k.get("pada", "")), mask_text(str(k.get("alasan") or "")) or "",
                                        bool(k.get("batas_waktu_habis")), str(k.get("run_id", ""))))
    return out


def halaman_paket(wh: Warehouse, store: ObjectStore, tahun: int, tingkat: str, wilayah_tingkat: str, kode_paket: str,
                  child_length: int | None) -> HalamanPaket:
    terbit, published = published_versions(store, tahun, kode_paket)
    anak = children_deliveries(wh, store, tahun, wilayah_tingkat, child_length) if child_length else []
    return HalamanPaket(tahun, tingkat, kode_paket, terbit, published, anak, bappeda_decisions(store, tahun, kode_paket))
