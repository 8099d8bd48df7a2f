"""Walidata storage: the object store (MinIO/S3 or a local folder) and the warehouse (PostgreSQL or SQLite).

One small interface each, so every stage runs the same on a kabupaten server (PostgreSQL + MinIO) and on
the embedded default (SQLite + a folder). The package's seams:

- ``objects``   the stores (``ObjectStore``, ``LocalFolderStore``, ``MinioStore``, ``open_store``); ``NotFound``
- ``layout``    every object key and stored-report route (stdlib only: DAG files import it at parse time)
- ``schema``    the table names and the one SQLAlchemy ``MetaData``
- ``migrasi``   the one way the warehouse's tables are made or changed (Alembic revisions; ``python -m desa_cantik migrasi``)
- ``columns``   rows and frames as typed columns, COPY's CSV, values for JSON
- ``bulk``, ``writes``   COPY and bulk loads, upserts; ``reads`` whole frames; ``pages`` the pages' named queries
  returning the frozen rows of ``rows``; ``warehouse`` joins them in ``Warehouse``

The names below are loaded on first use, so ``storage.layout`` stays as cheap as it always was (no SQLAlchemy,
no pandas) and a task that only lists the inbox never loads the warehouse.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what ``_HOME`` loads, for the type checker
    from .columns import BULK_ROWS as BULK_ROWS
    from .columns import none_if_missing as none_if_missing
    from .columns import to_json_text as to_json_text
    from .objects import LocalFolderStore as LocalFolderStore
    from .objects import MinioStore as MinioStore
    from .objects import NotFound as NotFound
    from .objects import ObjectInfo as ObjectInfo
    from .objects import ObjectStore as ObjectStore
    from .objects import RestoredTimes as RestoredTimes
    from .objects import get_many as get_many
    from .objects import mask_url as mask_url
    from .objects import open_store as open_store
    from .objects import put_many as put_many
    from .schema import COMPONENTS as COMPONENTS
    from .schema import DELIVERIES as DELIVERIES
    from .schema import INDICATORS as INDICATORS
    from .schema import ISSUES as ISSUES
    from .schema import QUARANTINE as QUARANTINE
    from .schema import SUBMISSIONS as SUBMISSIONS
    from .schema import SUMMARY as SUMMARY
    from .schema import data_table as data_table
    from .schema import metadata as metadata
    from .warehouse import Warehouse as Warehouse

_HOME = {
    **dict.fromkeys(("BULK_ROWS", "none_if_missing", "to_json_text"), "columns"),
    **dict.fromkeys(("LocalFolderStore", "MinioStore", "NotFound", "ObjectInfo", "ObjectStore", "RestoredTimes", "get_many",
                     "mask_url", "open_store", "put_many"), "objects"),
    **dict.fromkeys(("COMPONENTS", "DELIVERIES", "INDICATORS", "ISSUES", "QUARANTINE", "SUBMISSIONS", "SUMMARY",
                     "data_table", "metadata"), "schema"),
    "Warehouse": "warehouse",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
