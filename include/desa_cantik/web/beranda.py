"""The way in: Airflow's home page and the short address, per role (an ASGI middleware at Airflow's root).

After logging in, FAB sends everyone to Airflow's home page, the dashboard: an operator may read no DAG there,
so it would greet them in English with a red "403 Forbidden" box. The plugin registers this middleware
(``fastapi_root_middlewares``); it answers two addresses before Airflow does and lets every other request pass
untouched:

- ``/`` (Airflow's home), for a logged-in operator (a role bound to a desa, kecamatan or OPD): 303 to their own
  first page, Kirim data. Anyone else, and anyone not logged in, gets Airflow's home as before.
- ``/kirim``, the short address an operator bookmarks: 303 to Kirim data; without a session to Airflow's login
  page first, which sends the browser back to Kirim data.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from . import PREFIX
from .auth import akses

SINGKAT = "/kirim"  # the short address at Airflow's root


class Beranda:
    """Airflow's home for operators, and ``/kirim``: a 303 to their page; every other request as it was."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            root = str(scope.get("root_path", ""))
            path = str(scope["path"]).removeprefix(root).rstrip("/") or "/"
            if path in ("/", SINGKAT):
                target = await tujuan(Request(scope), root, path)
                if target is not None:
                    await RedirectResponse(target, status_code=303)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def tujuan(request: Request, root: str, path: str) -> str | None:
    """Where ``path`` (``/`` or ``/kirim``) sends this caller, or None: Airflow answers it."""
    halaman = f"{root}{PREFIX}"
    try:
        a = await akses(request)
    except HTTPException:  # no session, or an expired one: Airflow's own login flow
        if path == "/":
            return None
        from airflow.api_fastapi.app import get_auth_manager

        return str(get_auth_manager().get_url_login(next_url=f"{halaman}/kirim"))
    if path == SINGKAT:
        return f"{halaman}/kirim"
    return f"{halaman}/{a.beranda}" if a.cakupan and a.beranda else None
