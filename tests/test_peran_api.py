"""The role table over HTTP: for every ability of config/peran.yaml and every role, a real request to a real
api-server (FAB, roles synced by scripts/peran.py, the demo users) answers 403 exactly when the table says "–":
Airflow's REST API, the plugin list Airflow's nav is built from, and each Desa Cantik page (every role × page).
An anonymous caller gets 401. The pages' custom resources are checked through FAB itself.

Allowed means "not refused": an authorised request for something that does not exist answers 404 (the
permission is checked before the lookup), which keeps these probes from needing real runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from desa_cantik.peran import HALAMAN, DaftarPeran

from .airflow_server import ROOT, AirflowServer

pytestmark = pytest.mark.airflow
GATE, CYCLE = "desa_cantik_gerbang_masuk", "desa_cantik_siklus_tahunan"
DAFTAR = DaftarPeran.load()
USERS = {"bps": "bps", "diskominfo": "diskominfo", "bappeda": "bappeda", "auditor": "auditor", "admin": "admin",
         "operator_desa": "operator-tulungrejo", "operator_kecamatan": "operator-donomulyo",
         "operator_opd": "operator-dinkes"}  # role -> its demo user (config/pengguna_demo.csv)
NO_RUN = "tidak-ada"  # a run id that does not exist: authorised -> 404, refused -> 403

Probe = Callable[[AirflowServer, str], list[int]]


def _trigger(dag_id: str) -> Probe:
    def probe(s: AirflowServer, user: str) -> list[int]:
        body = {"logical_date": None, "dag_run_id": f"uji-{user}-{uuid.uuid4().hex[:6]}"}
        return [s.post(f"/api/v2/dags/{dag_id}/dagRuns", user, json=body).status_code]
    return probe


def _clear(dag_id: str) -> Probe:
    def probe(s: AirflowServer, user: str) -> list[int]:
        return [s.post(f"/api/v2/dags/{dag_id}/clearTaskInstances", user, json={"dry_run": True}).status_code]
    return probe


def _see(s: AirflowServer, user: str) -> list[int]:
    return [s.get("/api/v2/dags", user).status_code,
            s.get(f"/api/v2/dags/{CYCLE}/dagRuns", user).status_code,
            s.get(f"/api/v2/dags/{CYCLE}/dagRuns/~/taskInstances", user).status_code,
            s.get(f"/api/v2/dags/{CYCLE}/dagRuns/{NO_RUN}/taskInstances/susun_paket/logs/1", user).status_code,
            s.get(f"/api/v2/dags/{CYCLE}/dagRuns/~/taskInstances/~/xcomEntries", user).status_code]


def _answer(s: AirflowServer, user: str) -> list[int]:
    path = f"/api/v2/dags/{CYCLE}/dagRuns/{NO_RUN}/taskInstances/persetujuan_bappeda/-1/hitlDetails"
    return [s.patch(path, user, json={"chosen_options": ["Setujui"], "params_input": {"alasan": "uji"}}).status_code]


def _delete_run(s: AirflowServer, user: str) -> list[int]:
    return [s.delete(f"/api/v2/dags/{CYCLE}/dagRuns/{NO_RUN}", user).status_code]


def _read_conn(s: AirflowServer, user: str) -> list[int]:
    return [s.get("/api/v2/connections", user).status_code, s.get("/api/v2/variables", user).status_code]


def _write_conn(s: AirflowServer, user: str) -> list[int]:
    key = f"uji_{user}_{uuid.uuid4().hex[:6]}"
    made = s.post("/api/v2/variables", user, json={"key": key, "value": "x"}).status_code
    conn = s.post("/api/v2/connections", user, json={"connection_id": key, "conn_type": "http"}).status_code
    edit = s.patch(f"/api/v2/variables/{key}", user, json={"key": key, "value": "y"}).status_code if made == 201 else 403
    return [made, conn, edit]


def _audit(s: AirflowServer, user: str) -> list[int]:
    return [s.get("/api/v2/eventLogs", user).status_code]


def _users(s: AirflowServer, user: str) -> list[int]:
    return [s.get("/auth/fab/v1/users", user).status_code, s.get("/auth/fab/v1/roles", user).status_code]


def _pages(s: AirflowServer, user: str) -> list[int]:
    """The monitoring pages; a report that does not exist is a 404 once the role may read reports."""
    return [*(s.get(f"/desa-cantik/{page}", user).status_code for page in ("pantau", "temuan", "indikator", "paket")),
            s.get(f"/desa-cantik/laporan/2025/berkas/{'a' * 64}", user).status_code]


def _nav(s: AirflowServer, user: str) -> list[int]:
    """The list Airflow's UI builds its nav from (the Desa Cantik entries among them)."""
    return [s.get("/api/v2/plugins", user).status_code]


def _send(s: AirflowServer, user: str) -> list[int]:
    """Kirim data and Berkas saya, as the user's own pages (bound to the user's desa, kecamatan or OPD)."""
    return [s.get("/desa-cantik/kirim", user).status_code, s.get("/desa-cantik/kirim/berkas", user).status_code]


def _kabar(s: AirflowServer, user: str) -> list[int]:
    """The notifications' log (who heard what, when, on which channel)."""
    return [s.get("/desa-cantik/kabar", user).status_code]


PROBES: dict[str, Probe] = {
    "lihat": _see, "picu_gerbang": _trigger(GATE), "ulang_gerbang": _clear(GATE), "picu_siklus": _trigger(CYCLE),
    "ulang_siklus": _clear(CYCLE), "setujui": _answer, "hapus_run": _delete_run, "baca_koneksi": _read_conn,
    "ubah_koneksi": _write_conn, "log_audit": _audit, "pengguna": _users, "halaman": _pages, "navigasi": _nav,
    "kirim": _send, "kabar": _kabar,
}


