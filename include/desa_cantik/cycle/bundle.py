"""The staging bundle: the frames the gate hands storage, as parquet under one prefix.

Stages pass data through the object store, not XCom. A bundle writes its frames and then an index
(``_isi.json``) naming them, so the reader asks for exactly what was written instead of listing a
prefix that a half-finished earlier attempt may also have written into.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd

from ..storage import ObjectStore, get_many, put_many
from . import layout

INDEX = "_isi.json"

# the names a bundle's frames take
SUBMISSIONS = "berkas"
ISSUES = "isu"
QUARANTINE = "karantina"
SUMMARY = "ringkasan"
DELIVERY = "pengiriman"
COMPONENTS = "komponen"
ACCEPTED_PREFIX = "diterima_"


def accepted(dataset: str) -> str:
    return f"{ACCEPTED_PREFIX}{dataset}"


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


@dataclass(frozen=True)
class Bundle:
    store: ObjectStore
    prefix: str  # staging/{tahun}/{run}/{kelompok}

    @classmethod
    def for_batch(cls, store: ObjectStore, tahun: int, run_id: str, kelompok: str) -> Bundle:
        return cls(store, layout.staging_prefix(tahun, run_id, kelompok))

    def write(self, frames: dict[str, pd.DataFrame]) -> None:
        put_many(self.store, [(f"{self.prefix}/{name}.parquet", _parquet(f)) for name, f in frames.items()])
        self.store.put(f"{self.prefix}/{INDEX}", json.dumps(sorted(frames)).encode())  # last: complete once indexed

    def read(self) -> dict[str, pd.DataFrame]:
        names: list[str] = json.loads(self.store.get(f"{self.prefix}/{INDEX}"))
        datas = get_many(self.store, [f"{self.prefix}/{n}.parquet" for n in names])
        return {n: pd.read_parquet(io.BytesIO(d)) for n, d in zip(names, datas, strict=True)}
