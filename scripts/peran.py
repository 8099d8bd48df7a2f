"""Roles and users into Airflow's FAB auth manager, from config/peran.yaml and a user CSV.

    python scripts/peran.py sync [--pengguna CSV] [--sandi-baru FILE]   # idempotent; run after `airflow db migrate`
    python scripts/peran.py tabel                                      # the README's role table

The roles are the project's data (``desa_cantik.peran``); this script is only the Airflow side. Global
permissions of each role are set to exactly what peran.yaml says (extra ones are revoked); DAG-level grants
are each DAG's ``access_control`` (the same data), synced here too so they hold before a DAG is parsed. Users are created
or updated; a user without ``kata_sandi`` gets a random password written once to a 0600 file, never printed
or logged.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import warnings
from pathlib import Path
from typing import Any

from desa_cantik.peran import (
    ADMIN,
    ALAMAT_VARIABLE,
    AWALAN_DAG,
    HALAMAN,
    WILAYAH_VARIABLE,
    DaftarPeran,
    Pengguna,
    Peran,
    PeranError,
    read_users,
)


def _known_resources() -> set[str]:
    """Every global resource FAB knows, plus the plugin's pages: a typo in peran.yaml fails the sync."""
    from airflow.providers.fab.www.security import permissions

    known = {v for k, v in vars(permissions).items() if k.startswith("RESOURCE_") and isinstance(v, str)}
    return (known - set(AWALAN_DAG.values()) - {permissions.RESOURCE_DAG_PREFIX}) | set(HALAMAN.values())


def _sync_role(sm: Any, peran: Peran) -> tuple[int, int]:
    """Set the role's global permissions to exactly peran.yaml's; DAG-level ones are access_control's."""
    role = sm.add_role(peran.nama)
    have = {(p.action.name, p.resource.name): p for p in role.permissions if p.action and p.resource}
    added = removed = 0
    for action, resource in sorted(peran.izin - set(have)):
        sm.add_permission_to_role(role, sm.get_permission(action, resource) or sm.create_permission(action, resource))
        added += 1
    for (action, resource), perm in have.items():
        if (action, resource) not in peran.izin and not resource.startswith(tuple(AWALAN_DAG.values())):
            sm.remove_permission_from_role(role, perm)
            removed += 1
    return added, removed


def sync_roles(sm: Any, daftar: DaftarPeran) -> None:
    unknown = sorted({r for p in daftar.peran.values() for _, r in p.izin} - _known_resources())
    if unknown:
        raise PeranError(f"sumber (resource) tidak dikenal Airflow di peran.yaml: {unknown}")
    sm.sync_roles()  # FAB's built-in roles first (Admin, Viewer, User, Op, Public)
    for peran in daftar.custom_roles():
        added, removed = _sync_role(sm, peran)
        print(f"peran {peran.nama}: {len(peran.izin)} izin global (+{added} −{removed})")
    admin = sm.find_role(ADMIN)
    for name in HALAMAN.values():  # the pages exist as resources, and Admin holds every permission
        sm.add_permission_to_role(admin, sm.get_permission("can_read", name) or sm.create_permission("can_read", name))
    sm.update_admin_permission()
    # DAG-level grants: what each DAG's access_control says (the same data), also before any DAG is parsed
    for dag_id in sorted({d for p in daftar.custom_roles() for d in p.dag}):
        sm.sync_perm_for_dag(dag_id, daftar.access_control(dag_id))


def _write_new_passwords(path: Path, new: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.writelines(f"{user}\t{pw}\n" for user, pw in new.items())


def import_users(sm: Any, users: list[Pengguna], sandi_baru: Path) -> None:
    """Create or update each user (names, email, role); set the CSV's password when it has one."""
    new: dict[str, str] = {}
    created = updated = 0
    for u in users:
        role = sm.find_role(u.peran)
        user = sm.find_user(username=u.username)
        if user is None:
            password = u.kata_sandi or secrets.token_urlsafe(12)
            sm.add_user(u.username, u.nama_depan, u.nama_belakang, u.email, role, password)
            created += 1
            if not u.kata_sandi:
                new[u.username] = password
            continue
        user.first_name, user.last_name, user.email, user.roles = u.nama_depan, u.nama_belakang, u.email, [role]
        user.active = True
        sm.update_user(user)
        if u.kata_sandi and not sm.check_password(u.username, u.kata_sandi):
            sm.reset_password(user.id, u.kata_sandi)
        updated += 1
    print(f"pengguna: {created} baru, {updated} diperbarui")
    if new:
        _write_new_passwords(sandi_baru, new)
        print(f"kata sandi acak untuk {len(new)} pengguna baru ditulis ke {sandi_baru} (hanya pemilik yang dapat membaca)")
    from airflow.models import Variable

    from desa_cantik.kabar.alamat import BukuAlamat

    # the notifications' address book (desa_cantik.kabar): merged, so a CSV of some users keeps the others
    book = {**json.loads(Variable.get(ALAMAT_VARIABLE, default_var="{}")), **json.loads(BukuAlamat.from_users(users).to_json())}
    Variable.set(ALAMAT_VARIABLE, json.dumps(book, sort_keys=True))
    regions = {u.username: u.kode_wilayah for u in users if u.kode_wilayah}
    if regions:
        current = json.loads(Variable.get(WILAYAH_VARIABLE, default_var="{}"))
        Variable.set(WILAYAH_VARIABLE, json.dumps({**current, **regions}, sort_keys=True))


def sync(daftar: DaftarPeran, pengguna: Path | None, sandi_baru: Path) -> None:
    users = read_users(pengguna.read_text(encoding="utf-8"), daftar, str(pengguna)) if pengguna else []
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    logging.getLogger("airflow.providers.fab").setLevel(logging.WARNING)  # our summary says what changed
    with get_application_builder() as appbuilder:
        sync_roles(appbuilder.sm, daftar)
        if users:
            import_users(appbuilder.sm, users, sandi_baru)


def main(argv: list[str] | None = None) -> int:
    warnings.simplefilter("ignore")  # library deprecation notices are not the operator's business
    ap = argparse.ArgumentParser(description="Peran dan pengguna Desa Cantik di Airflow (FAB)")
    sub = ap.add_subparsers(dest="perintah", required=True)
    s = sub.add_parser("sync", help="buat/perbarui peran (dan pengguna dari CSV)")
    s.add_argument("--peran", type=Path, default=None, help="berkas peran (bawaan: $DESA_CANTIK_PERAN atau config/peran.yaml)")
    s.add_argument("--pengguna", type=Path, default=None, help="CSV pengguna: " + ",".join(
        ("username", "nama_depan", "nama_belakang", "email", "peran", "kode_wilayah[,kata_sandi]")))
    s.add_argument("--sandi-baru", type=Path, default=None,
                   help="ke mana kata sandi acak ditulis (0600; bawaan: $AIRFLOW_HOME/kata_sandi_baru.tsv)")
    t = sub.add_parser("tabel", help="tabel peran untuk README")
    t.add_argument("--peran", type=Path, default=None)
    args = ap.parse_args(argv)
    try:
        daftar = DaftarPeran.load(args.peran)
        if args.perintah == "tabel":
            print(daftar.role_table())
            return 0
        home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
        sync(daftar, args.pengguna, args.sandi_baru or home / "kata_sandi_baru.tsv")
    except PeranError as exc:
        print(f"peran: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
