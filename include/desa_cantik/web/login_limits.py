"""Login limits of the FAB login form: failed attempts per account, every attempt per client address.

A kecamatan hall of village operators shares one public address, so FAB's default (5 logins per 40 s per
address) refused most of a hall at the start of a training day. Here (applied by ``config/webserver_config.py``,
the one FAB web config of every deployment, via ``[fab] config_file``):

- **per account**: failed attempts per username (case-insensitive, as FAB finds users), ``PER_ACCOUNT`` unless
  ``DESA_CANTIK_BATAS_MASUK_AKUN`` says otherwise; a successful login costs nothing. Once over, that username
  is refused, whatever the password, until the window ends: guessing one account's password is slow.
- **per address**: every attempt from one client address, ``PER_ADDRESS`` unless ``DESA_CANTIK_BATAS_MASUK_ALAMAT``
  says otherwise: a hall of 60 operators, each with a typo or two, fits in a minute.
- **the client address**: the socket's peer; ``X-Forwarded-For`` is read only when that peer is one of the
  trusted proxies in ``DESA_CANTIK_PROXY_TEPERCAYA`` (addresses or networks, comma-separated), and then walked
  from the right, skipping trusted hops: the first untrusted hop is the client. Anyone else's header is ignored.
- **the answer**: a 429 with the login form and an Indonesian message saying which limit and when to retry
  (and ``Retry-After``).

Counts live in ``DESA_CANTIK_BATAS_MASUK_PENYIMPANAN`` (a ``limits`` storage URI: Redis in docker/ and
``make stack``, so every api-server worker shares them; ``memory://`` per process otherwise).

Flask and Flask-Limiter only at import; FAB's security manager is imported in ``security_manager_class``.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Response, current_app, flash, make_response, request
from flask_limiter import RequestLimit
from limits import parse_many

log = logging.getLogger(__name__)

ENV_PROXIES = "DESA_CANTIK_PROXY_TEPERCAYA"
ENV_PER_ACCOUNT = "DESA_CANTIK_BATAS_MASUK_AKUN"
ENV_PER_ADDRESS = "DESA_CANTIK_BATAS_MASUK_ALAMAT"
ENV_STORAGE = "DESA_CANTIK_BATAS_MASUK_PENYIMPANAN"
PER_ACCOUNT = "5 per minute"  # failed attempts of one username
PER_ADDRESS = "120 per minute"  # every attempt from one address: a hall of 60 operators, twice each
ACCOUNT_KEY = "akun:"  # the per-account key's prefix (an address never starts with it)
PER_ACCOUNT_CONFIG = "AUTH_RATE_LIMIT_PER_ACCOUNT"  # the Flask config key, beside FAB's AUTH_RATE_LIMIT

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(text: str | None) -> tuple[Network, ...]:
    """``DESA_CANTIK_PROXY_TEPERCAYA``: addresses or networks, separated by commas or spaces."""
    out = []
    for item in (text or "").replace(",", " ").split():
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{ENV_PROXIES}: {item!r} bukan alamat IP atau jaringan (contoh: 10.0.0.5, "
                             "172.16.0.0/12)") from None
    return tuple(out)


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy; then the first untrusted hop from the right.

    ``forwarded_for`` is every ``X-Forwarded-For`` value joined by commas (each proxy appends the address it
    saw). A hop that is not an address stops the walk at the last hop a trusted proxy vouched for.
    """
    try:
        hop = ipaddress.ip_address(peer)
    except ValueError:
        return peer
    if not forwarded_for or not _trusted(hop, proxies):
        return peer
    for entry in reversed(forwarded_for.split(",")):
        try:
            hop = ipaddress.ip_address(entry.strip())
        except ValueError:
            break
        if not _trusted(hop, proxies):
            break
    return str(hop)


def address_key(proxies: Sequence[Network]) -> Callable[[], str]:
    """The limiter's key function (``RATELIMIT_KEY_FUNC``): the client address of the current request."""

    def key() -> str:
        forwarded = ",".join(request.headers.getlist("X-Forwarded-For"))
        return client_address(request.remote_addr or "127.0.0.1", forwarded, proxies)

    return key


def account_key() -> str:
    """The per-account key: the username typed in the form, as FAB compares it (case-insensitive)."""
    return ACCOUNT_KEY + request.form.get("username", "").strip().lower()[:200]