def test_every_ability_of_the_table_has_a_probe() -> None:
    assert set(PROBES) == set(DAFTAR.kemampuan)
    assert set(USERS) == set(DAFTAR.peran), "every role of peran.yaml is probed through one of its users"


@pytest.mark.parametrize("kemampuan", sorted(PROBES))
@pytest.mark.parametrize("peran", sorted(USERS))
def test_role_table_over_rest_api(airflow_server: AirflowServer, peran: str, kemampuan: str) -> None:
    allowed = DAFTAR.mampu(DAFTAR.by_name(peran), DAFTAR.kemampuan[kemampuan])
    codes = PROBES[kemampuan](airflow_server, USERS[peran])
    if allowed:
        assert all(c not in (401, 403) and c < 500 for c in codes), (peran, kemampuan, codes)
    else:
        assert all(c == 403 for c in codes), (peran, kemampuan, codes)


def test_anonymous_gets_401(airflow_server: AirflowServer) -> None:
    for method, path in (("GET", "/api/v2/dags"), ("GET", f"/api/v2/dags/{CYCLE}/dagRuns"),
                         ("POST", f"/api/v2/dags/{GATE}/dagRuns"), ("GET", "/api/v2/connections"),
                         ("PATCH", f"/api/v2/dags/{CYCLE}/dagRuns/{NO_RUN}/taskInstances/persetujuan_bappeda/-1/hitlDetails"),
                         ("GET", "/api/v2/eventLogs"), ("GET", "/auth/fab/v1/users")):
        assert airflow_server.request(method, path, None, json={}).status_code == 401, (method, path)
    bad = airflow_server.post("/auth/token", None, json={"username": "bappeda", "password": "salah"})
    assert bad.status_code == 401


def test_a_run_bps_may_trigger_is_real(airflow_server: AirflowServer) -> None:
    """Not only 'not refused': BPS's trigger of the hourly gate creates the run, owned by that user."""
    run_id = f"uji-bps-{uuid.uuid4().hex[:6]}"
    r = airflow_server.post(f"/api/v2/dags/{GATE}/dagRuns", "bps", json={"logical_date": None, "dag_run_id": run_id})
    assert r.status_code == 200, r.text
    got = airflow_server.get(f"/api/v2/dags/{GATE}/dagRuns/{run_id}", "auditor").json()
    assert got["triggering_user_name"] == "bps"


PAGE_CHECK = """
import json, sys, warnings
warnings.simplefilter("ignore")
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
from airflow.providers.fab.auth_manager.fab_auth_manager import FabAuthManager
users, pages = json.loads(sys.argv[1]), json.loads(sys.argv[2])
with get_application_builder() as ab:
    am = FabAuthManager()
    print(json.dumps({u: {p: am.is_authorized_custom_view(method="GET", resource_name=p, user=ab.sm.find_user(username=u))
                          for p in pages} for u in users}))
"""


def test_pages_are_granted_through_fab(airflow_server: AirflowServer) -> None:
    """The plugin asks FAB's ``is_authorized_custom_view`` per page: the answer is peran.yaml's."""
    pages = [*HALAMAN.values(), "Desa Cantik: tidak ada"]
    out = subprocess.run([sys.executable, "-c", PAGE_CHECK, json.dumps(list(USERS.values())), json.dumps(pages)],
                         env=airflow_server.env, capture_output=True, text=True, check=True, timeout=300)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    for peran, user in USERS.items():
        role = DAFTAR.by_name(peran)
        assert got[user] == {p: role.boleh("can_read", p) and p in HALAMAN.values() for p in pages}, peran


def test_bulk_import_gives_random_passwords_only_to_a_0600_file(airflow_server: AirflowServer, tmp_path: Path) -> None:
    csv = tmp_path / "pengguna.csv"
    csv.write_text("username,nama_depan,nama_belakang,email,peran,kode_wilayah\n"
                   "operator.donomulyo,Operator,Donomulyo,op@contoh.id,bps,35.07.01\n", encoding="utf-8")
    secret = tmp_path / "sandi.tsv"
    cmd = [sys.executable, "scripts/peran.py", "sync", "--pengguna", str(csv), "--sandi-baru", str(secret)]
    out = subprocess.run(cmd, env=airflow_server.env, capture_output=True, text=True, check=True, timeout=300,
                         cwd=ROOT)
    user, password = secret.read_text(encoding="utf-8").strip().split("\t")
    assert user == "operator.donomulyo" and len(password) >= 16
    assert secret.stat().st_mode & 0o777 == 0o600
    assert password not in out.stdout + out.stderr and "1 pengguna baru" in out.stdout
    airflow_server.passwords[user] = password
    assert airflow_server.get(f"/api/v2/dags/{GATE}/dagRuns", user).status_code == 200  # a BPS user now
    assert airflow_server.get("/api/v2/connections", user).status_code == 403
    wilayah = airflow_server.get("/api/v2/variables/desa_cantik_wilayah_pengguna", "admin").json()
    assert json.loads(wilayah["value"])[user] == "35.07.01"
    again = subprocess.run(cmd, env=airflow_server.env, capture_output=True, text=True, check=True, timeout=300,
                           cwd=ROOT)
    assert "0 baru, 1 diperbarui" in again.stdout
    assert secret.read_text(encoding="utf-8").count("\n") == 1, "an existing user keeps the password"
