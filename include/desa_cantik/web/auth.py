"""Who is asking: Airflow's own session and auth manager decide (imported lazily, inside the dependencies).

The user comes from the UI's session (the JWT cookie, or an ``Authorization: Bearer`` token) through
``get_user``; each page is a FAB custom resource checked with ``is_authorized_custom_view`` (the roles in
``config/peran.yaml`` grant them). No token of our own. Anonymous callers get 401; a role without the page 403.
An operator's area comes from an Airflow Variable (``scripts/peran.py sync --pengguna`` writes it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Request

from desa_cantik.peran import HALAMAN  # the pages' FAB resources, granted per role by config/peran.yaml

from . import MENU
from .cache import Segar
from .deps import runtime

if TYPE_CHECKING:
    from desa_cantik.kirim import BukanHak, Operator
    from desa_cantik.peran import DaftarPeran

BUKAN_HAK = "bukan_hak:"  # a 403 whose detail is a message for the operator (what they may not send, and why)
WILAYAH_TTL_S = 30.0  # an operator's area comes from an Airflow Variable; re-read this often


@dataclass(frozen=True)
class Akses:
    """The logged-in user and the pages their roles grant."""

    nama: str
    halaman: frozenset[str]
    peran: tuple[str, ...] = ()  # the user's FAB role names (an operator role binds them to an area)
    token: bool = False  # authenticated by an Authorization header (not the browser's cookie)

    @property
    def cakupan(self) -> str:
        """What the user's operator role binds them to (desa, kecamatan, opd); "" for pillar staff and Admin."""
        return daftar_peran().cakupan(list(self.peran))

    @property
    def menu(self) -> tuple[str, ...]:
        """The pages this user may open, in the nav's order. Kirim data only for an operator: FAB's Admin holds
        its permission too, but is bound to no desa, so the page would refuse it."""
        return tuple(k for k in MENU if k in self.halaman and (k != "kirim" or self.cakupan))

    @property
    def beranda(self) -> str | None:
        """The user's first page: an operator's is Kirim data, pillar staff's Pantau (None: no page at all)."""
        return self.menu[0] if self.menu else None


async def akses(request: Request) -> Akses:
    """Authenticate with Airflow's own session (401 without one) and list the pages the user may open."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.security import HTTPBearer

    credentials = await HTTPBearer(auto_error=False)(request)
    try:
        user = await get_user(request, None, credentials)
    except HTTPException as exc:  # a revoked (logged out), forged or expired token is no session: log in again
        raise HTTPException(status_code=401, detail="sesi_berakhir") from exc
    manager = get_auth_manager()
    allowed = frozenset(key for key, resource in HALAMAN.items()
                        if manager.is_authorized_custom_view(method="GET", resource_name=resource, user=user))
    roles = tuple(str(getattr(r, "name", r)) for r in getattr(user, "roles", None) or ())
    return Akses(user.get_name(), allowed, roles, credentials is not None)


AksesDep = Annotated[Akses, Depends(akses)]


def izin(a: Akses, halaman: str) -> None:
    """403 unless the user's roles grant the page."""
    if halaman not in a.halaman:
        raise HTTPException(status_code=403, detail=halaman)


@lru_cache(maxsize=1)
def daftar_peran() -> DaftarPeran:
    from desa_cantik.peran import DaftarPeran

    return DaftarPeran.load()


def _read_wilayah() -> dict[str, str]:
    """username -> kode wilayah / kode OPD, as ``scripts/peran.py sync --pengguna`` wrote it."""
    from airflow.models import Variable

    from desa_cantik.peran import WILAYAH_VARIABLE

    try:
        peta = json.loads(Variable.get(WILAYAH_VARIABLE, default_var="{}"))
    except ValueError:
        return {}
    return peta if isinstance(peta, dict) else {}


WILAYAH = Segar(WILAYAH_TTL_S, _read_wilayah)


def wilayah_pengguna() -> dict[str, str]:
    """Each user's area (read again every ``WILAYAH_TTL_S``)."""
    return WILAYAH.get()


def operator(a: AksesDep) -> Operator:
    """The logged-in operator and the area their account is bound to; 403 for anyone else."""
    izin(a, "kirim")
    from desa_cantik.kirim import Operator

    cakupan = a.cakupan
    kode = str(wilayah_pengguna().get(a.nama, ""))
    op = Operator(a.nama, cakupan, kode)
    if not cakupan or not kode or not op.pengirim(runtime()):
        raise HTTPException(status_code=403, detail="tanpa_cakupan")
    return op


OperatorDep = Annotated["Operator", Depends(operator)]


def bukan_hak(exc: BukanHak) -> HTTPException:
    """A refusal the operator reads (what they may not send, and why) as a 403 page."""
    return HTTPException(status_code=403, detail=BUKAN_HAK + str(exc))


def _asal(url: str) -> tuple[str, str, int] | None:
    """An origin as the browser compares it: scheme, host and port (a default port spelled out), or None."""
    parsed = urlparse(url)
    scheme, host = parsed.scheme.lower(), (parsed.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    try:
        port = parsed.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    return scheme, host, port


def alamat_server(request: Request) -> str:
    """This server's origin as browsers reach it (``scheme://host:port``): Airflow's ``[api] base_url``, else the
    request's own URL. Forms must come from it and signed redirects go back to it."""
    from airflow.configuration import conf

    configured = conf.get("api", "base_url", fallback="") or ""
    found = _asal(configured) or _asal(str(request.url))
    assert found is not None  # the request's own URL always has a scheme and a host
    scheme, host, port = found
    return f"{scheme}://{host}:{port}"


def rahasia_tier() -> bytes:
    """The tier's secret for the tokens it signs (Airflow's ``[api] secret_key``, shared by every api-server)."""
    from airflow.configuration import conf

    return str(conf.get("api", "secret_key")).encode()


def sama_asal(request: Request, a: Akses) -> None:
    """A form sent with the browser's cookie must come from this server's own page (no cross-site posting): the
    ``Origin`` (or ``Referer``) must have this server's scheme, host and port (``alamat_server``)."""
    if a.token:
        return
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if _asal(origin) is None or _asal(origin) != _asal(alamat_server(request)):
        raise HTTPException(status_code=403, detail="asal_formulir")
