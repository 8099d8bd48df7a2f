"""Roles as data: ``config/peran.yaml`` (who may see and do what) and the user import CSV, validated.

Pure domain: no Airflow import. ``scripts/peran.py`` writes these roles and users into Airflow's FAB auth
manager, ``dags/common/akses.py`` hands each DAG its ``access_control``, and the README's role table is
rendered here from the same data, so the three never drift. A mistake in the file fails loudly, in
Indonesian, before anything is written.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

import yaml

from .config import PROJECT_ROOT

PERAN_PATH = PROJECT_ROOT / "config" / "peran.yaml"  # or DESA_CANTIK_PERAN (as DESA_CANTIK_DAFTAR_DATA)

# The plugin's pages as FAB custom resources (action can_read); the pages check these names.
HALAMAN = {
    "pantau": "Desa Cantik: Pantau Siklus",
    "temuan": "Desa Cantik: Temuan",
    "indikator": "Desa Cantik: Indikator",
    "paket": "Desa Cantik: Paket",
    "laporan": "Desa Cantik: Laporan Berkas",
    "kirim": "Desa Cantik: Kirim Data",  # an operator's own pages: Kirim data, Berkas saya
    "kabar": "Desa Cantik: Kabar",  # the notifications' log (Diskominfo, the auditor)
}
# What an operator role's users are bound to (their kode_wilayah column): one desa, a kecamatan, or an agency.
CAKUPAN = {
    "desa": ("kode desa", re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"), "35.07.01.2001"),
    "kecamatan": ("kode kecamatan", re.compile(r"^\d{2}\.\d{2}\.\d{2}$"), "35.07.01"),
    "opd": ("kode OPD", re.compile(r"^\d{2}\.\d{2}-[A-Z][A-Z0-9]{1,15}$"), "35.07-DINKES"),
}
# username -> kode_wilayah (or kode OPD) of region-bound users, an Airflow Variable written by
# `scripts/peran.py sync --pengguna` and read by the Kirim data pages (what an operator may send and see)
WILAYAH_VARIABLE = "desa_cantik_wilayah_pengguna"
AKSI = ("can_read", "can_edit", "can_create", "can_delete", "menu_access")
# what FAB accepts in a DAG's access_control, per resource (airflow.providers.fab.www.security.permissions)
AKSI_DAG = {
    "DAGs": ("can_read", "can_edit", "can_delete"),
    "DAG Runs": ("can_read", "can_create", "can_delete", "menu_access"),
}
AWALAN_DAG = {"DAGs": "DAG:", "DAG Runs": "DAG Run:"}  # FAB's per-DAG resource names
ADMIN = "Admin"  # FAB's built-in role: every permission

Izin = tuple[str, str]  # (action, resource)


Grants = dict[str, list[str] | None]  # resource -> actions, as peran.yaml lists them


class _RoleFile(TypedDict, total=False):
    """A role in ``peran.yaml``."""

    nama: str
    deskripsi: str
    izin: list[str]  # names of permission sets (``himpunan_izin``)
    izin_tambahan: Grants | None
    halaman: list[str]
    dag: dict[str, dict[str, list[str]]] | None  # dag_id -> {"DAGs": actions, "DAG Runs": actions}
    bawaan: bool
    cakupan: str | None


class _AbilityFile(TypedDict, total=False):
    label: str
    perlu: list[list[str]]  # [action, resource] or [action, resource, dag_id]


class _PeranFile(TypedDict, total=False):
    """``config/peran.yaml``: every value is checked as it is read (a wrong file fails in Indonesian)."""

    himpunan_izin: dict[str, object] | None  # name -> Grants, checked by ``_permission_sets``
    halaman: list[str]
    peran: dict[str, _RoleFile]
    kemampuan: dict[str, _AbilityFile] | None


class PeranError(ValueError):
    """The roles file or the user CSV is wrong: the message says where, in Indonesian."""


@dataclass(frozen=True)
class Peran:
    """One role: its FAB name, description, global permissions, per-DAG grants and pages."""

    kunci: str  # key in peran.yaml and in the CSV's ``peran`` column (bps, diskominfo, ...)
    nama: str  # the FAB role name
    deskripsi: str
    izin: frozenset[Izin]  # global permissions, pages included
    dag: dict[str, dict[str, tuple[str, ...]]]  # dag_id -> {"DAGs": actions, "DAG Runs": actions}
    halaman: tuple[str, ...]
    bawaan: bool = False  # FAB's built-in Admin: has every permission, only the pages are added
    cakupan: str = ""  # operators only: what the user's kode_wilayah names (a key of CAKUPAN)

    def boleh(self, aksi: str, sumber: str, dag_id: str | None = None) -> bool:
        """Whether this role holds a permission, as FAB decides: global, or the DAG's own grant."""
        if self.bawaan or (aksi, sumber) in self.izin:
            return True
        if dag_id is None:
            return False
        return aksi in self.dag.get(dag_id, {}).get(sumber, ())


