"""The walidata's warehouse (PostgreSQL or SQLite): one class over the load, read and page modules."""

from __future__ import annotations

from .pages import Pages
from .reads import Reads
from .writes import Writes


class Warehouse(Writes, Reads, Pages):
    """The walidata's warehouse. Every write is idempotent: replaying a load leaves the same rows.

    Writes and COPY in ``writes``/``bulk``, frame reads in ``reads``, the pages' named queries (frozen rows of
    ``rows``) in ``pages``; the schema in ``schema``.
    """
