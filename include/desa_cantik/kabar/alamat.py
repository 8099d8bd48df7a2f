"""Who a recipient is, from the accounts: the user CSV's e-mail and ``alamat_{kanal}`` columns, its role and area.

An event names its recipient as ``pengirim:{kode}`` or ``peran:{kunci}``; the sender turns that into accounts here,
when it sends (an address changed since the event was queued is the one used). A sender's accounts: a desa operator
bound to that desa, a kecamatan operator whose kecamatan holds it, an agency operator bound to that OPD code.
The book travels as JSON (the Airflow Variable ``desa_cantik_alamat_pengguna`` written by ``scripts/peran.py sync``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..kosakata import within
from ..peran import DaftarPeran, Pengguna, read_users

PENERIMA_PENGIRIM = "pengirim:"
PENERIMA_PERAN = "peran:"


@dataclass(frozen=True)
class Akun:
    """One account as notifications reach it."""

    username: str
    nama: str
    peran: str  # FAB role name
    kode_wilayah: str  # operators: a desa, a kecamatan or an OPD code; "" for pillar staff
    alamat: tuple[tuple[str, str], ...]  # (field, address): ("email", "a@b"), ("alamat_telegram", "12345")

    def alamat_untuk(self, field: str) -> str:
        return next((a for f, a in self.alamat if f == field), "")


def akun_of(u: Pengguna) -> Akun:
    nama = f"{u.nama_depan} {u.nama_belakang}".strip()
    return Akun(u.username, nama, u.peran, u.kode_wilayah, (("email", u.email), *u.alamat))


@dataclass(frozen=True)
class BukuAlamat:
    """Every account that notifications may reach."""

    akun: tuple[Akun, ...]

    @classmethod
    def from_users(cls, users: list[Pengguna]) -> BukuAlamat:
        return cls(tuple(akun_of(u) for u in users))

    @classmethod
    def from_csv(cls, path: Path, daftar: DaftarPeran | None = None) -> BukuAlamat:
        daftar = daftar or DaftarPeran.load()
        return cls.from_users(read_users(path.read_text(encoding="utf-8"), daftar, str(path)))

    @classmethod
    def from_env(cls) -> BukuAlamat | None:
        """The user CSV named by ``DESA_CANTIK_PENGGUNA`` (outside Airflow: the CLI, tests), or None."""
        path = os.environ.get("DESA_CANTIK_PENGGUNA")
        return cls.from_csv(Path(path)) if path else None

    def to_json(self) -> str:
        return json.dumps({a.username: {"nama": a.nama, "peran": a.peran, "kode_wilayah": a.kode_wilayah,
                                        "alamat": dict(a.alamat)} for a in self.akun}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BukuAlamat:
        """The Variable's JSON; anything unreadable is an empty book (nobody is reached, the log says so)."""
        try:
            raw = json.loads(text or "{}")
        except ValueError:
            return cls(())
        if not isinstance(raw, dict):
            return cls(())
        out = []
        for user, v in sorted(raw.items()):
            if isinstance(v, dict) and isinstance(v.get("alamat"), dict):
                out.append(Akun(str(user), str(v.get("nama", "")), str(v.get("peran", "")), str(v.get("kode_wilayah", "")),
                                tuple((str(k), str(a)) for k, a in v["alamat"].items() if a)))
        return cls(tuple(out))

    def penerima(self, spec: str, daftar: DaftarPeran) -> list[Akun]:
        """The accounts a recipient names (``pengirim:{kode}``, ``peran:{kunci}``); unknown: none."""
        if spec.startswith(PENERIMA_PERAN):
            try:
                nama = daftar.by_name(spec.removeprefix(PENERIMA_PERAN)).nama
            except ValueError:
                return []
            return [a for a in self.akun if a.peran == nama]
        if spec.startswith(PENERIMA_PENGIRIM):
            kode = spec.removeprefix(PENERIMA_PENGIRIM)
            return [a for a in self.akun if _covers(daftar, a, kode)]
        return []


def _covers(daftar: DaftarPeran, a: Akun, kode: str) -> bool:
    """The account sends for this sender: its operator role's scope holds the code (a desa in its kecamatan too)."""
    if not a.kode_wilayah or not daftar.cakupan([a.peran]):
        return False
    return a.kode_wilayah.upper() == kode.upper() or within(kode, a.kode_wilayah)


def pengirim(kode: str) -> str:
    """The recipient word for a sender's accounts."""
    return PENERIMA_PENGIRIM + kode


def peran(kunci: str) -> str:
    """The recipient word for a role's accounts (a key of config/peran.yaml)."""
    return PENERIMA_PERAN + kunci


def samar(alamat: str) -> str:
    """An address as the log page shows it: enough to tell which, not enough to copy (``tu***@demo.desacantik.invalid``)."""
    if "://" in alamat:
        return alamat.split("://", 1)[0] + "://***"
    user, at, domain = alamat.partition("@")
    if at:
        return f"{user[:2]}***@{domain}"
    return f"{alamat[:3]}***{alamat[-2:]}" if len(alamat) > 6 else "***"
