"""What each page shows, from the runtime: the tier policy (``rt.tier``) and the region levels (``kosakata``)
decide, never a tier's name or a code's length. The routes render what these return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from desa_cantik.kosakata import is_desa, level_of

from .deps import area

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.kirim import Operator
    from desa_cantik.pantau import HalamanIndikator
    from desa_cantik.pantau.siklus import Hitungan


@dataclass(frozen=True)
class Tampilan:
    """A page to render: its template and what it shows."""

    template: str
    konteks: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Pindah:
    """Another of our pages answers this (a 303 to ``path``, under the app's root)."""

    path: str


# --- Pantau siklus -----------------------------------------------------------------------------------


def pantau_wilayah(rt: Runtime, kode: str, now: datetime, hanya: str) -> Tampilan | Pindah:
    """An area's page: each desa of a kecamatan, else the area's sub-areas; above a kabupaten, what the tier sees."""
    from desa_cantik import grafik, pantau

    if not rt.tier.monitors_desa:
        return Tampilan("pantau_atas.html")
    found = area(kode)
    crumbs = pantau.jejak(rt.wilayah, found)
    if is_desa(found):
        return Pindah(f"/pantau/desa/{found}")
    if level_of(found) == "kecamatan":
        page = pantau.daftar_desa(rt.warehouse, rt.daftar, found, now)
        return Tampilan("pantau_desa.html", {"p": page, "jejak": crumbs, "hanya": hanya})
    summary = pantau.ringkasan_wilayah(rt.warehouse, rt.daftar, rt.wilayah, found, now)
    chart = grafik.status_dataset([(d.nama, _status_counts(summary.jumlah.hitungan[d.nama])) for d in summary.datasets])
    return Tampilan("pantau.html", {"p": summary, "jejak": crumbs, "grafik": chart, "hanya": hanya})


def _status_counts(h: Hitungan) -> dict[str, int]:
    return {"diterima": h.diterima - h.catatan, "dengan catatan": h.catatan, "ditolak": h.ditolak,
            "belum dikirim": h.belum}


def pantau_desa(rt: Runtime, kode: str) -> Tampilan | None:
    """One desa's files and findings (None: not a desa of this tier, or a tier that does not monitor desa)."""
    from desa_cantik import pantau

    found = area(kode)
    if not is_desa(found) or not rt.tier.monitors_desa:
        return None
    page = pantau.rincian_desa(rt.warehouse, rt.daftar, found)
    return Tampilan("desa.html", {"p": page, "jejak": pantau.jejak(rt.wilayah, found)})


def cari(rt: Runtime, text: str) -> Pindah | None:
    """A file's sha256, a desa or an area code: its page (None: nothing of this tier)."""
    from desa_cantik.pantau import area_inside

    from .deps import SHA256

    if SHA256.fullmatch(text):  # a file of any year: its own year's page
        row = rt.warehouse.files_by_sha([text]).get(text)
        return Pindah(f"/berkas/{row.tahun if row else rt.tahun}/{text}")
    found = area_inside(rt.wilayah, text)
    if found is None:
        return None
    return Pindah(f"/pantau/desa/{found}" if is_desa(found) else f"/pantau/wilayah/{found}")


# --- Temuan, Indikator, Paket ------------------------------------------------------------------------


def temuan(rt: Runtime, wilayah: str) -> Tampilan:
    from desa_cantik import pantau

    page = pantau.temuan(rt.warehouse, rt.tahun, rt.wilayah, area(wilayah or rt.wilayah))
    return Tampilan("temuan.html", {"p": page})


def temuan_aturan(rt: Runtime, aturan: str, wilayah: str) -> Tampilan:
    from desa_cantik import pantau

    found = area(wilayah or rt.wilayah)
    page = pantau.temuan_aturan(rt.warehouse, rt.tahun, rt.wilayah, aturan[:32], found)
    return Tampilan("temuan_aturan.html", {"p": page})


def indikator(rt: Runtime, tingkat: str, indikator: str, induk: str) -> Tampilan:
    """The tier's indicators with coverage, one level's table; the areas to narrow it to below the tier's own level."""
    from desa_cantik import grafik, pantau

    found = area(induk or rt.wilayah)
    page = pantau.halaman_indikator(rt.warehouse, rt.tahun, rt.wilayah, tingkat or None, indikator or None, found)
    coverage = grafik.cakupan([r.nama_indikator for r in page.ringkasan], [r.persen for r in page.ringkasan])
    values = grafik.batang([f"{r.nama_wilayah} ({r.kode_wilayah})" for r in page.baris],
                           [r.nilai for r in page.baris], f"{page.nama_indikator} ({_unit(page)})")
    narrow = pantau.sub_areas(rt.wilayah) if page.tingkat != level_of(rt.wilayah) else []
    return Tampilan("indikator.html", {"p": page, "grafik_cakupan": coverage, "grafik_nilai": values,
                                       "induk_pilihan": narrow})


def _unit(page: HalamanIndikator) -> str:
    return str(page.baris[0].satuan) if page.baris else ""


def paket(rt: Runtime) -> Tampilan:
    """Published versions and Bappeda's decisions; above a kabupaten, each child's deliveries too."""
    from desa_cantik import pantau

    child = None if rt.tier.monitors_desa else rt.tier.child_code_length
    page = pantau.halaman_paket(rt.warehouse, rt.store, rt.tahun, rt.settings.tingkat, rt.wilayah,
                                rt.settings.kode_paket, child)
    return Tampilan("paket.html", {"p": page})


# --- files -------------------------------------------------------------------------------------------


def berkas(rt: Runtime, tahun: int, sha256: str) -> Tampilan | None:
    """A file's page, with a link to its run's Data Docs index when the gate wrote one (None: no such file)."""
    from desa_cantik import pantau
    from desa_cantik.storage.layout import DATA_DOCS, data_docs_index_key

    page = pantau.rincian_berkas(rt.warehouse, tahun, sha256)
    if page is None:
        return None
    index = data_docs_index_key(tahun, page.berkas.run_id)
    has_index = rt.store.exists(index)
    return Tampilan("berkas.html", {"p": page, "indeks_datadocs": index.removeprefix(DATA_DOCS + "/") if has_index else None})


def report_key(rt: Runtime, tahun: int, sha256: str) -> str | None:
    """The stored key of the operator's report for a file of that year (None: no such file)."""
    from desa_cantik.storage.layout import report_key

    row = rt.warehouse.files_by_sha([sha256]).get(sha256)
    return None if row is None or row.tahun != tahun else report_key(row.kunci_arsip, "html")


def datadocs_path(rt: Runtime, tahun: int, sha256: str) -> str | None:
    """The Data Docs page of the gate run that judged a file, under ``data_docs/`` (None: none was written)."""
    from desa_cantik.pantau import data_docs_key
    from desa_cantik.storage.layout import DATA_DOCS

    row = rt.warehouse.files_by_sha([sha256]).get(sha256)
    key = None if row is None or row.tahun != tahun else \
        data_docs_key(rt.store, tahun, row.run_id or "", row.pengirim, row.dataset)
    return None if key is None else key.removeprefix(DATA_DOCS + "/")


# --- Kirim data --------------------------------------------------------------------------------------


def langsung_ada(rt: Runtime, op: Operator) -> bool:
    """An agency may send straight to object storage when the tier's store can sign such a form."""
    from desa_cantik.storage import MinioStore

    return op.opd and isinstance(rt.store, MinioStore)


def kirim(rt: Runtime, op: Operator, now: datetime) -> dict[str, object]:
    """What every operator page shows around its own content: whom I send as, which datasets, the deadline."""
    from desa_cantik import kirim

    senders = op.pengirim(rt)
    return {"op": op, "pengirim": senders, "nama_pengirim": {p.kode: p.nama for p in senders},
            "datasets": op.datasets(rt.daftar), "hari": kirim.hari_tersisa(rt.daftar, now),
            "batas": rt.daftar.batas_akhir.isoformat(), "STATUS": kirim.STATUS_AKHIR,
            "langsung_ada": langsung_ada(rt, op), "ada_tahun_lalu": rt.tahun - 1 in rt.warehouse.years()}

