"""Deployment settings (tier, region, where data lives) and the Daftar Data of the cycle.

Settings come from the environment so the same project serves every kabupaten/kota and province:
only configuration differs. Defaults give the embedded deployment (SQLite + a local folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import NotRequired, TypedDict, cast

import yaml

from .datasets import get_dataset
from .kosakata import BPS, BPS_SENDER, KABUPATEN, OPD, PEMERINTAH_DESA, PUSAT, TINGKAT

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPENDENCY_ORDER = ("proyeksi_penduduk", "kependudukan", "fasilitas", "kesehatan_anak")


@dataclass(frozen=True)
class Settings:
    tingkat: str  # kabupaten | provinsi | pusat
    kode_wilayah: str
    gudang_url: str
    objek_url: str
    daftar_data: Path
    kunci: Path  # this tier's signing key ({kode}.key) and its children's public keys (kunci_publik/)

    @property
    def kode_paket(self) -> str:
        """The tier's name on packages and keys: its region code, or ``ID`` for the centre."""
        return self.kode_wilayah or "ID"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        from .regions import known_code, normalise_code  # not at DAG parse time

        env = dict(os.environ if env is None else env)
        home = Path(env.get("DESA_CANTIK_HOME", PROJECT_ROOT / ".demo"))
        tingkat = env.get("DESA_CANTIK_TINGKAT", KABUPATEN)
        if tingkat not in TINGKAT:
            raise ValueError(f"DESA_CANTIK_TINGKAT harus kabupaten, provinsi atau pusat, bukan {tingkat!r}")
        kode = "" if tingkat == PUSAT else normalise_code(env.get("DESA_CANTIK_WILAYAH", "35.07"))
        if kode is None or (kode and not known_code(kode)):  # light: no lokal, no desa table (every task)
            raise ValueError(f"DESA_CANTIK_WILAYAH bukan kode wilayah Kemendagri: {env.get('DESA_CANTIK_WILAYAH')!r}")
        return cls(
            tingkat=tingkat,
            kode_wilayah=kode,
            gudang_url=env.get("DESA_CANTIK_GUDANG", f"sqlite:///{home / 'gudang.sqlite'}"),
            objek_url=env.get("DESA_CANTIK_OBJEK", f"file://{home / 'objek'}"),
            daftar_data=cls.daftar_data_path(env),
            kunci=Path(env.get("DESA_CANTIK_KUNCI", home / "kunci")),
        )


    def secrets(self) -> list[str]:
        """Passwords inside the configured URLs: what logs must never show."""
        from urllib.parse import unquote, urlparse

        found = (urlparse(url).password for url in (self.gudang_url, self.objek_url))
        return [unquote(p) for p in found if p]

    @staticmethod
    def daftar_data_path(env: dict[str, str] | None = None) -> Path:
        """Only the Daftar Data's path: what a DAG file needs at parse time, cheaply."""
        env = dict(os.environ if env is None else env)
        return Path(env.get("DESA_CANTIK_DAFTAR_DATA", PROJECT_ROOT / "config" / "daftar_data.yaml"))


class _DatasetEntry(TypedDict):
    nama: str
    produsen: str  # pemerintah_desa, BPS, or an agency of ``opd``


class _Collection(TypedDict):
    mulai: str | datetime  # ISO time (YAML reads an unquoted one as a datetime)
    batas_akhir: str | datetime
    interval_gerbang: NotRequired[str]
    zona_waktu: NotRequired[str]


class _Packages(TypedDict, total=False):
    tunggu_semua: bool


class _Approval(TypedDict, total=False):
    batas_waktu_jam: float


class DaftarDataFile(TypedDict):
    """``config/daftar_data.yaml`` as read."""

    siklus: NotRequired[str]
    tahun: int
    pengumpulan: _Collection
    dataset: list[_DatasetEntry]
    opd: NotRequired[list[str]]
    paket: NotRequired[_Packages]
    persetujuan: NotRequired[_Approval | None]
    batas_berkas: NotRequired[dict[str, float] | None]  # a key of ``BatasBerkas`` -> its limit


_PRODUCER_KIND = {PEMERINTAH_DESA: PEMERINTAH_DESA, BPS: BPS_SENDER}  # how the Daftar Data names a fixed producer


def _check_producer(dataset: str, produsen: str, opd: tuple[str, ...]) -> None:
    """The Daftar Data names who produces each dataset; it must fit the standard's kind of producer.

    A village dataset is produced by ``pemerintah_desa``, BPS's by ``BPS``, an agency dataset by one of
    the agencies listed under ``opd`` (that agency alone may send it).
    """
    kind = get_dataset(dataset).produsen
    ok = produsen.upper() in opd if kind == OPD else produsen == _PRODUCER_KIND.get(kind)
    if not ok:
        expected = "salah satu OPD di daftar opd" if kind == OPD else _PRODUCER_KIND.get(kind, kind)
        raise ValueError(f"Daftar Data: produsen dataset {dataset} adalah {produsen!r}, seharusnya {expected}")


class _Limits(TypedDict, total=False):
    """``BatasBerkas``'s fields as keyword arguments."""

    ukuran_mb: float
    baris: int
    kolom: int
    sel: int
    panjang_sel: int
    terurai_mb: float
    rasio_kompresi: float
    lembar: int


