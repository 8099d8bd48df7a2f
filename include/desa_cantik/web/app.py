"""The app factory: the pages' FastAPI app, as the plugin registers it under ``PREFIX``.

No ``/docs`` or schema. 401, 403 and 404 are pages people can read (in Indonesian), not JSON. Pandas, the
warehouse and the region list load on the first request, never when Airflow loads plugins.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from desa_cantik.peran import HALAMAN

from . import PREFIX
from .auth import BUKAN_HAK
from .render import CSP_PAGE, JUDUL, base, templates
from .routes import berkas, indikator, kabar, kirim, paket, pantau, static, temuan

TITLE = "Halaman pemantauan Desa Cantik"


async def halaman_galat(request: Request, exc: Exception) -> Response:
    """401, 403 and 404 as a page people can read (in Indonesian), with a way to log in and come back here."""
    assert isinstance(exc, StarletteHTTPException)
    dasar = base(request)
    airflow = dasar.removesuffix(PREFIX) or "/"
    detail = exc.detail if isinstance(exc.detail, str) else ""
    pesan = detail.removeprefix(BUKAN_HAK) if detail.startswith(BUKAN_HAK) else ""
    # after logging in, FAB sends the browser back here (an operator's bookmark of Kirim data keeps working)
    masuk = f"{airflow.rstrip('/')}/auth/login/?" + urlencode({"next": dasar + request.url.path.removeprefix(dasar)})
    html = templates().get_template("galat.html").render(
        dasar=dasar, airflow=airflow, masuk=masuk, kode=exc.status_code, detail=detail, pesan=pesan,
        sumber=HALAMAN.get(detail, ""), judul_halaman=JUDUL.get(detail, ""))
    return HTMLResponse(html, status_code=exc.status_code, headers={"Content-Security-Policy": CSP_PAGE})


def create_app() -> FastAPI:
    """The pages' app: every router, the error page; no docs or OpenAPI schema."""
    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(StarletteHTTPException, halaman_galat)
    for module in (pantau, temuan, indikator, paket, kabar, berkas, kirim, static):
        app.include_router(module.router)
    return app
