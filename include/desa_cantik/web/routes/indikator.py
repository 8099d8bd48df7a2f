"""Indikator: the tier's indicators with their coverage, one level's table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import TahunDep
from ..render import show

router = APIRouter()


@router.get("/indikator", response_class=HTMLResponse)
def indikator(request: Request, a: AksesDep, t: TahunDep, tingkat: str = "", indikator: str = "",
              induk: str = "") -> Response:
    izin(a, "indikator")
    view = views.indikator(t.rt, tingkat, indikator, induk)
    return show(request, a, view, "indikator", pilihan=t.pilihan)
