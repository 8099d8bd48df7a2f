"""Publishing upward: the delivery package a tier hands to the next one.

A package is a set of files (indicator tables per level, MS-Ind and MS-Var metadata, coverage) and a
``manifest.json`` with the cycle's identity and the sha256 and row count of every file, so the receiving
tier can check that what arrived is what was sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from .bags import BagIdentity
from .datasets import all_datasets, all_indicators, standard_version

MANIFEST = "manifest.json"


class IdentityJson(BagIdentity):
    """A package's identity, as its manifest names it."""

    tahun: int


@dataclass(frozen=True)
class CycleIdentity:
    tahun: int
    tingkat: str  # kabupaten | provinsi | pusat
    kode_wilayah: str
    dibuat_pada: str  # ISO time of the run that made the package (its logical date), not when it was built

    @property
    def name(self) -> str:
        return f"desa-cantik/{self.tahun}/{self.tingkat}/{self.kode_wilayah}"

    def to_json(self) -> IdentityJson:
        return {"siklus": self.name, "tahun": self.tahun, "tingkat": self.tingkat, "kode_wilayah": self.kode_wilayah,
                "versi_standar": standard_version(), "dibuat_pada": self.dibuat_pada}


CSV_ROWS = 20_000  # rows formatted at a time: a table of the whole country never becomes Python strings at once


def _text(values: pd.Series, missing: str = "") -> pa.Array | None:
    """A column as Arrow text the way ``to_csv`` writes it (numbers as ``str``), missing as ``missing``;
    None for a type written otherwise (floats are ``_fixed6``'s, booleans and objects pandas')."""
    if pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values):
        text = pa.array(values).cast(pa.large_string())
    elif isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        text = pa.array(values.to_numpy()).cast(pa.large_string())
    else:
        return None
    return pc.fill_null(text, missing)


def _fixed6(values: pd.Series) -> pa.Array:
    """``float_format="%.6f"`` of ``to_csv``; missing: empty. Whole numbers (most counts) are written as integers
    with ``.000000`` by Arrow; the rest by one plain comprehension (pandas formats each value through a generic
    formatter that tests it for missing first, several times slower)."""
    x = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & (x == np.trunc(x)) & (np.abs(x) < 1e15) & ~((x == 0) & np.signbit(x))
    text = pa.array(np.where(whole, x, 0).astype(np.int64)).cast(pa.large_string())
    text = pc.binary_join_element_wise(text, pa.scalar(".000000", pa.large_string()), pa.scalar("", pa.large_string()))
    if whole.all():
        return text
    rest = ["" if v != v else f"{v:.6f}" for v in x[~whole].tolist()]
    return pc.replace_with_mask(text, pa.array(~whole), pa.array(rest, type=pa.large_string()))


def _lines(cells: list[pa.Array | pa.Scalar]) -> bytes | None:
    """Text cells joined into CSV lines by Arrow, ``\\n`` after each; None when a cell would need quotes (a comma,
    quote or line break: every line then has one comma too many, a quote or a break; pandas writes those)."""
    text = pa.large_string()
    rows = pc.binary_join_element_wise(*cells, pa.scalar(",", text))
    rows = pc.binary_join_element_wise(rows, pa.scalar("\n", text), pa.scalar("", text))
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    if rows.null_count or len(cells) < 2:  # a missing cell would drop its line; one column: csv quotes empty cells
        return None
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    data = memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]].tobytes()  # the rows end to end
    if data.count(b",") != len(rows) * (len(cells) - 1) or data.count(b"\n") != len(rows) or b'"' in data \
            or b"\r" in data:
        return None
    return data


def _csv_head(frame: pd.DataFrame) -> bytes:
    return cast(str, frame.iloc[:0].to_csv(index=False, lineterminator="\n")).encode("utf-8")


def _csv_rows(part: pd.DataFrame) -> bytes:
    """Some rows as CSV lines, floats with six decimals, joined by Arrow (pandas writes a part with a cell that
    needs quotes, or a column of another type). Each line depends on its row alone: any cut gives the same bytes."""
    cells = [_fixed6(part[c]) if isinstance(part[c].dtype, np.dtype) and part[c].dtype.kind == "f" else _text(part[c])
             for c in part.columns]
    lines = None if any(c is None for c in cells) else _lines([c for c in cells if c is not None])
    return lines if lines is not None else cast(str, part.to_csv(
        index=False, header=False, lineterminator="\n", float_format="%.6f")).encode("utf-8")


