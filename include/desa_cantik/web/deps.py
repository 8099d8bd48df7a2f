"""The tier this process serves, loaded once (its Daftar Data read again when the file changes); the year a page
shows; an area or a file's sha256 from a URL; the clock."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.pantau import PilihanTahun

SHA256 = re.compile(r"[0-9a-f]{64}")
_SERVING: list[Runtime] = []  # tiers given by ``serving`` (tests, the page benchmark), innermost last


_DAFTAR_DIBACA: dict[str, int] = {}  # the Daftar Data's path -> its modification time when last read


@lru_cache(maxsize=1)
def _from_env() -> Runtime:
    from desa_cantik.cycle.runtime import Runtime

    rt = Runtime.from_env()
    _DAFTAR_DIBACA[str(rt.settings.daftar_data)] = _mtime(rt)
    return rt


def _mtime(rt: Runtime) -> int:
    try:
        return rt.settings.daftar_data.stat().st_mtime_ns
    except OSError:
        return -1


def _daftar_terbaru(rt: Runtime) -> Runtime:
    """The Daftar Data read again when its file changed (``gulir-tahun --tulis`` on a running server): the pages open
    the new year without a restart. A file that no longer reads keeps the one read before, and says so in the log."""
    from desa_cantik.config import DaftarData

    path, when = str(rt.settings.daftar_data), _mtime(rt)
    if _DAFTAR_DIBACA.get(path) == when:
        return rt
    _DAFTAR_DIBACA[path] = when
    try:
        rt.daftar = DaftarData.load(rt.settings.daftar_data)
    except Exception as exc:  # keep serving the last good Daftar Data
        logging.getLogger(__name__).warning("Daftar Data %s tidak dapat dibaca ulang (%s); yang lama tetap dipakai",
                                            path, exc)
    return rt


def runtime() -> Runtime:
    """One runtime per process: settings, Daftar Data, warehouse and store (pandas loads here, on first use)."""
    return _SERVING[-1] if _SERVING else _daftar_terbaru(_from_env())


@dataclass(frozen=True)
class Tahunan:
    """A page's year: the tier seen in that year (``rt``), and the choice of years the page offers."""

    rt: Runtime
    pilihan: PilihanTahun


def tahunan(tahun: str = "") -> Tahunan:
    """``?tahun=``: a year the warehouse holds (none: the Daftar Data's), or 404 naming the years there are."""
    from desa_cantik.pantau import TahunTidakAda, pilihan_tahun

    rt = runtime()
    try:
        chosen = pilihan_tahun(rt.warehouse, rt.tahun, tahun)
    except TahunTidakAda as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return Tahunan(rt.untuk_tahun(chosen.tahun), chosen)


TahunDep = Annotated[Tahunan, Depends(tahunan)]


def forget() -> None:
    """Build the runtime again from the environment on its next use (a test's own deployment)."""
    _from_env.cache_clear()


@contextmanager
def serving(rt: Runtime) -> Iterator[Runtime]:
    """The pages serve ``rt`` instead of the environment's tier while the block runs."""
    _SERVING.append(rt)
    try:
        yield rt
    finally:
        _SERVING.remove(rt)


def area(kode: str) -> str:
    """An area inside this tier from a URL, or 404."""
    from desa_cantik.pantau import area_inside

    found = area_inside(runtime().wilayah, kode)
    if found is None:
        raise HTTPException(status_code=404, detail=f"wilayah {kode[:20]} tidak ada di wilayah tingkat ini")
    return found


def sha(sha256: str) -> str:
    """A file's sha256 from a URL (lower case), or 404."""
    text = sha256.lower()
    if not SHA256.fullmatch(text):
        raise HTTPException(status_code=404, detail="sha256 berkas tidak sah")
    return text


def now() -> datetime:
    return datetime.now(UTC)