@dataclass(frozen=True)
class Kemampuan:
    """An ability shown in the README's table: a label and every permission it needs."""

    kunci: str
    label: str
    perlu: tuple[tuple[str, ...], ...]  # (action, resource) or (action, resource, dag_id)
    cakupan: bool = False  # also needs a role bound to an area (an operator): Kirim data sends for that area only


@dataclass(frozen=True)
class DaftarPeran:
    peran: dict[str, Peran]
    kemampuan: dict[str, Kemampuan] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> DaftarPeran:
        path = path or Path(os.environ.get("DESA_CANTIK_PERAN", PERAN_PATH))
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: DAG files read this at parse time
        loaded = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
        if not isinstance(loaded, dict) or not isinstance(loaded.get("peran"), dict):
            raise PeranError(f"{path}: harus berisi peta 'peran'")
        raw = cast(_PeranFile, loaded)
        sets = _permission_sets(raw.get("himpunan_izin") or {})
        peran = {k: _role(k, v, sets) for k, v in raw["peran"].items()}
        names = [p.nama for p in peran.values()]
        if len(set(names)) != len(names):
            raise PeranError(f"nama peran ganda: {names}")
        kemampuan = {k: _ability(k, v) for k, v in (raw.get("kemampuan") or {}).items()}
        return cls(peran, kemampuan)

    def cakupan(self, nama_peran: list[str]) -> str:
        """What a user with these FAB roles is bound to ("" for pillar staff): the first operator role's scope."""
        for nama in nama_peran:
            for p in self.peran.values():
                if p.nama == nama and p.cakupan:
                    return p.cakupan
        return ""

    def by_name(self, nama: str) -> Peran:
        """A role by its key (``bps``) or FAB name (``BPS``), case-insensitive."""
        wanted = nama.strip().lower()
        for p in self.peran.values():
            if wanted in (p.kunci.lower(), p.nama.lower()):
                return p
        raise PeranError(f"peran tidak dikenal: {nama!r} (yang dikenal: {', '.join(self.peran)})")

    def custom_roles(self) -> list[Peran]:
        """The roles this project defines (every one but FAB's built-in Admin)."""
        return [p for p in self.peran.values() if not p.bawaan]

    def access_control(self, dag_id: str) -> dict[str, dict[str, set[str]]]:
        """The DAG's ``access_control``: per role, the DAG-level actions of peran.yaml (Admin needs none)."""
        return {p.nama: {res: set(acts) for res, acts in p.dag[dag_id].items()}
                for p in self.custom_roles() if dag_id in p.dag}

    def mampu(self, peran: Peran, kemampuan: Kemampuan) -> bool:
        return all(peran.boleh(*perlu) for perlu in kemampuan.perlu) and (bool(peran.cakupan) or not kemampuan.cakupan)

    def role_table(self) -> str:
        """The README's table (Markdown): abilities by role, from this data only."""
        roles = list(self.peran.values())
        head = "| kemampuan | " + " | ".join(p.nama for p in roles) + " |"
        rule = "|---|" + "---|" * len(roles)
        rows = [f"| {k.label} | " + " | ".join("ya" if self.mampu(p, k) else "–" for p in roles) + " |"
                for k in self.kemampuan.values()]
        who = [f"- **{p.nama}** (`{p.kunci}`): {p.deskripsi}" for p in roles]
        return "\n".join([head, rule, *rows, "", *who])


