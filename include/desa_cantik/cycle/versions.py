"""A child's package versions, below the stages that judge (``packages``) and load (``store``) them: a version is
the signed creation time, and the newest plausible accepted one is the child's contribution."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..kosakata import DITERIMA
from ..storage import layout

if TYPE_CHECKING:
    from .runtime import Runtime

CLOCK_SKEW = timedelta(minutes=10)  # how far a child's clock may run ahead of this tier's
VERSION = re.compile(r"\d{8}T\d{6}Z")  # ``layout.stamp`` of the signed ``Dibuat-Pada``


def plausible_version(versi: str, now: datetime) -> bool:
    """A version that can be real: a stamp, not later than this tier's clock allows."""
    return bool(VERSION.fullmatch(versi)) and versi <= layout.stamp(now + CLOCK_SKEW)


def newest_accepted(rt: Runtime, kode: str, now: datetime | None = None) -> str | None:
    """The newest plausible version accepted from a child: what a new version must not be older than.

    An accepted version dated in the future (a replay accepted before versions were checked) is
    ignored, so it cannot freeze the child.
    """
    now = now or datetime.now(UTC)
    got = rt.warehouse.deliveries(rt.tahun)
    mine = got.loc[(got["kode_pengirim"] == kode) & (got["status"] == DITERIMA), "versi"]
    return max((v for v in mine if plausible_version(v, now)), default=None)


def is_newest(rt: Runtime, kode: str, versi: str) -> bool:
    """Whether an accepted version's components are the ones to use (a retried load of it included)."""
    now = datetime.now(UTC)
    newest = newest_accepted(rt, kode, now)
    return plausible_version(versi, now) and (newest is None or versi >= newest)