def failed_login(_response: Response) -> bool:
    """Count the attempt against its account only when nobody is logged in after it."""
    from flask_login import current_user

    return not bool(current_user.is_authenticated)


def _wait(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} detik"
    return f"{(seconds + 59) // 60} menit"


def message(per_account: bool, seconds: int) -> str:
    """What happened and when to try again, for the person at the login form."""
    if per_account:
        return (f"Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. Demi keamanan, nama pengguna "
                f"ini ditahan sementara: coba lagi dalam {_wait(seconds)}. Lupa kata sandi? Hubungi admin "
                "Diskominfo; jangan menebak berulang kali.")
    return (f"Terlalu banyak percobaan masuk dari alamat jaringan ini dalam waktu singkat. Coba lagi dalam "
            f"{_wait(seconds)}. Bila banyak operator masuk bersamaan dari satu kantor, masuklah bergantian.")


def _fallback_page(text: str) -> str:
    login = html.escape(request.url)
    return ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Terlalu banyak percobaan masuk"
            "</title></head><body><h1>Terlalu banyak percobaan masuk</h1>"
            f"<p>{html.escape(text)}</p><p><a href=\"{login}\">Kembali ke halaman masuk</a></p></body></html>")


def _login_page(text: str) -> str:
    """FAB's own login form with the message flashed above it (the form a person retries from)."""
    from flask_appbuilder.security.forms import LoginForm_db

    appbuilder: Any = current_app.appbuilder  # type: ignore[attr-defined]  # FAB sets it
    view = appbuilder.sm.auth_view
    flash(text, "danger")
    page: str = view.render_template(view.login_template, title=view.title, form=LoginForm_db(),
                                     appbuilder=appbuilder)
    return page


def on_breach(limit: RequestLimit) -> Response:
    """``RATELIMIT_ON_BREACH_CALLBACK``: the 429 a person sees, in Indonesian, with ``Retry-After``."""
    # the window's end, never more than its length (the limiter's reset time may round up past it)
    seconds = min(max(1, limit.reset_at - int(time.time())), limit.limit.get_expiry())
    per_account = any(str(arg).startswith(ACCOUNT_KEY) for arg in limit.request_args)
    text = message(per_account, seconds)
    log.warning("batas masuk %s tercapai (%s): %s", limit.limit, "akun" if per_account else "alamat", limit.key)
    try:
        page = _login_page(text)
    except Exception:  # the form could not be drawn: the message alone, still in Indonesian
        log.exception("halaman masuk tidak dapat digambar untuk pesan batas masuk")
        page = _fallback_page(text)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(seconds)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _limit(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} bukan batas yang sah (contoh: '5 per minute', "
                         "'120 per minute')") from None
    return value


def security_manager_class() -> type:
    """FAB's security manager with the per-account limit on the login view (``SECURITY_MANAGER_CLASS``)."""
    from airflow.providers.fab.auth_manager.security_manager.override import FabAirflowSecurityManagerOverride

    class LoginLimitedSecurityManager(FabAirflowSecurityManagerOverride):
        def register_views(self) -> None:
            super().register_views()  # FAB's own limit on the login view: per address (AUTH_RATE_LIMIT)
            if self.is_auth_limited and self.auth_view:
                self.limiter.limit(current_app.config[PER_ACCOUNT_CONFIG], key_func=account_key, methods=["POST"],
                                   deduct_when=failed_login)(self.auth_view.blueprint)

    return LoginLimitedSecurityManager


def settings(environ: Mapping[str, str]) -> dict[str, object]:
    """The Flask config ``config/webserver_config.py`` applies: both limits, the key, the answer, the storage."""
    return {
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": _limit(environ, ENV_PER_ADDRESS, PER_ADDRESS),
        PER_ACCOUNT_CONFIG: _limit(environ, ENV_PER_ACCOUNT, PER_ACCOUNT),
        "RATELIMIT_KEY_FUNC": address_key(trusted_proxies(environ.get(ENV_PROXIES))),
        "RATELIMIT_ON_BREACH_CALLBACK": on_breach,
        "RATELIMIT_STORAGE_URI": environ.get(ENV_STORAGE, "").strip() or "memory://",
        "RATELIMIT_KEY_PREFIX": "desa-cantik-masuk",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: count in memory, never refuse everyone
        "SECURITY_MANAGER_CLASS": security_manager_class(),
    }
