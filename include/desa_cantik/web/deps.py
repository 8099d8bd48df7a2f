"""The tier this process serves, loaded once; an area or a file's sha256 from a URL; the clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi import HTTPException

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime

SHA256 = re.compile(r"[0-9a-f]{64}")
_SERVING: list[Runtime] = []  # tiers given by ``serving`` (tests, the page benchmark), innermost last


@lru_cache(maxsize=1)
def _from_env() -> Runtime:
    from desa_cantik.cycle.runtime import Runtime

    return Runtime.from_env()


def runtime() -> Runtime:
    """One runtime per process: settings, Daftar Data, warehouse and store (pandas loads here, on first use)."""
    return _SERVING[-1] if _SERVING else _from_env()


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
