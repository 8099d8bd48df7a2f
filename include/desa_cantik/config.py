"""Deployment settings (tier, region, where data lives) and the Daftar Data of the cycle.

Settings come from the environment so the same project serves every kabupaten/kota and province:
only configuration differs. Defaults give the embedded deployment (SQLite + a local folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .datasets import get_dataset

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
        from .regions import get_region, normalise_code  # pandas + region data: not at DAG parse time

        env = dict(os.environ if env is None else env)
        home = Path(env.get("DESA_CANTIK_HOME", PROJECT_ROOT / ".demo"))
        tingkat = env.get("DESA_CANTIK_TINGKAT", "kabupaten")
        if tingkat not in ("kabupaten", "provinsi", "pusat"):
            raise ValueError(f"DESA_CANTIK_TINGKAT harus kabupaten, provinsi atau pusat, bukan {tingkat!r}")
        kode = "" if tingkat == "pusat" else normalise_code(env.get("DESA_CANTIK_WILAYAH", "35.07"))
        if kode is None or (kode and get_region(kode) is None):
            raise ValueError(f"DESA_CANTIK_WILAYAH bukan kode wilayah Kemendagri: {env.get('DESA_CANTIK_WILAYAH')!r}")
        return cls(
            tingkat=tingkat,
            kode_wilayah=kode,
            gudang_url=env.get("DESA_CANTIK_GUDANG", f"sqlite:///{home / 'gudang.sqlite'}"),
            objek_url=env.get("DESA_CANTIK_OBJEK", f"file://{home / 'objek'}"),
            daftar_data=cls.daftar_data_path(env),
            kunci=Path(env.get("DESA_CANTIK_KUNCI", home / "kunci")),
        )


    @staticmethod
    def daftar_data_path(env: dict[str, str] | None = None) -> Path:
        """Only the Daftar Data's path: what a DAG file needs at parse time, cheaply."""
        env = dict(os.environ if env is None else env)
        return Path(env.get("DESA_CANTIK_DAFTAR_DATA", PROJECT_ROOT / "config" / "daftar_data.yaml"))


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

    @classmethod
    def load(cls, path: Path) -> DaftarData:
        raw: dict[str, Any] = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        kol = raw["pengumpulan"]
        names = [d["nama"] for d in raw["dataset"]]
        for n in names:
            get_dataset(n)  # unknown dataset: fail loudly at configuration time
        ordered = tuple(n for n in DEPENDENCY_ORDER if n in names) + tuple(n for n in names if n not in DEPENDENCY_ORDER)
        return cls(
            tahun=int(raw["tahun"]),
            mulai=datetime.fromisoformat(str(kol["mulai"])),
            batas_akhir=datetime.fromisoformat(str(kol["batas_akhir"])),
            interval_gerbang=str(kol.get("interval_gerbang", "0 * * * *")),
            zona_waktu=str(kol.get("zona_waktu", "Asia/Jakarta")),
            datasets=ordered,
            produsen={d["nama"]: str(d["produsen"]) for d in raw["dataset"]},
            opd=tuple(str(o).upper() for o in raw.get("opd", [])),
            tunggu_semua_paket=bool(raw.get("paket", {}).get("tunggu_semua", False)),
        )

    def kode_opd(self, kode_kabupaten: str) -> list[str]:
        return [f"{kode_kabupaten}-{o}" for o in self.opd]

    def window_open(self, now: datetime) -> bool:
        return self.mulai <= now <= self.batas_akhir

    def closing_cron(self) -> str:
        """The deadline as a yearly cron expression, in ``zona_waktu``."""
        from zoneinfo import ZoneInfo

        d = self.batas_akhir.astimezone(ZoneInfo(self.zona_waktu))
        return f"{d.minute} {d.hour} {d.day} {d.month} *"
