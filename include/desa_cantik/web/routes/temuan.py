"""Temuan: the gate's findings per rule, and one rule's findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import TahunDep
from ..render import show

router = APIRouter()


@router.get("/temuan", response_class=HTMLResponse)
def temuan(request: Request, a: AksesDep, t: TahunDep, wilayah: str = "") -> Response:
    izin(a, "temuan")
    view = views.temuan(t.rt, wilayah)
    return show(request, a, view, "temuan", pilihan=t.pilihan)


@router.get("/temuan/aturan/{aturan}", response_class=HTMLResponse)
def temuan_aturan(request: Request, a: AksesDep, t: TahunDep, aturan: str, wilayah: str = "") -> Response:
    izin(a, "temuan")
    view = views.temuan_aturan(t.rt, aturan, wilayah)
    return show(request, a, view, "temuan", pilihan=t.pilihan)
