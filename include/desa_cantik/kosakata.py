"""The domain's words, each defined once: tiers, producers, verdict statuses and region levels.

Every module that branches on one of these asks here (or on the ``Tier`` policy), never on a literal
string or a code's length. Pure Python: no pandas, no region data, cheap to import at DAG parse time.

Region codes follow Kemendagri: ``35`` (provinsi), ``35.07`` (kabupaten/kota), ``35.07.01`` (kecamatan),
``35.07.01.2001`` (desa/kelurahan); ``""`` is the whole country (the centre, *nasional*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, get_args

# --- tiers: which server this deployment is ----------------------------------------------------------

Tingkat = Literal["kabupaten", "provinsi", "pusat"]
KABUPATEN: Final = "kabupaten"
PROVINSI: Final = "provinsi"
PUSAT: Final = "pusat"
TINGKAT: Final[tuple[Tingkat, ...]] = get_args(Tingkat)

# --- producers: who sends a dataset (the Daftar Data's ``produsen``) ---------------------------------

Produsen = Literal["pemerintah_desa", "opd", "bps"]
PEMERINTAH_DESA: Final = "pemerintah_desa"
OPD: Final = "opd"
BPS: Final = "bps"
PRODUSEN: Final[tuple[Produsen, ...]] = get_args(Produsen)
PRODUSEN_LABEL: Final[dict[str, str]] = {PEMERINTAH_DESA: "tiap desa", BPS: "BPS", OPD: "OPD"}
BPS_SENDER: Final = "BPS"  # the inbox folder and sender code of BPS's own files


def per_desa(produsen: str) -> bool:
    """True: every desa sends this dataset for itself (so its inbox folder is a desa code)."""
    return produsen == PEMERINTAH_DESA


# --- statuses: a file's verdict, and what the pages add around it -------------------------------------

Status = Literal["diterima", "diterima_dengan_catatan", "ditolak"]
DITERIMA: Final = "diterima"
DITERIMA_DENGAN_CATATAN: Final = "diterima_dengan_catatan"
DITOLAK: Final = "ditolak"
# Not verdicts: where a submission stands before or beside the gate (pages, Kirim data, the approval).
BELUM: Final = "belum"  # expected and not sent
MENUNGGU: Final = "menunggu"  # queued through Kirim data, the hourly gate has not judged it yet
TIDAK_DIKIRIM: Final = "tidak_dikirim"  # rejected by Kirim data's pre-check: kept, never queued
STATUS: Final[tuple[Status, ...]] = get_args(Status)
STATUS_LABEL: Final[dict[str, str]] = {
    DITERIMA: "diterima",
    DITERIMA_DENGAN_CATATAN: "diterima dengan catatan",
    DITOLAK: "ditolak",
    BELUM: "belum dikirim",
}
# Where an operator's own submission stands (Kirim data, Berkas saya): the verdicts plus the queue.
STATUS_KIRIMAN: Final[dict[str, str]] = {
    MENUNGGU: "menunggu gerbang berikutnya (tiap jam)",
    TIDAK_DIKIRIM: "tidak masuk antrean (ditolak)",
    DITERIMA: STATUS_LABEL[DITERIMA],
    DITERIMA_DENGAN_CATATAN: STATUS_LABEL[DITERIMA_DENGAN_CATATAN],
    DITOLAK: STATUS_LABEL[DITOLAK],
}


def status_label(status: str) -> str:
    return STATUS_LABEL.get(status, status)


# --- region levels ------------------------------------------------------------------------------------

Level = Literal["nasional", "provinsi", "kabupaten", "kecamatan", "desa"]
LEVELS: Final[tuple[Level, ...]] = get_args(Level)  # top down
CODE_LENGTH: Final[dict[Level, int]] = {"nasional": 0, "provinsi": 2, "kabupaten": 5, "kecamatan": 8, "desa": 13}
_LEVEL_BY_DOTS: Final[dict[int, Level]] = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
DESA_LENGTH: Final = CODE_LENGTH["desa"]


def level_of(kode: str) -> Level | None:
    """The level of a canonical code (``35.07`` is a kabupaten), None when it is not one."""
    if not kode:
        return "nasional"
    parts = kode.split(".")
    level = _LEVEL_BY_DOTS.get(len(parts))
    return level if level is not None and len(kode) == CODE_LENGTH[level] else None


def is_desa(kode: str | None) -> bool:
    """True for a canonical desa/kelurahan code (``35.07.01.2001``)."""
    return bool(kode) and level_of(str(kode)) == "desa"


def child_level(level: Level) -> Level | None:
    """The level directly below (kabupaten → kecamatan); None below a desa."""
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def child_length(kode: str) -> int | None:
    """The code length of an area's sub-areas (``35.07`` → 8), None for a desa or a non-code."""
    level = level_of(kode)
    below = child_level(level) if level else None
    return CODE_LENGTH[below] if below else None


def cut(kode: str, level: Level) -> str:
    """The code of the area at ``level`` that holds ``kode`` (``cut("35.07.01.2001", "kecamatan")`` → ``35.07.01``)."""
    return kode[: CODE_LENGTH[level]]


def within(kode: str, area: str) -> bool:
    """True when ``kode`` is ``area`` or lies inside it (``""``/``"ID"`` holds every code)."""
    return area in ("", "ID") or kode == area or kode.startswith(area + ".")


def children_of(area: str, codes: Iterable[str]) -> list[str]:
    """The distinct codes of ``area``'s direct sub-areas that hold any of ``codes``, sorted."""
    n = child_length(area)
    if n is None:
        return []
    return sorted({k[:n] for k in codes if len(k) >= n and within(k, area)})


def parent_of(kode: str) -> str | None:
    """The area directly above (``35.07.01`` → ``35.07``); None for the country."""
    if not kode:
        return None
    return kode.rsplit(".", 1)[0] if "." in kode else ""