def _permission_sets(raw: dict[str, object]) -> dict[str, frozenset[Izin]]:
    sets = {}
    for name, resources in raw.items():
        if not isinstance(resources, dict):
            raise PeranError(f"himpunan_izin.{name}: harus peta sumber -> daftar aksi")
        sets[name] = frozenset(_actions(f"himpunan_izin.{name}", resources))
    return sets


def _actions(where: str, resources: Grants) -> Iterable[Izin]:
    for resource, actions in resources.items():
        for action in actions or []:
            if action not in AKSI:
                raise PeranError(f"{where}.{resource}: aksi tidak dikenal {action!r} (yang dikenal: {', '.join(AKSI)})")
            yield action, str(resource)


def _role(kunci: str, raw: _RoleFile, sets: dict[str, frozenset[Izin]]) -> Peran:
    where = f"peran.{kunci}"
    unknown_sets = [s for s in raw.get("izin", []) if s not in sets]
    if unknown_sets:
        raise PeranError(f"{where}.izin: himpunan tidak dikenal {unknown_sets} (yang ada: {', '.join(sets)})")
    halaman = tuple(raw.get("halaman", []))
    unknown_pages = [h for h in halaman if h not in HALAMAN]
    if unknown_pages:
        raise PeranError(f"{where}.halaman: halaman tidak dikenal {unknown_pages} (yang ada: {', '.join(HALAMAN)})")
    izin: set[Izin] = {("can_read", HALAMAN[h]) for h in halaman}
    for s in raw.get("izin", []):
        izin |= sets[s]
    izin |= set(_actions(f"{where}.izin_tambahan", raw.get("izin_tambahan") or {}))
    dag: dict[str, dict[str, tuple[str, ...]]] = {}
    for dag_id, grants in (raw.get("dag") or {}).items():
        for res, acts in grants.items():
            bad = [a for a in acts if a not in AKSI_DAG.get(res, ())]
            if res not in AKSI_DAG or bad:
                raise PeranError(f"{where}.dag.{dag_id}: {res!r} {bad or acts} tidak diterima Airflow "
                                 f"(yang diterima: {AKSI_DAG})")
        dag[str(dag_id)] = {res: tuple(acts) for res, acts in grants.items()}
    bawaan = bool(raw.get("bawaan", False))
    nama = str(raw.get("nama", kunci))
    if bawaan != (nama == ADMIN):
        raise PeranError(f"{where}: hanya peran bawaan FAB {ADMIN!r} yang boleh 'bawaan: true'")
    cakupan = str(raw.get("cakupan") or "")
    if cakupan and cakupan not in CAKUPAN:
        raise PeranError(f"{where}.cakupan: {cakupan!r} tidak dikenal (yang dikenal: {', '.join(CAKUPAN)})")
    if cakupan and "kirim" not in halaman:
        raise PeranError(f"{where}: peran ber-cakupan (operator) harus punya halaman 'kirim'")
    return Peran(kunci, nama, " ".join(str(raw.get("deskripsi", "")).split()), frozenset(izin), dag, halaman, bawaan,
                 cakupan)


def _ability(kunci: str, raw: _AbilityFile) -> Kemampuan:
    perlu = tuple(tuple(str(x) for x in p) for p in raw.get("perlu", []))
    if not perlu or any(len(p) not in (2, 3) or p[0] not in AKSI for p in perlu):
        raise PeranError(f"kemampuan.{kunci}.perlu: tiap baris [aksi, sumber] atau [aksi, sumber, dag_id]")
    return Kemampuan(kunci, str(raw["label"]), perlu, bool(raw.get("cakupan", False)))


# ---- users ----------------------------------------------------------------------------------------------

