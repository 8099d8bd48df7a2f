"""Judge a batch together, and each item alone only if the check itself breaks: one item's trouble (a bug its
bytes trigger) never costs the others their verdicts. The gate's files, the upper tiers' packages and the
pre-check's files all go through ``judge_isolated``; a check that still breaks on an item alone refuses that item
with ``INTERNAL``, the one message for a failure of the checker (never the sender's fault).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

INTERNAL = ("Pemeriksa mengalami galat internal ({kind}); ini bukan kesalahan berkas Anda. Tidak perlu mengubah atau "
            "mengirim ulang berkas kecuali diminta; laporkan pesan ini ke petugas BPS kabupaten/kota.")


def internal_error(exc: BaseException) -> str:
    """``INTERNAL`` for this failure: the kind of error, never its text (which may quote the data)."""
    return INTERNAL.format(kind=type(exc).__name__)


def judge_isolated(items: Sequence[T], alone: Callable[[T], R], refuse: Callable[[T, str], R], *,
                   together: Callable[[Sequence[T]], list[R] | None] | None = None, what: str = "berkas",
                   name: Callable[[T], str] = str, outages: tuple[type[BaseException], ...] = (),
                   logger: logging.Logger | None = log) -> list[R]:
    """The items' results, one each, in order.

    ``together`` judges them in one run (None: no joined answer, judge each alone); if it raises, each item is
    judged ``alone``, and one whose check still raises gets ``refuse(item, internal_error(exc))`` (a single item is
    refused at once: its joined run was its run alone). ``outages`` (disk, network, warehouse) are raised, never a
    refusal: the task fails and is retried, and an item is judged only on what it holds. Each failure is logged with
    its traceback for the engineers (``logger``; None where the refusal itself is the report, as on the command line).
    """
    if together is not None:
        try:
            joined = together(items)
        except outages:
            raise
        except Exception as exc:
            _log(logger, "pemeriksaan bersama %d %s gagal; diperiksa satu per satu", len(items), what)
            if len(items) == 1:
                return [refuse(items[0], internal_error(exc))]
            joined = None
        if joined is not None:
            return joined
    out: list[R] = []
    for item in items:
        try:
            out.append(alone(item))
        except outages:
            raise
        except Exception as exc:
            _log(logger, "pemeriksaan %s %s gagal", what, name(item))
            out.append(refuse(item, internal_error(exc)))
    return out


def _log(logger: logging.Logger | None, message: str, *args: object) -> None:
    if logger is not None:
        logger.exception(message, *args)
