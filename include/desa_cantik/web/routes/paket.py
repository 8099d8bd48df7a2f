"""Paket: the published versions, Bappeda's decisions and, above a kabupaten, the children's deliveries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import TahunDep
from ..render import show

router = APIRouter()


@router.get("/paket", response_class=HTMLResponse)
def paket(request: Request, a: AksesDep, t: TahunDep) -> Response:
    izin(a, "paket")
    view = views.paket(t.rt)
    return show(request, a, view, "paket", pilihan=t.pilihan)
