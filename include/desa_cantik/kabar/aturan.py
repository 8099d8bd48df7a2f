"""``config/kabar.yaml`` as typed data: each event's recipients, channels and template; the channels' ways to
deliver; limits, quiet hours and retries. A wrong file fails in Indonesian, naming where, before anything is sent."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TypedDict, cast
from zoneinfo import ZoneInfo

import yaml

from ..config import PROJECT_ROOT

KABAR_PATH = PROJECT_ROOT / "config" / "kabar.yaml"  # or DESA_CANTIK_KABAR
PENGIRIM = "pengirim"  # a recipient word: the accounts bound to the event's sender
JALUR = ("apprise", "smtp", "berkas")
TEMPLAT = Path(__file__).resolve().parent / "templat"


class KabarError(ValueError):
    """config/kabar.yaml is wrong: the message says where, in Indonesian."""


class _EventFile(TypedDict, total=False):
    penerima: list[str]
    kanal: list[str]
    templat: str
    penting: bool
    jam_tenang: bool
    hari_sebelum: list[int]
    jam: str
    jam_sebelum: float
    uraian: str


class _ChannelFile(TypedDict, total=False):
    alamat: str
    jalur: list[dict[str, str]]


class _KabarFile(TypedDict, total=False):
    alamat_web: str
    peristiwa: dict[str, _EventFile]
    kanal: dict[str, _ChannelFile]
    batas: dict[str, int]
    jam_tenang: dict[str, str]
    coba_ulang: dict[str, int]


@dataclass(frozen=True)
class JenisKabar:
    """An event kind: who hears it, on which channels, written with which template."""

    nama: str
    penerima: tuple[str, ...]  # "pengirim" and/or role keys of peran.yaml
    kanal: tuple[str, ...]
    templat: str
    penting: bool = True
    jam_tenang: bool = False
    hari_sebelum: tuple[int, ...] = ()
    jam: time | None = None  # a scheduled kind: planned from this hour of the day on (the tier's zone)
    jam_sebelum: float = 0.0  # a last call: this many hours before its deadline
    uraian: str = ""  # what it is, as an account's opt-out page lists it


@dataclass(frozen=True)
class KanalKabar:
    """A channel: the account field with the address, and its ways to deliver as (kind, environment variable)."""

    nama: str
    alamat: str
    jalur: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AturanKabar:
    alamat_web: str
    peristiwa: dict[str, JenisKabar]
    kanal: dict[str, KanalKabar]
    per_akun: int = 4
    jendela: timedelta = timedelta(minutes=60)
    tenang_mulai: time = time(21, 0)
    tenang_selesai: time = time(6, 0)
    coba_maks: int = 8
    coba_awal: timedelta = timedelta(seconds=60)
    coba_maks_jeda: timedelta = timedelta(hours=6)

    @classmethod
    def load(cls, path: Path | None = None) -> AturanKabar:
        path = Path(path) if path is not None else Path(os.environ.get("DESA_CANTIK_KABAR", str(KABAR_PATH)))
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: the hourly gate's first task reads it
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
        if not isinstance(raw, dict) or not isinstance(raw.get("peristiwa"), dict) or not isinstance(raw.get("kanal"), dict):
            raise KabarError(f"{path}: harus berisi peta 'peristiwa' dan 'kanal'")
        f = cast(_KabarFile, raw)
        kanal = {k: _channel(k, v) for k, v in f.get("kanal", {}).items()}
        peristiwa = {k: _event(k, v, kanal) for k, v in f.get("peristiwa", {}).items()}
        batas, tenang, coba = f.get("batas") or {}, f.get("jam_tenang") or {}, f.get("coba_ulang") or {}
        web = os.environ.get("DESA_CANTIK_ALAMAT_WEB") or os.environ.get("AIRFLOW__API__BASE_URL") or \
            str(f.get("alamat_web", "http://localhost:8080"))
        return cls(web.rstrip("/"), peristiwa, kanal, int(batas.get("per_akun", 4)),
                   timedelta(minutes=int(batas.get("jendela_menit", 60))), _clock(tenang.get("mulai", "21:00")),
                   _clock(tenang.get("selesai", "06:00")), int(coba.get("maks", 8)),
                   timedelta(seconds=int(coba.get("awal_detik", 60))), timedelta(seconds=int(coba.get("maks_detik", 21600))))

    def jenis(self, nama: str) -> JenisKabar:
        try:
            return self.peristiwa[nama]
        except KeyError:
            raise KabarError(f"peristiwa {nama!r} tidak ada di config/kabar.yaml "
                             f"(yang ada: {', '.join(self.peristiwa)})") from None

    def tenang_sampai(self, now: datetime, zona: str) -> datetime | None:
        """When the quiet hours around ``now`` end (in ``zona``), or None when ``now`` is not in them."""
        local = now.astimezone(ZoneInfo(zona))
        start, end, t = self.tenang_mulai, self.tenang_selesai, local.time()
        inside = (start <= t or t < end) if start > end else (start <= t < end)
        if not inside:
            return None
        until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        return until if until > local else until + timedelta(days=1)

    def jeda(self, percobaan: int) -> timedelta:
        """The wait before attempt ``percobaan + 1``: exponential, capped."""
        wait: timedelta = self.coba_awal * (2 ** max(percobaan - 1, 0))
        return min(wait, self.coba_maks_jeda)


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        raise KabarError(f"jam {text!r} bukan JJ:MM (mis. \"07:00\")") from None


def _channel(nama: str, raw: _ChannelFile) -> KanalKabar:
    jalur: list[tuple[str, str]] = []
    for way in raw.get("jalur") or []:
        if not isinstance(way, dict) or len(way) != 1 or next(iter(way)) not in JALUR:
            raise KabarError(f"kanal.{nama}.jalur: tiap jalur satu dari {', '.join(JALUR)} dengan nama variabel lingkungan, "
                             f"bukan {way!r}")
        kind, env = next(iter(way.items()))
        jalur.append((kind, str(env)))
    if not raw.get("alamat"):
        raise KabarError(f"kanal.{nama}.alamat: kolom akun yang berisi alamat (mis. email) wajib diisi")
    return KanalKabar(nama, str(raw["alamat"]), tuple(jalur))


def _event(nama: str, raw: _EventFile, kanal: dict[str, KanalKabar]) -> JenisKabar:
    unknown = [k for k in raw.get("kanal", []) if k not in kanal]
    if unknown or not raw.get("kanal"):
        raise KabarError(f"peristiwa.{nama}.kanal: kanal tidak dikenal {unknown} (yang ada: {', '.join(kanal)})")
    templat = str(raw.get("templat", nama))
    if not (TEMPLAT / f"{templat}.txt").is_file():
        raise KabarError(f"peristiwa.{nama}.templat: tidak ada templat {templat}.txt di {TEMPLAT}")
    if not raw.get("penerima"):
        raise KabarError(f"peristiwa.{nama}.penerima: wajib diisi ('pengirim' dan/atau kunci peran)")
    try:
        jam_sebelum = float(raw.get("jam_sebelum", 0))
        hari = tuple(int(h) for h in raw.get("hari_sebelum") or ())
    except (TypeError, ValueError):
        raise KabarError(f"peristiwa.{nama}: hari_sebelum dan jam_sebelum harus angka") from None
    if jam_sebelum < 0 or any(h < 0 for h in hari):
        raise KabarError(f"peristiwa.{nama}: hari_sebelum dan jam_sebelum tidak boleh negatif")
    return JenisKabar(nama, tuple(str(p) for p in raw["penerima"]), tuple(raw["kanal"]), templat,
                      bool(raw.get("penting", True)), bool(raw.get("jam_tenang", False)), hari,
                      _clock(raw["jam"]) if raw.get("jam") else None, jam_sebelum, str(raw.get("uraian") or nama))
