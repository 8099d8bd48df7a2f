"""Paket: the published versions, Bappeda's decisions and, above a kabupaten, the children's deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import runtime
from ..render import show

router = APIRouter()


@router.get("/paket", response_class=HTMLResponse)
def paket(request: Request, a: AksesDep) -> Response:
    izin(a, "paket")
    view = views.paket(runtime())
    return show(request, a, view, "paket")