def _csv(frame: pd.DataFrame, order: np.ndarray | None = None) -> bytes:
    """The frame as CSV, floats with six decimals: the bytes ``frame.to_csv(index=False, lineterminator="\\n",
    float_format="%.6f")`` gives, ``CSV_ROWS`` at a time (``_csv_rows``), into one buffer (joining the parts at
    the end would hold the file twice). ``order``: the rows to write, by position (no sorted copy)."""
    out = io.BytesIO()
    out.write(_csv_head(frame))
    for start in range(0, len(frame) if order is None else len(order), CSV_ROWS):
        out.write(_csv_rows(frame.iloc[start:start + CSV_ROWS] if order is None else
                            frame.iloc[order[start:start + CSV_ROWS]]))
    return out.getvalue()


def _csv_slices(slices: Iterable[pd.DataFrame]) -> tuple[bytes, int]:
    """``_csv`` of a table read in slices, as they come (the table is never whole in memory); and its rows."""
    out, rows, header = io.BytesIO(), 0, False
    for frame in slices:
        if not header:
            out.write(_csv_head(frame))
            header = True
        for start in range(0, len(frame), CSV_ROWS):
            out.write(_csv_rows(frame.iloc[start:start + CSV_ROWS]))
        rows += len(frame)
    if not header:
        raise ValueError("tabel tanpa irisan: satu irisan kosong pun membawa judul kolomnya")
    return out.getvalue(), rows


