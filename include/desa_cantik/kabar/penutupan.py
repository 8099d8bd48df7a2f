"""What the close tells Diskominfo and Admin, when its data is final (``persetujuan_bappeda`` begins): the children
with no accepted package by ``batas_akhir`` (provinsi/pusat), and the datasets whose desa coverage is under the
threshold the summary uses (``cycle.cerita.LOW_COVERAGE``), as Bappeda is shown them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .aturan import AturanKabar

if TYPE_CHECKING:
    from ..cycle.persetujuan import CakupanRingkas
    from ..cycle.runtime import Runtime
    from ..storage.kotak import Kabar


def kabar_penutupan(rt: Runtime, aturan: AturanKabar, run_id: str, now: datetime, nama_wilayah: str,
                    belum: Sequence[str], cakupan: Sequence[CakupanRingkas] = ()) -> list[Kabar]:
    """``belum``: the children's codes without an accepted package (late only once ``batas_akhir`` has passed: a
    close triggered before it names nobody late); ``cakupan``: per source, desa with data and desa in all."""
    from ..cycle.cerita import LOW_COVERAGE
    from ..regions import region_name
    from .peristiwa import cakupan_rendah, paket_terlambat

    rendah = [(c["sumber"], c["desa_kontribusi"], c["desa_total"]) for c in cakupan
              if c["desa_total"] and c["desa_kontribusi"] / c["desa_total"] < LOW_COVERAGE]
    out = cakupan_rendah(aturan, rt.tahun, nama_wilayah, run_id, rendah, LOW_COVERAGE)
    if belum and now >= rt.daftar.batas_akhir:
        out += paket_terlambat(aturan, rt.daftar.zona_waktu, rt.tahun, rt.daftar.batas_akhir,
                               [f"{region_name(k)} ({k})" for k in sorted(belum)], rt.daftar.tunggu_semua_paket)
    return out