@dataclass(frozen=True)
class BatasBerkas:
    """Limits on one submission file, from ``batas_berkas:`` in the Daftar Data (every key optional).

    Intake checks them before the expensive work; a file over a limit is rejected with a message that
    names the limit. The defaults fit the largest real submission (every desa of Indonesia, ~84,000 rows).
    """

    ukuran_mb: float = 20  # the file as sent
    baris: int = 100_000  # rows of the sheets read (CSV: lines), title and note rows included
    kolom: int = 200  # columns of the sheet read
    sel: int = 3_000_000  # rows x columns of the area a sheet uses (bounds memory)
    panjang_sel: int = 10_000  # characters in one cell
    terurai_mb: float = 100  # XLSX, ODS: all its parts uncompressed
    rasio_kompresi: float = 100  # XLSX, ODS: uncompressed size / file size (a zip bomb is 1000+)
    lembar: int = 50  # XLSX, ODS, XLS: sheets

    @classmethod
    def from_mapping(cls, raw: dict[str, float] | None) -> BatasBerkas:
        raw = raw or {}
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ValueError(f"Daftar Data: batas_berkas tidak dikenal: {', '.join(unknown)} (yang dikenal: {', '.join(known)})")
        values: dict[str, float] = {k: (float(v) if known[k] == "float" else int(v)) for k, v in raw.items()}  # int or float
        if any(v <= 0 for v in values.values()):
            raise ValueError(f"Daftar Data: setiap batas_berkas harus lebih dari 0: {values}")
        return cls(**cast(_Limits, values))  # known keys only, each of its field's type

    @property
    def ukuran_bait(self) -> int:
        """``ukuran_mb`` in bytes: what intake, the pre-check and the upload pages compare a file's length with."""
        return int(self.ukuran_mb * 1024 * 1024)


def _approval_hours(raw: _Approval | None) -> float:
    """``persetujuan: batas_waktu_jam``: how long Bappeda has to answer (default 72 hours)."""
    raw = raw or {}
    unknown = sorted(set(raw) - {"batas_waktu_jam"})
    if unknown:
        raise ValueError(f"Daftar Data: persetujuan tidak dikenal: {', '.join(unknown)} (yang dikenal: batas_waktu_jam)")
    hours = float(raw.get("batas_waktu_jam", 72))
    if hours <= 0:
        raise ValueError(f"Daftar Data: persetujuan.batas_waktu_jam harus lebih dari 0, bukan {hours}")
    return hours


@dataclass(frozen=True)
class DaftarData:
    tahun: int
    mulai: datetime
    batas_akhir: datetime
    interval_gerbang: str
    zona_waktu: str
    datasets: tuple[str, ...]
    produsen: dict[str, str]
    opd: tuple[str, ...]
    tunggu_semua_paket: bool = False
    batas: BatasBerkas = field(default_factory=BatasBerkas)  # limits on one submission file
    batas_persetujuan_jam: float = 72  # Bappeda's answer before publishing; none in time: not published

    @classmethod
    def load(cls, path: Path) -> DaftarData:
        return cls.from_text(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_text(cls, text: str) -> DaftarData:
        """The Daftar Data from its YAML text (what ``gulir-tahun`` checks before it writes a new year's file)."""
        raw: DaftarDataFile = yaml.safe_load(text)
        kol = raw["pengumpulan"]
        names = [d["nama"] for d in raw["dataset"]]
        opd = tuple(str(o).upper() for o in raw.get("opd", []))
        for d in raw["dataset"]:
            _check_producer(d["nama"], str(d["produsen"]), opd)  # unknown dataset or producer: fail at configuration
        ordered = tuple(n for n in DEPENDENCY_ORDER if n in names) + tuple(n for n in names if n not in DEPENDENCY_ORDER)
        return cls(
            tahun=int(raw["tahun"]),
            mulai=datetime.fromisoformat(str(kol["mulai"])),
            batas_akhir=datetime.fromisoformat(str(kol["batas_akhir"])),
            interval_gerbang=str(kol.get("interval_gerbang", "0 * * * *")),
            zona_waktu=str(kol.get("zona_waktu", "Asia/Jakarta")),
            datasets=ordered,
            produsen={d["nama"]: str(d["produsen"]) for d in raw["dataset"]},
            opd=opd,
            tunggu_semua_paket=bool(raw.get("paket", {}).get("tunggu_semua", False)),
            batas=BatasBerkas.from_mapping(raw.get("batas_berkas")),
            batas_persetujuan_jam=_approval_hours(raw.get("persetujuan")),
        )

    def kode_opd(self, kode_kabupaten: str) -> list[str]:
        return [f"{kode_kabupaten}-{o}" for o in self.opd]

    def pengirim_opd(self, dataset: str, kode_kabupaten: str) -> list[str]:
        """The agency codes that may send an agency dataset: its producer in this Daftar Data."""
        return [f"{kode_kabupaten}-{self.produsen[dataset].upper()}"]

    def window_open(self, now: datetime) -> bool:
        return self.mulai <= now <= self.batas_akhir

    def closing_cron(self) -> str:
        """The deadline as a yearly cron expression, in ``zona_waktu``."""
        from zoneinfo import ZoneInfo

        d = self.batas_akhir.astimezone(ZoneInfo(self.zona_waktu))
        return f"{d.minute} {d.hour} {d.day} {d.month} *"
