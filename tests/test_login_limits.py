"""Login limits (issue 20.5): a hall of operators behind one address logs in; guessing one account is slowed.

Fast: the client address through trusted proxies only, the Indonesian message, the one FAB web config every
deployment points at. ``airflow``: a real api-server with the FAB auth manager and ``config/webserver_config.py``,
driven over HTTP through the login form (CSRF token and all), each client from its own loopback address
(``127.0.0.x``: Linux routes the whole 127/8 to lo), the api-server trusting only ``127.0.0.9`` as a proxy.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from limits import parse_many

from desa_cantik.web import login_limits
from desa_cantik.web.login_limits import client_address, trusted_proxies
from tests.conftest import ROOT

WEBSERVER_CONFIG = ROOT / "config" / "webserver_config.py"
PROXY = "127.0.0.9"  # the one trusted proxy of the test server
SANDI = "sandi-uji-{}"  # the test operators' passwords
HALL = 60


# --- fast --------------------------------------------------------------------------------------------------


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    proxies = trusted_proxies("10.0.0.5, 172.16.0.0/12")
    assert client_address("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"  # untrusted: header ignored
    assert client_address("203.0.113.9", None, proxies) == "203.0.113.9"
    assert client_address("10.0.0.5", "198.51.100.1", proxies) == "198.51.100.1"
    # the client's own header is kept by nginx and the real address appended: the rightmost untrusted hop wins
    assert client_address("10.0.0.5", "1.2.3.4, 198.51.100.1", proxies) == "198.51.100.1"
    assert client_address("10.0.0.5", "198.51.100.1, 172.18.0.3", proxies) == "198.51.100.1"  # two proxies
    assert client_address("10.0.0.5", "bukan-alamat, 198.51.100.1", proxies) == "198.51.100.1"
    assert client_address("10.0.0.5", "198.51.100.1, bukan-alamat", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "172.18.0.3", proxies) == "172.18.0.3"  # every hop trusted: the first
    assert client_address("2001:db8::1", "198.51.100.1", trusted_proxies("2001:db8::/64")) == "198.51.100.1"
    assert client_address("10.0.0.5", "198.51.100.1", ()) == "10.0.0.5"  # nothing trusted: the socket


def test_a_wrong_proxy_setting_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="DESA_CANTIK_PROXY_TEPERCAYA"):
        trusted_proxies("10.0.0.5, nginx")
    with pytest.raises(ValueError, match="DESA_CANTIK_BATAS_MASUK_AKUN"):
        login_limits.settings({"DESA_CANTIK_BATAS_MASUK_AKUN": "lima kali"})


def test_the_message_says_what_happened_and_when_to_retry() -> None:
    akun = login_limits.message(True, 42)
    assert "gagal untuk nama pengguna ini" in akun and "coba lagi dalam 42 detik" in akun
    alamat = login_limits.message(False, 300)
    assert "dari alamat jaringan ini" in alamat and "Coba lagi dalam 5 menit" in alamat


def test_the_defaults_fit_a_hall_and_slow_a_guesser() -> None:
    (per_address,) = parse_many(login_limits.PER_ADDRESS)
    assert per_address.amount >= 2 * HALL and per_address.get_expiry() <= 120  # 60 operators, a typo each
    (per_account,) = parse_many(login_limits.PER_ACCOUNT)
    assert per_account.amount <= 10 and per_account.get_expiry() >= 60


def test_every_deployment_uses_the_one_web_config() -> None:
    from flask import Flask

    from tests.airflow_server import server_env

    app = Flask("uji")
    with app.app_context():
        assert app.config.from_pyfile(str(WEBSERVER_CONFIG))
    assert app.config["AUTH_RATE_LIMIT"] == login_limits.PER_ADDRESS
    assert app.config["AUTH_RATE_LIMIT_PER_ACCOUNT"] == login_limits.PER_ACCOUNT
    assert app.config["RATELIMIT_ON_BREACH_CALLBACK"] is login_limits.on_breach
    assert app.config["SECURITY_MANAGER_CLASS"].__name__ == "LoginLimitedSecurityManager"
    assert server_env(Path("/tmp/x"))["AIRFLOW__FAB__CONFIG_FILE"] == str(WEBSERVER_CONFIG)
    setting = "export AIRFLOW__FAB__CONFIG_FILE=$ROOT/config/webserver_config.py"
    for script in ("scripts/env.sh", "scripts/stack.sh"):  # make demo / make ui, make stack
        assert setting in (ROOT / script).read_text(encoding="utf-8"), script
    # docker/: tests/test_docker.py::test_airflow_services_read_the_repos_web_config


# --- a real api-server ---------------------------------------------------------------------------------------


def _operators(n: int) -> list[str]:
    return [f"operator-uji-{i:02d}" for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An api-server with FAB and the repo's web config, 60 extra operators, trusting only ``PROXY``."""
    from tests.airflow_server import airflow_api_server

    home = tmp_path_factory.mktemp("login")
    csv = home / "operator.csv"
    csv.write_text("username,nama_depan,nama_belakang,email,peran,kode_wilayah,kata_sandi\n" + "".join(
        f"{u},Operator,Uji {i},{u}@uji.desacantik.invalid,auditor,,{SANDI.format(i)}\n"
        for i, u in enumerate(_operators(HALL + 3), start=1)), encoding="utf-8")
    env = {"DESA_CANTIK_HOME": str(home / "desa_cantik"), login_limits.ENV_PROXIES: PROXY}
    with airflow_api_server(home / "af", env, reserialize=False) as s:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "peran.py"), "sync", "--pengguna", str(csv)],
                       env=s.env, check=True, capture_output=True, cwd=ROOT, timeout=600)
        yield s


