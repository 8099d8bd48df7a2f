"""The staging bundle: what the gate hands storage, as parquet under one prefix.

Two kinds: a batch of checked files (``FileBundle``) and a batch of child tiers' packages (``DeliveryBundle``).
Each frame is named after the warehouse table it loads into (``storage.schema``). Stages pass data through the
object store, not XCom. A bundle writes its frames and then an index (``_isi.json``) naming them, so the reader
asks for exactly what was written instead of listing a prefix that a half-finished earlier attempt may also have
written into.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd

from ..storage import layout
from ..storage.objects import ObjectStore, get_many, put_many
from ..storage.schema import COMPONENTS, DELIVERIES, ISSUES, QUARANTINE, SUBMISSIONS, SUMMARY, data_table

INDEX = "_isi.json"
_DATA = data_table("")  # the accepted rows of a dataset: its data table's name


@dataclass(frozen=True)
class FileBundle:
    """A gated batch of files: registry rows, findings, quarantined rows, rule summary, accepted rows per dataset."""

    submissions: pd.DataFrame
    issues: pd.DataFrame
    quarantine: pd.DataFrame
    summary: pd.DataFrame
    accepted: dict[str, pd.DataFrame]  # dataset -> its accepted rows

    def frames(self) -> dict[str, pd.DataFrame]:
        return {SUBMISSIONS: self.submissions, ISSUES: self.issues, QUARANTINE: self.quarantine,
                SUMMARY: self.summary, **{data_table(ds): f for ds, f in self.accepted.items()}}


@dataclass(frozen=True)
class DeliveryBundle:
    """A gated batch of child tiers' packages: one delivery row per version, the accepted versions' components."""

    deliveries: pd.DataFrame
    components: pd.DataFrame | None  # None: no version was accepted

    def frames(self) -> dict[str, pd.DataFrame]:
        return {DELIVERIES: self.deliveries, **({} if self.components is None else {COMPONENTS: self.components})}


Bundle = FileBundle | DeliveryBundle


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _bundle(frames: dict[str, pd.DataFrame]) -> Bundle:
    if DELIVERIES in frames:
        return DeliveryBundle(frames[DELIVERIES], frames.get(COMPONENTS))
    return FileBundle(frames[SUBMISSIONS], frames[ISSUES], frames[QUARANTINE], frames[SUMMARY],
                      {n.removeprefix(_DATA): f for n, f in frames.items() if n.startswith(_DATA)})


@dataclass(frozen=True)
class Staging:
    """Where a batch's bundle is staged: ``staging/{tahun}/{run}/{kelompok}``."""

    store: ObjectStore
    prefix: str

    @classmethod
    def for_batch(cls, store: ObjectStore, tahun: int, run_id: str, kelompok: str) -> Staging:
        return cls(store, layout.staging_prefix(tahun, run_id, kelompok))

    def write_frames(self, frames: dict[str, pd.DataFrame]) -> None:
        put_many(self.store, [(f"{self.prefix}/{name}.parquet", _parquet(f)) for name, f in frames.items()])
        self.store.put(f"{self.prefix}/{INDEX}", json.dumps(sorted(frames)).encode())  # last: complete once indexed

    def read_frames(self) -> dict[str, pd.DataFrame]:
        names: list[str] = json.loads(self.store.get(f"{self.prefix}/{INDEX}"))
        datas = get_many(self.store, [f"{self.prefix}/{n}.parquet" for n in names])
        return {n: pd.read_parquet(io.BytesIO(d)) for n, d in zip(names, datas, strict=True)}

    def write(self, bundle: Bundle) -> None:
        self.write_frames(bundle.frames())

    def read(self) -> Bundle:
        return _bundle(self.read_frames())
