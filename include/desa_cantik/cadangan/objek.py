"""The object store in a backup: every object's bytes once, named by their sha256, and a list of every key.

``objek/{sha[:2]}/{sha}`` holds the bytes (an archived file and the inbox file it copies are stored once; a hostile
key never becomes a path) and ``objek.json`` lists every object: key, sha256, size, and when it first arrived. A
restore puts each object back, reads it back and compares its sha256, and keeps the arrival times the gate knows
files by (``storage.RestoredTimes``). ``make stack-down``/``make stack`` use the same two steps, since the stack's
S3 server (moto) keeps objects in memory only.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from ..storage import NotFound, ObjectInfo, ObjectStore, RestoredTimes, layout

FOLDER = "objek"
LIST = "objek.json"
WORKERS = 8  # object I/O waits on the network, not the CPU


class CadanganRusak(ValueError):
    """A backup that cannot be trusted or restored here; the Indonesian message says what and what to do."""


class Objek(TypedDict):
    kunci: str
    sha256: str
    ukuran: int
    diterima_pada: str  # ISO-8601 UTC, as first received (a restored object keeps its first time)


class Ringkas(TypedDict):
    """Counts of a copy: objects and their bytes, and the distinct contents actually stored."""

    jumlah: int
    ukuran: int
    isi_unik: int
    ukuran_isi: int


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob(folder: Path, digest: str) -> Path:
    return folder / FOLDER / digest[:2] / digest


def _write_new(path: Path, data: bytes) -> None:
    """Written once: a blob is named by its content, so one already there is already right."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _everything(store: ObjectStore) -> list[ObjectInfo]:
    """Every object but the restored times, which a restore writes anew for what it restores."""
    return [o for o in store.list("") if not o.key.startswith(layout.RESTORED + "/")]


def _year(key: str) -> int | None:
    parts = key.split("/")
    return int(parts[1]) if len(parts) > 2 and parts[0] == layout.INBOX and parts[1].isdigit() else None


def _received(store: ObjectStore, objs: Iterable[ObjectInfo]) -> dict[str, str]:
    """Each object's arrival as the gate knows it (an object restored earlier keeps its first time)."""
    times: dict[int, RestoredTimes] = {}
    out = {}
    for o in objs:
        year = _year(o.key)
        if year is not None and year not in times:
            times[year] = RestoredTimes.read(store, year)
        out[o.key] = layout.iso(times[year].received(o) if year is not None else o.last_modified)
    return out


def save(store: ObjectStore, folder: Path) -> Ringkas:
    """Copy every object of the store into ``folder`` (``objek/`` and ``objek.json``); blobs no object needs any
    more are removed, so saving into the same folder again writes only what changed."""
    objs = _everything(store)
    received = _received(store, objs)

    def copy(o: ObjectInfo) -> Objek:
        data = store.get(o.key)
        digest = sha256(data)
        _write_new(blob(folder, digest), data)
        return {"kunci": o.key, "sha256": digest, "ukuran": len(data), "diterima_pada": received[o.key]}

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        entries = sorted(pool.map(copy, objs), key=lambda e: e["kunci"])
    lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)  # one object a line: diffable, greppable
    (folder / LIST).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    wanted = {e["sha256"] for e in entries}
    for path in (folder / FOLDER).glob("*/*"):
        if path.name not in wanted:
            path.unlink()
    return summary(entries)


def summary(entries: list[Objek]) -> Ringkas:
    unique = {e["sha256"]: e["ukuran"] for e in entries}
    return {"jumlah": len(entries), "ukuran": sum(e["ukuran"] for e in entries), "isi_unik": len(unique),
            "ukuran_isi": sum(unique.values())}


def entries(folder: Path) -> list[Objek]:
    try:
        found: list[Objek] = json.loads((folder / LIST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CadanganRusak(f"{folder / LIST} tidak ada: folder ini bukan cadangan objek Desa Cantik") from None
    return found


def check_blobs(folder: Path) -> list[str]:
    """Problems with the stored contents: a listed object whose bytes are missing or are not its sha256."""
    problems = []
    for digest in sorted({e["sha256"] for e in entries(folder)}):
        path = blob(folder, digest)
        if not path.is_file():
            problems.append(f"isi objek {digest} hilang dari {path.parent}")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"isi objek {digest} rusak (sha256 tidak cocok)")
    return problems


@dataclass(frozen=True)
class Dimuat:
    """What a load did: objects put, objects already there with the same bytes, and every checksum compared."""

    ditulis: int
    sudah_ada: int
    ukuran: int


def load(store: ObjectStore, folder: Path) -> Dimuat:
    """Put every object of the copy back and read each one back to compare its sha256; then keep their arrival times.

    Only into a store holding nothing but these objects (a fresh deployment, or one a load stopped half-way):
    an object of the same key with other bytes, or any object not in the copy, refuses the load before it writes.
    """
    listed = entries(folder)
    wanted = {e["kunci"]: e for e in listed}
    there = {o.key: o for o in _everything(store)}
    foreign = sorted(set(there) - set(wanted))
    if foreign:
        raise CadanganRusak(f"Penyimpanan objek tujuan tidak kosong: {len(foreign)} objek tidak ada di cadangan "
                            f"(mis. {foreign[0]!r}). Pulihkan hanya ke deployment baru (bucket kosong).")

    def put(e: Objek) -> bool:
        if e["kunci"] in there:
            if sha256(store.get(e["kunci"])) == e["sha256"]:
                return False
            raise CadanganRusak(f"Objek {e['kunci']!r} sudah ada di tujuan dengan isi lain: pemulihan dihentikan.")
        data = blob(folder, e["sha256"]).read_bytes()
        if sha256(data) != e["sha256"]:
            raise CadanganRusak(f"Isi objek {e['kunci']!r} di cadangan rusak (sha256 tidak cocok): pemulihan dihentikan.")
        store.put(e["kunci"], data)
        return True

    def read_back(e: Objek) -> str | None:
        try:
            return None if sha256(store.get(e["kunci"])) == e["sha256"] else e["kunci"]
        except NotFound:
            return e["kunci"]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        written = sum(pool.map(put, listed))
        wrong = [k for k in pool.map(read_back, listed) if k is not None]
    if wrong:
        raise CadanganRusak(f"{len(wrong)} objek tidak terbaca kembali sama persis sesudah ditulis (mis. {wrong[0]!r}).")
    _keep_times(store, wanted)
    return Dimuat(written, len(listed) - written, sum(e["ukuran"] for e in listed))


def _keep_times(store: ObjectStore, wanted: dict[str, Objek]) -> None:
    """Per year, each restored inbox object's time now and its first time (``storage.RestoredTimes``)."""
    per_year: dict[int, dict[str, tuple[str, str]]] = {}
    for o in store.list(layout.INBOX + "/"):
        year, e = _year(o.key), wanted.get(o.key)
        if year is not None and e is not None:
            per_year.setdefault(year, {})[o.key] = (layout.iso(o.last_modified), e["diterima_pada"])
    for year, times in per_year.items():
        store.put(layout.restored_times(year), json.dumps(times, ensure_ascii=False, sort_keys=True).encode())
