"""Which year a page shows: the Daftar Data's own by default, or any year the warehouse holds (``?tahun=``).

After ``gulir-tahun`` the pages open the new year; the years before stay one choice away, each page's links
keeping the year chosen. Deadlines belong to the running year only: a page of an earlier year does not show one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..storage import Warehouse


class TahunTidakAda(LookupError):
    """A year the warehouse holds nothing of (the message names the years it does hold)."""


@dataclass(frozen=True)
class PilihanTahun:
    tahun: int  # the year shown
    berjalan: int  # the Daftar Data's year
    pilihan: tuple[int, ...]  # every year to choose from, newest first (the running year among them)

    @property
    def lalu(self) -> bool:
        """Another year than the running one: no deadline, nothing to send for it."""
        return self.tahun != self.berjalan

    @property
    def param(self) -> str:
        """``tahun=2025`` for a link's query when the year is not the running one (else nothing)."""
        return f"tahun={self.tahun}" if self.lalu else ""

    @property
    def q(self) -> str:
        """A link's whole query for the year: ``?tahun=2025`` or nothing."""
        return f"?{self.param}" if self.lalu else ""

    @property
    def dan(self) -> str:
        """The year appended to a query that has other parameters: ``&tahun=2025`` or nothing."""
        return f"&{self.param}" if self.lalu else ""


def pilihan_tahun(wh: Warehouse, berjalan: int, diminta: str = "") -> PilihanTahun:
    """The year asked for (none: the running year) among the years there are; ``TahunTidakAda`` otherwise."""
    years = tuple(sorted({*wh.years(), berjalan}, reverse=True))
    text = diminta.strip()[:8]
    if not text:
        return PilihanTahun(berjalan, berjalan, years)
    if not text.isdigit() or int(text) not in years:
        raise TahunTidakAda(f"Tahun '{text}' tidak ada di gudang data tingkat ini. Pilih salah satu: "
                            f"{', '.join(map(str, years))}.")
    return PilihanTahun(int(text), berjalan, years)