def _client(server: Any, source: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=120, transport=httpx.HTTPTransport(local_address=source))


def login(server: Any, source: str, username: str, password: str, headers: dict[str, str] | None = None
          ) -> httpx.Response:
    """The browser's way: open the form (session cookie, CSRF token), then post it."""
    with _client(server, source) as c:
        return c.post("/auth/login/", data={"csrf_token": csrf_token(c), "username": username, "password": password},
                      headers=headers or {})


def csrf_token(c: httpx.Client) -> str:
    """Open the login form: the session cookie and its CSRF token (a post without one never reaches the limits)."""
    form = c.get("/auth/login/")
    assert form.status_code == 200, form.text[:500]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)
    assert token, "formulir masuk tanpa token CSRF"
    return token[1]


def logged_in(r: httpx.Response) -> bool:
    return r.status_code == 302 and "/login" not in r.headers.get("location", "")


def refused(r: httpx.Response) -> bool:
    return r.status_code == 429


def _hall(server: Any, source: str, users: list[str]) -> list[httpx.Response]:
    number = {u: i for i, u in enumerate(_operators(HALL + 3), start=1)}
    with ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(lambda u: login(server, source, u, SANDI.format(number[u])), users))


@pytest.mark.airflow
@pytest.mark.parametrize(("source", "size"), [("127.0.0.2", 23), ("127.0.0.3", HALL)])
def test_a_hall_of_operators_behind_one_address_all_log_in(server: Any, source: str, size: int) -> None:
    started = time.monotonic()
    answers = _hall(server, source, _operators(size))
    took = time.monotonic() - started
    assert not [r.status_code for r in answers if refused(r)], f"{size} operator dari satu alamat ditolak"
    assert all(logged_in(r) for r in answers), [(r.status_code, r.headers.get("location")) for r in answers]
    assert took < 120, f"{size} login butuh {took:.0f} s"


@pytest.mark.airflow
def test_wrong_passwords_hold_that_account_while_others_from_the_address_log_in(server: Any) -> None:
    source, guessed, other = "127.0.0.4", "operator-uji-61", "operator-uji-62"
    (per_account,) = parse_many(login_limits.PER_ACCOUNT)
    for _ in range(per_account.amount):
        r = login(server, source, guessed, "tebakan-salah")
        assert r.status_code == 302 and "/login" in r.headers["location"], "kata sandi salah: kembali ke formulir"
    held = login(server, source, guessed, SANDI.format(61))  # even the right password, until the window ends
    assert refused(held)
    assert "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini" in held.text
    assert re.search(r"coba lagi dalam \d+ detik", held.text)
    assert 0 < int(held.headers["retry-after"]) <= per_account.get_expiry()
    assert 'name="password"' in held.text, "the 429 is the login form itself, with the message"
    assert refused(login(server, "127.0.0.7", guessed.upper(), "tebakan-lain")), "per account, from any address"
    assert logged_in(login(server, source, other, SANDI.format(62))), "another account from the same address"


def _exhaust_address(server: Any, source: str, forwarded: Callable[[int], str]) -> httpx.Response:
    """Post the form until the per-address limit answers; its 429.

    Each post an attempt of its own username with an empty password: counted, refused by the form, no hash checked.
    """
    (per_address,) = parse_many(login_limits.PER_ADDRESS)
    with _client(server, source) as c:
        token = csrf_token(c)
        for i in range(per_address.amount + 1):
            r = c.post("/auth/login/", data={"csrf_token": token, "username": f"tak-ada-{i}", "password": ""},
                       headers={"X-Forwarded-For": forwarded(i)})
            if refused(r):
                return r
    raise AssertionError(f"{per_address.amount + 1} percobaan dari {source} tidak pernah ditolak")


@pytest.mark.airflow
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_change_the_key(server: Any) -> None:
    r = _exhaust_address(server, "127.0.0.5", lambda i: f"198.51.100.{i % 250 + 1}")  # a new "client" each time
    assert "dari alamat jaringan ini" in r.text and int(r.headers["retry-after"]) > 0
    again = login(server, "127.0.0.5", "tak-ada-lagi", "x", {"X-Forwarded-For": "192.0.2.99"})
    assert refused(again), "the header of an untrusted peer is ignored: still the same address"
    assert not refused(login(server, "127.0.0.6", "tak-ada-lain", "x")), "another address is not held"


@pytest.mark.airflow
def test_a_trusted_proxy_names_the_client(server: Any) -> None:
    r = _exhaust_address(server, PROXY, lambda _: "1.2.3.4, 203.0.113.7")  # nginx appends the address it saw
    assert "dari alamat jaringan ini" in r.text
    other = login(server, PROXY, "tak-ada-lain", "x", {"X-Forwarded-For": "203.0.113.8"})
    assert not refused(other), "behind the proxy, another client keeps its own count"
    assert refused(login(server, PROXY, "tak-ada-lagi", "x", {"X-Forwarded-For": "203.0.113.7"}))