def _order(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """Positions of the rows sorted by ``by`` (unique keys): what ``sort_values`` gives, without copying the rest."""
    return np.asarray(frame[by].reset_index(drop=True).sort_values(by).index)


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def sdmx_schema() -> Any:
    """The data structure definition the project declares for its indicator tables (SDMX 2.1)."""
    from pysdmx.model import DataType
    from pysdmx.model.concept import Concept
    from pysdmx.model.dataflow import Component, Components, Role, Schema

    def comp(cid: str, role: Role, dtype: DataType = DataType.STRING, required: bool = True) -> Component:
        level = "O" if role == Role.ATTRIBUTE else None
        return Component(id=cid, required=required, role=role, concept=Concept(id=cid, dtype=dtype), attachment_level=level)

    return Schema(context="datastructure", agency="ID.SATUDATA", id="DSD_DESA_CANTIK", version="1.0",
                  components=Components([
                      comp("TINGKAT", Role.DIMENSION), comp("WILAYAH", Role.DIMENSION), comp("INDIKATOR", Role.DIMENSION),
                      comp("TIME_PERIOD", Role.DIMENSION), comp("OBS_VALUE", Role.MEASURE, DataType.DOUBLE, False),
                      comp("UNIT_MEASURE", Role.ATTRIBUTE, required=False),
                      comp("DESA_KONTRIBUSI", Role.ATTRIBUTE, DataType.INTEGER, False),
                      comp("DESA_TOTAL", Role.ATTRIBUTE, DataType.INTEGER, False)]))


SDMX_KEYS = ["TINGKAT", "WILAYAH", "INDIKATOR"]  # the SDMX file's row order
LEVEL_KEYS = ["tingkat", "kode_wilayah", "indikator"]  # the warehouse's key; each level's file: area, indicator


def _sdmx_table(part: pd.DataFrame, keys_only: bool = False) -> pd.DataFrame:
    """Indicator rows as the components of ``sdmx_schema()`` (positions 0..n-1)."""
    cells = {"TINGKAT": part["tingkat"].str.upper(), "WILAYAH": part["kode_wilayah"].replace("", "ID"),
             "INDIKATOR": part["indikator"].str.upper()}
    if not keys_only:
        cells |= {"TIME_PERIOD": part["tahun"].astype(str), "OBS_VALUE": part["nilai"].astype("float64").round(6),
                  "UNIT_MEASURE": part["satuan"], "DESA_KONTRIBUSI": part["desa_kontribusi"].astype("int64"),
                  "DESA_TOTAL": part["desa_total"].astype("int64")}
    return pd.DataFrame(cells).reset_index(drop=True)


def _pysdmx(rows: pd.DataFrame, schema: Any) -> bytes:
    """pysdmx's own SDMX-CSV of these rows, in this order."""
    from pysdmx.io.csv.sdmx21.writer import write
    from pysdmx.io.pd import PandasDataset

    return (write([PandasDataset(structure=schema, data=_sdmx_table(rows))]) or "").encode("utf-8")


class _SdmxLines:
    """SDMX-CSV lines as pysdmx's writer gives them, joined by Arrow: pysdmx writes the header and the first row
    (``head``); ``lines`` makes any other rows from the cells its writer makes (``_sdmx_cells``), checked against
    that first row. ``usable`` is False where they differ (another pysdmx): pysdmx must then write the file."""

    def __init__(self, first: pd.DataFrame) -> None:
        self.schema = sdmx_schema()
        self.head = _pysdmx(first, self.schema)
        lines = self.head.split(b"\n")
        self.columns: list[str] = []
        self.fixed: dict[str, str] = {}  # the structure columns pysdmx adds: the same on every row
        self.usable = os.linesep == "\n" and len(lines) == 3 and not lines[2]
        if self.usable:
            self.columns = next(csv.reader([lines[0].decode()]))
            self.fixed = dict(zip(self.columns, next(csv.reader([lines[1].decode()])), strict=True))
            self.usable = self.lines(first) == lines[1] + b"\n"

    def lines(self, rows: pd.DataFrame) -> bytes | None:
        """The rows' lines; None where a cell needs quotes (pysdmx must write the file)."""
        cells = _sdmx_cells(_sdmx_table(rows), self.schema)
        return _lines([cells[c] if c in cells else pa.scalar(self.fixed[c], pa.large_string()) for c in self.columns])

    def write(self, out: io.BytesIO, rows: pd.DataFrame) -> bool:
        """The rows' lines into ``out``, ``CSV_ROWS`` at a time; False where a cell needs quotes (pysdmx must write
        the file)."""
        for start in range(0, len(rows), CSV_ROWS):
            part = self.lines(rows.iloc[start:start + CSV_ROWS])
            if part is None:
                return False
            out.write(part)
        return True


def sdmx_csv(indicators: pd.DataFrame) -> bytes:
    """The indicator table as SDMX-CSV 2.1 against ``sdmx_schema()``: the bytes pysdmx's writer gives.

    pysdmx writes the header and the first row, the other rows are joined by Arrow (``_SdmxLines``): its writer
    makes one Python call per cell, 3.8 s of CPU for the centre's 825k rows, 1.0 s this way. Where a row would
    differ or needs quotes, pysdmx writes every row itself.
    """
    order = _order(_sdmx_table(indicators, keys_only=True), SDMX_KEYS)  # the rows, sorted
    if len(order) < 2:
        return _pysdmx(indicators.iloc[order], sdmx_schema())
    sdmx = _SdmxLines(indicators.iloc[order[:1]])
    if not sdmx.usable:
        return _pysdmx(indicators.iloc[order], sdmx.schema)
    out = io.BytesIO()
    out.write(sdmx.head)
    if not sdmx.write(out, indicators.iloc[order[1:]]):  # a cell that needs quotes: pysdmx writes the whole file
        return _pysdmx(indicators.iloc[order], sdmx.schema)
    return out.getvalue()


IndicatorFiles: TypeAlias = dict[str, tuple[bytes, int]]  # file name -> bytes and rows


def _indicator_files(indicators: pd.DataFrame) -> IndicatorFiles:
    """The SDMX file and one CSV per level (rows by area and indicator), from the whole table."""
    files = {"indikator.sdmx.csv": (sdmx_csv(indicators), len(indicators))}
    per_level = indicators.drop(columns=["tingkat"])
    for level, at in sorted(indicators.groupby("tingkat").indices.items()):
        files[f"indikator_{level}.csv"] = (_csv(per_level, at[_order(per_level.iloc[at], LEVEL_KEYS[1:])]), len(at))
    return files


def _ascending(frame: pd.DataFrame, keys: list[str], after: tuple[Any, ...] | None) -> bool:
    """Whether the rows come in strictly ascending order of ``keys``, after a row whose keys are ``after``, none
    missing: the order ``sort_values`` gives (text by code point; Arrow compares UTF-8 bytes, the same order)."""
    if frame[keys].isna().to_numpy().any():
        return False
    if frame.empty:
        return True
    ahead, same = np.zeros(len(frame) - 1, dtype=bool), np.ones(len(frame) - 1, dtype=bool)
    try:
        if after is not None and not after < tuple(frame[keys].iloc[0]):
            return False
        for key in keys:
            values = pa.array(frame[key])
            before, then = values[:-1], values[1:]
            ahead |= same & np.asarray(pc.less(before, then), dtype=bool)
            same &= np.asarray(pc.equal(before, then), dtype=bool)
    except (pa.ArrowException, TypeError, ValueError):  # not text nor numbers Arrow compares: not known to ascend
        return False
    return bool(ahead.all())


class _StreamedIndicatorFiles:
    """``_indicator_files`` written block by block from the table read in key order (level, area, indicator).

    A block ends where an area does: the SDMX file orders an area's indicators by their upper-case codes, so each
    block is sorted for it alone. Every order is checked as the rows come; ``add`` says False where one does not
    hold or pysdmx must write the file (the caller then writes from the whole table).
    """

    def __init__(self) -> None:
        self.sdmx: _SdmxLines | None = None
        self.sdmx_out = io.BytesIO()
        self.levels: dict[str, io.BytesIO] = {}
        self.rows: dict[str, int] = {}
        self.last_sdmx: tuple[Any, ...] | None = None

    def add(self, block: pd.DataFrame) -> bool:
        """Write a block of whole areas, in key order after the blocks before it."""
        if block.empty:
            return True
        keys = _sdmx_table(block, keys_only=True)
        order = _order(keys, SDMX_KEYS)
        if not _ascending(keys.iloc[order], SDMX_KEYS, self.last_sdmx):
            return False
        self.last_sdmx = tuple(keys.iloc[order[-1]])
        rows = block.iloc[order]
        if self.sdmx is None:
            self.sdmx = _SdmxLines(rows.iloc[:1])
            if not self.sdmx.usable:
                return False
            self.sdmx_out.write(self.sdmx.head)
            rows = rows.iloc[1:]
        if not self.sdmx.write(self.sdmx_out, rows):
            return False
        per_level = block.drop(columns=["tingkat"])
        for level, at in sorted(block.groupby("tingkat").indices.items()):
            name = f"indikator_{level}.csv"
            if name not in self.levels:
                self.levels[name] = io.BytesIO(_csv_head(per_level))
                self.levels[name].seek(0, io.SEEK_END)
                self.rows[name] = 0
            for start in range(0, len(at), CSV_ROWS):
                self.levels[name].write(_csv_rows(per_level.iloc[at[start:start + CSV_ROWS]]))
            self.rows[name] += len(at)
        return True

    def files(self) -> IndicatorFiles:
        total = sum(self.rows.values())
        return {"indikator.sdmx.csv": (self.sdmx_out.getvalue(), total),
                **{name: (self.levels[name].getvalue(), self.rows[name]) for name in sorted(self.levels)}}


def _indicator_files_streamed(slices: Iterable[pd.DataFrame]) -> IndicatorFiles | None:
    """``_indicator_files`` from slices of the table in key order, as they come: the same bytes without the table
    whole in memory nor sorted. None where the slices are out of order, or pysdmx must write the file, or the
    table has fewer than two rows (pysdmx writes it whole)."""
    written = _StreamedIndicatorFiles()
    last: tuple[Any, ...] | None = None
    carry: pd.DataFrame | None = None  # the last area of the rows so far: its indicators may continue in the next slice
    for frame in slices:
        if not _ascending(frame, LEVEL_KEYS, last):
            return None
        if frame.empty:
            continue
        last = tuple(frame[LEVEL_KEYS].iloc[-1])
        pending = frame if carry is None else pd.concat([carry, frame], ignore_index=True)
        area = (pending["tingkat"] == last[0]) & (pending["kode_wilayah"] == last[1])  # at the end: rows ascend
        cut = len(pending) - int(area.sum())
        if not written.add(pending.iloc[:cut]):
            return None
        carry = pending.iloc[cut:]
    if carry is None or not written.add(carry) or sum(written.rows.values()) < 2:
        return None
    return written.files()


def _numeric_types() -> frozenset[Any]:
    """The SDMX types whose missing value pysdmx's writer spells ``NaN`` (the others: ``#N/A``)."""
    from pysdmx.model import DataType

    return frozenset({DataType.BIG_INTEGER, DataType.COUNT, DataType.DECIMAL, DataType.DOUBLE, DataType.FLOAT,
                      DataType.INTEGER, DataType.LONG, DataType.SHORT, DataType.INC_VAL_RANGE, DataType.EXC_VAL_RANGE})


def _cell_text(value: Any, missing: str) -> str:
    """One cell as pysdmx's writer spells it: ``missing`` for a null or empty value, else ``str(value)`` (an empty
    text is null; the first row, written by pysdmx itself, checks the spelling: ``_SdmxLines.usable``)."""
    if isinstance(value, str):
        return value or missing
    return missing if value is None or pd.isna(value) else str(value)


def _sdmx_cells(frame: pd.DataFrame, schema: Any) -> dict[str, pa.Array]:
    """What pysdmx's SDMX-CSV writer makes of each cell, a column at a time: ``str(value)``; a missing or empty
    value is ``NaN`` (numbers) or ``#N/A`` where its component is required, empty where it is not."""
    out = {}
    for comp in schema.components:
        values = frame[comp.id]
        missing = ("NaN" if comp.dtype in _numeric_types() else "#N/A") if comp.required else ""
        text = _text(values, missing)
        if text is not None and not (isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu"):
            text = pc.if_else(pc.equal(text, ""), pa.scalar(missing, pa.large_string()), text)
        elif text is None and isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
            text = pa.array([missing if v != v else str(v) for v in values.tolist()], type=pa.large_string())
        elif text is None:  # any other type: pysdmx's own function, cell by cell
            text = pa.array([_cell_text(v, missing) for v in values.astype(object)], type=pa.large_string())
        out[comp.id] = text
    return out


def ckan_package(identity: CycleIdentity, names: list[str]) -> dict[str, Any]:  # CKAN's package_create JSON
    """CKAN ``package_create`` metadata, so a regional Satu Data portal can ingest the package as is."""
    slug = f"desa-cantik-{identity.tahun}-{identity.tingkat}-{(identity.kode_wilayah or 'id').replace('.', '-')}"
    return {
        "name": slug,
        "title": f"Indikator Desa Cantik {identity.tahun} — {identity.tingkat} {identity.kode_wilayah or 'Indonesia'}",
        "notes": "Indikator desa, kecamatan dan wilayah di atasnya dari siklus Desa Cantik / Satu Data "
                 "(Perpres 39/2019), dihitung dari baris yang lolos gerbang mutu BPS, dengan cakupan desa.",
        "license_id": "cc-by",
        "tags": [{"name": t} for t in ("desa-cantik", "satu-data", "indikator-desa")],
        "extras": [{"key": k, "value": str(v)} for k, v in identity.to_json().items()],
        "resources": [{"name": n, "url": n, "format": n.rsplit(".", 1)[-1].upper()} for n in names],
    }


IndicatorSlices: TypeAlias = Callable[[], Iterable[pd.DataFrame]]  # the indicator table read in slices, in key order
Extra: TypeAlias = pd.DataFrame | Callable[[], pd.DataFrame | Iterable[pd.DataFrame]]


def build_package(identity: CycleIdentity, indicators: pd.DataFrame | IndicatorSlices, coverage: pd.DataFrame,
                  extra: Mapping[str, Extra] | None = None) -> dict[str, bytes]:
    """Files of the package by name, manifest included. Deterministic for the same inputs.

    A large table may be given as a function that reads it, whole or in slices: it is then in memory only while its
    file is written, or a slice at a time (the centre's 750k components and 825k indicators). Indicators in slices
    come in key order (``LEVEL_KEYS``); if they do not, they are read again and written from the whole table.
    """
    files: dict[str, bytes] = {}
    rows: dict[str, int] = {}
    for name, table in sorted((extra or {}).items()):
        frame = table() if callable(table) else table
        if isinstance(frame, pd.DataFrame):
            files[f"{name}.csv"], rows[f"{name}.csv"] = _csv(frame), len(frame)
        else:
            files[f"{name}.csv"], rows[f"{name}.csv"] = _csv_slices(frame)
        del frame
    if isinstance(indicators, pd.DataFrame):
        made = _indicator_files(indicators)
    else:
        made = _indicator_files_streamed(indicators()) or _indicator_files(pd.concat(list(indicators()),
                                                                                     ignore_index=True))
    for name, (data, count) in made.items():
        files[name], rows[name] = data, count
    del made
    files["cakupan.csv"] = _csv(coverage)
    rows["cakupan.csv"] = len(coverage)
    meta_ind = [ind.metadata for ind in all_indicators().values()]
    files["metadata_indikator.json"] = _json(meta_ind)
    rows["metadata_indikator.json"] = len(meta_ind)
    meta_var = [{"dataset": ds.nama, **c.as_metadata()} for ds in all_datasets().values() for c in ds.all_columns()]
    files["metadata_variabel.json"] = _json(meta_var)
    rows["metadata_variabel.json"] = len(meta_var)
    files["ckan_package_create.json"] = _json(ckan_package(identity, sorted(files)))
    rows["ckan_package_create.json"] = 1
    manifest = {
        **identity.to_json(),
        "berkas": [{"nama": n, "sha256": hashlib.sha256(b).hexdigest(), "baris": rows[n], "ukuran": len(b)}
                   for n, b in sorted(files.items())],
    }
    files[MANIFEST] = _json(manifest)
    return files


def verify_package(files: dict[str, bytes]) -> list[str]:
    """Problems found checking a package against its manifest (empty list: intact)."""
    if MANIFEST not in files:
        return ["manifest.json tidak ada"]
    manifest = json.loads(files[MANIFEST])
    problems = []
    for entry in manifest["berkas"]:
        data = files.get(entry["nama"])
        if data is None:
            problems.append(f"{entry['nama']} tidak ada")
        elif hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['nama']}: sha256 tidak cocok")
    return problems
