"""The datasets and indicators of the standard, read from ``standar/*.yaml`` (rules and metadata are data)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TypedDict, cast

import yaml

COUNT = "bilangan"
CATEGORY = "kategori"
_FOLD = re.compile(r"[^0-9a-z]+")


def fold_header(name: object) -> str:
    """Header as compared: lower case, every run of spaces/punctuation one ``_``."""
    return _fold(str(name))


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    """Header rows repeat across files: each distinct text is folded once (intake asks ~300 times a file)."""
    return _FOLD.sub("_", text.strip().lower()).strip("_")


class ColumnSpec(TypedDict, total=False):
    """A column (MS-Var fields) in ``standar/datasets.yaml``; a dataset's column may only add to a shared one."""

    tipe: str
    satuan: str
    konsep: str
    definisi: str
    klasifikasi: list[str]  # a category's code list
    alias: list[str]


class DatasetSpec(TypedDict):
    judul: str
    produsen: str
    satu_berkas_per: str
    kunci: list[str]
    kolom: dict[str, ColumnSpec | None]  # None: a shared column (``kolom_kunci``) as defined there


class StandardSpec(TypedDict):
    """``standar/datasets.yaml``."""

    versi_standar: str
    kolom_kunci: dict[str, ColumnSpec]
    dataset: dict[str, DatasetSpec]


class VariableMetadata(TypedDict):
    """A column's MS-Var fields, as published."""

    nama_variabel: str
    konsep: str
    definisi: str
    klasifikasi: list[str]
    satuan: str
    tipe_data: str
    alias: list[str]


class IndicatorSpec(TypedDict):
    """An indicator (MS-Ind fields) in ``standar/indikator.yaml``."""

    nama: str
    konsep: str
    definisi: str
    pembilang: str  # a pandas expression over the joined desa table
    penyebut: str | None  # None: the indicator is a total
    faktor: float
    rumus: str
    satuan: str
    interpretasi: str
    sumber: list[str]  # the datasets it is computed from


class IndicatorMetadata(IndicatorSpec):
    """An indicator's MS-Ind fields, as published: its code, then ``indikator.yaml``'s fields."""

    kode_indikator: str


class _IndicatorsSpec(TypedDict):
    indikator: dict[str, IndicatorSpec]


@dataclass(frozen=True)
class Column:
    nama: str
    tipe: str
    satuan: str
    konsep: str
    definisi: str
    klasifikasi: tuple[str, ...] = ()
    alias: tuple[str, ...] = ()

    def as_metadata(self) -> VariableMetadata:
        """MS-Var fields, as published in metadata files and the rule catalogue."""
        return {
            "nama_variabel": self.nama,
            "konsep": self.konsep,
            "definisi": self.definisi,
            "klasifikasi": list(self.klasifikasi),
            "satuan": self.satuan,
            "tipe_data": self.tipe,
            "alias": list(self.alias),
        }


@dataclass(frozen=True)
class Dataset:
    nama: str
    judul: str
    produsen: str  # pemerintah_desa | opd | bps
    satu_berkas_per: str
    kunci: tuple[str, ...]
    kolom: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        """Canonical column order of stored rows: keys first."""
        return list(self.kunci) + [c.nama for c in self.kolom]

    def column(self, nama: str) -> Column:
        for c in self.all_columns():
            if c.nama == nama:
                return c
        raise KeyError(nama)

    def all_columns(self) -> list[Column]:
        return [_key_columns()[k] for k in self.kunci] + list(self.kolom)

    @property
    def count_columns(self) -> list[str]:
        return [c.nama for c in self.kolom if c.tipe == COUNT]

    @property
    def category_columns(self) -> dict[str, tuple[str, ...]]:
        return {c.nama: c.klasifikasi for c in self.kolom if c.tipe == CATEGORY}

    def header_map(self) -> dict[str, str]:
        """Folded header or alias -> canonical column name (built once per dataset; callers only read it)."""
        return _header_map(self)


@lru_cache(maxsize=64)
def _header_map(dataset: Dataset) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in dataset.all_columns():
        for name in (c.nama, *c.alias):
            out.setdefault(fold_header(name), c.nama)
    return out


def _text(name: str) -> str:
    return resources.files("desa_cantik").joinpath("standar", name).read_text(encoding="utf-8")


def _standard() -> StandardSpec:
    return cast(StandardSpec, yaml.safe_load(_text("datasets.yaml")))


def _column(nama: str, d: ColumnSpec) -> Column:
    return Column(
        nama=nama,
        tipe=d["tipe"],
        satuan=str(d.get("satuan", "-")),
        konsep=d.get("konsep", ""),
        definisi=d.get("definisi", ""),
        klasifikasi=tuple(str(v) for v in d.get("klasifikasi", ())),
        alias=tuple(str(v) for v in d.get("alias", ())),
    )


@lru_cache(maxsize=1)
def _key_columns() -> dict[str, Column]:
    return {k: _column(k, v) for k, v in _standard()["kolom_kunci"].items()}


@lru_cache(maxsize=1)
def all_datasets() -> dict[str, Dataset]:
    spec = _standard()
    return {
        nama: Dataset(
            nama=nama,
            judul=d["judul"],
            produsen=d["produsen"],
            satu_berkas_per=d["satu_berkas_per"],
            kunci=tuple(d["kunci"]),
            # a shared column (e.g. kode_opd) is defined once under kolom_kunci; a dataset may only add to it
            kolom=tuple(_column(k, {**spec["kolom_kunci"].get(k, {}), **(v or {})}) for k, v in d["kolom"].items()),
        )
        for nama, d in spec["dataset"].items()
    }


def get_dataset(nama: str) -> Dataset:
    try:
        return all_datasets()[nama]
    except KeyError:
        known = ", ".join(sorted(all_datasets()))
        raise KeyError(f"dataset tidak dikenal: {nama!r} (yang dikenal: {known})") from None


def standard_version() -> str:
    return str(_standard()["versi_standar"])


@dataclass(frozen=True)
class Indicator:
    kode: str
    nama: str
    pembilang: str
    penyebut: str | None  # None: the indicator is a total
    faktor: float
    satuan: str
    sumber: tuple[str, ...]
    metadata: IndicatorMetadata


@lru_cache(maxsize=1)
def all_indicators() -> dict[str, Indicator]:
    out = {}
    for kode, d in cast(_IndicatorsSpec, yaml.safe_load(_text("indikator.yaml")))["indikator"].items():
        out[kode] = Indicator(
            kode=kode,
            nama=d["nama"],
            pembilang=str(d["pembilang"]),
            penyebut=None if d["penyebut"] is None else str(d["penyebut"]),
            faktor=float(d["faktor"]),
            satuan=str(d["satuan"]),
            sumber=tuple(d["sumber"]),
            metadata={"kode_indikator": kode, **d},
        )
    return out
