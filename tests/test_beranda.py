"""Each role's way in: an operator lands on Kirim data, pillar staff are not offered it.

Fast part: ``Akses.menu`` / ``Akses.beranda`` per role of config/peran.yaml, the ``web.beranda`` middleware at
Airflow's root around a stand-in for Airflow (the caller's identity given), ``/desa-cantik/`` per role.
``airflow`` part: the same on the real api-server (FAB, the demo users): Airflow's home and ``/kirim``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi import HTTPException
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from desa_cantik.peran import HALAMAN, DaftarPeran
from desa_cantik.web import beranda
from desa_cantik.web.auth import Akses

DAFTAR = DaftarPeran.load()
MONITORING = ("pantau", "temuan", "indikator", "paket")


def as_role(kunci: str) -> Akses:
    """A user of that role, with the pages FAB grants it (Admin: every page, as FAB's built-in role has)."""
    role = DAFTAR.by_name(kunci)
    pages = frozenset(HALAMAN) if role.bawaan else frozenset(role.halaman)
    return Akses(f"uji-{kunci}", pages, (role.nama,))


@pytest.mark.parametrize("kunci", sorted(DAFTAR.peran))
def test_each_role_has_its_own_nav_and_first_page(kunci: str) -> None:
    a = as_role(kunci)
    if DAFTAR.by_name(kunci).cakupan:
        assert a.menu == ("kirim",) and a.beranda == "kirim"
    else:  # pillar staff and Admin: the monitoring pages, never Kirim data (it refuses whoever has no desa)
        kabar = ("kabar",) if "kabar" in a.halaman else ()  # the notifications' log: Diskominfo, auditor, Admin
        assert a.menu == MONITORING + kabar and a.beranda == "pantau"
    assert Akses("pemirsa", frozenset()).beranda is None


def airflow_stand_in(who: Akses | None, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """Airflow's root app (every path answers "airflow") behind the middleware; the caller is ``who``."""

    async def identity(request: Any) -> Akses:
        if who is None:
            raise HTTPException(status_code=401)
        return who

    class Manager:
        def get_url_login(self, next_url: str) -> str:
            return "http://server/auth/login/?" + urlencode({"next": next_url})

    import airflow.api_fastapi.app

    monkeypatch.setattr(beranda, "akses", identity)
    monkeypatch.setattr(airflow.api_fastapi.app, "get_auth_manager", lambda: Manager())
    app = Starlette(routes=[Route("/{path:path}", lambda _: PlainTextResponse("airflow"), methods=["GET", "POST"])])
    return TestClient(beranda.Beranda(app), follow_redirects=False)


def test_airflows_home_sends_an_operator_to_kirim_data(monkeypatch: pytest.MonkeyPatch) -> None:
    for kunci in ("operator_desa", "operator_kecamatan", "operator_opd"):
        r = airflow_stand_in(as_role(kunci), monkeypatch).get("/")
        assert r.status_code == 303 and r.headers["location"] == "/desa-cantik/kirim", kunci
    for kunci in ("bps", "diskominfo", "bappeda", "auditor", "admin"):  # their dashboard, as Airflow has it
        assert airflow_stand_in(as_role(kunci), monkeypatch).get("/").text == "airflow", kunci
    assert airflow_stand_in(None, monkeypatch).get("/").text == "airflow"  # Airflow's own login flow


def test_the_short_address_survives_the_login(monkeypatch: pytest.MonkeyPatch) -> None:
    r = airflow_stand_in(None, monkeypatch).get("/kirim")
    assert r.status_code == 303
    login = urlsplit(r.headers["location"])
    assert login.path == "/auth/login/" and parse_qs(login.query)["next"] == ["/desa-cantik/kirim"]
    r = airflow_stand_in(as_role("operator_desa"), monkeypatch).get("/kirim/")
    assert r.status_code == 303 and r.headers["location"] == "/desa-cantik/kirim"


def test_every_other_request_passes_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    c = airflow_stand_in(as_role("operator_desa"), monkeypatch)
    for path in ("/dags", "/desa-cantik/kirim", "/kirimx", "/api/v2/plugins", "/plugin/desa-cantik-pantau"):
        assert c.get(path).text == "airflow", path
    assert c.post("/").text == "airflow" and c.post("/kirim").text == "airflow"


@pytest.mark.airflow
def test_real_server_first_screens(halaman_server: Any) -> None:
    home = halaman_server.get("/", user="operator-tulungrejo", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/desa-cantik/kirim"
    assert halaman_server.get("/", user="bps", follow_redirects=False).status_code == 200  # Airflow's UI
    short = halaman_server.get("/kirim", follow_redirects=False)
    assert short.status_code == 303
    login = urlsplit(short.headers["location"])
    assert login.path == "/auth/login/" and parse_qs(login.query)["next"] == ["/desa-cantik/kirim"]
    for user, page in (("operator-dinkes", "kirim"), ("bps", "pantau"), ("admin", "pantau")):
        r = halaman_server.get("/desa-cantik/", user=user, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/desa-cantik/{page}", user
    admin = halaman_server.get("/desa-cantik/pantau", user="admin").text
    assert 'href="/desa-cantik/kirim"' not in admin and 'href="/desa-cantik/paket"' in admin