KOLOM_PENGGUNA = ("username", "nama_depan", "nama_belakang", "email", "peran", "kode_wilayah")
# optional columns: an address per notification channel (config/kabar.yaml), e.g. alamat_telegram (a chat id),
# alamat_whatsapp (a phone number), alamat_webhook (an Apprise URL); blank: that channel does not reach the user
AWALAN_ALAMAT = "alamat_"
# username -> the user's role, area and addresses, an Airflow Variable written by `scripts/peran.py sync --pengguna`
# and read by the notifications' sender (desa_cantik.kabar.alamat)
ALAMAT_VARIABLE = "desa_cantik_alamat_pengguna"
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$|^\d{2}\.\d{2}-[A-Z][A-Z0-9]{1,15}$")  # a region, or an OPD


@dataclass(frozen=True)
class Pengguna:
    """One user to import: its role by FAB name, a region for operators (blank for pillar staff)."""

    username: str
    nama_depan: str
    nama_belakang: str
    email: str
    peran: str  # FAB role name
    kode_wilayah: str = ""
    kata_sandi: str = field(default="", repr=False)  # blank: a random one is made (never logged)
    alamat: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (alamat_{kanal}, address) of the CSV


def read_users(text: str, daftar: DaftarPeran, sumber: str = "CSV") -> list[Pengguna]:
    """Parse and check the user CSV; every wrong line is reported at once, with its line number."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]  # comments allowed
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in KOLOM_PENGGUNA if c not in (reader.fieldnames or [])]
    if missing:
        raise PeranError(f"{sumber}: kolom hilang: {', '.join(missing)} (kolom: {', '.join(KOLOM_PENGGUNA)}[,kata_sandi])")
    users: list[Pengguna] = []
    errors: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(reader, start=2):
        try:
            users.append(_user(row, daftar, seen))
        except PeranError as exc:
            errors.append(f"baris {n}: {exc}")
    if errors:
        raise PeranError(f"{sumber}:\n" + "\n".join(errors))
    return users


def _user(row: dict[str, str | None], daftar: DaftarPeran, seen: set[str]) -> Pengguna:
    v = {k: (row.get(k) or "").strip() for k in (*KOLOM_PENGGUNA, "kata_sandi")}
    alamat = tuple((k, str(a).strip()) for k, a in row.items() if k and k.startswith(AWALAN_ALAMAT) and a and str(a).strip())
    bad = [k for k, a in alamat if len(a) > 300 or any(c.isspace() for c in a)]
    if bad:
        raise PeranError(f"alamat tidak sah di kolom {', '.join(bad)} (tanpa spasi, paling panjang 300 karakter)")
    if not _USERNAME.match(v["username"]):
        raise PeranError(f"username tidak sah: {v['username']!r}")
    if v["username"].lower() in seen:
        raise PeranError(f"username ganda: {v['username']!r}")
    seen.add(v["username"].lower())
    if not _EMAIL.match(v["email"]):
        raise PeranError(f"email tidak sah: {v['email']!r}")
    if not v["nama_depan"]:
        raise PeranError("nama_depan kosong")
    if v["kode_wilayah"] and not _KODE.match(v["kode_wilayah"]):
        raise PeranError(f"kode_wilayah bukan kode Kemendagri (mis. 35.07.01) atau kode OPD (35.07-DINKES): "
                         f"{v['kode_wilayah']!r}")
    if v["kata_sandi"] and len(v["kata_sandi"]) < 8:
        raise PeranError("kata_sandi kurang dari 8 karakter")
    peran = daftar.by_name(v["peran"])
    if peran.cakupan:
        what, pattern, example = CAKUPAN[peran.cakupan]
        if not pattern.match(v["kode_wilayah"]):
            raise PeranError(f"peran {peran.nama} butuh {what} di kolom kode_wilayah (mis. {example}), "
                             f"bukan {v['kode_wilayah']!r}")
    return Pengguna(v["username"], v["nama_depan"], v["nama_belakang"], v["email"], peran.nama, v["kode_wilayah"],
                    v["kata_sandi"], alamat)
