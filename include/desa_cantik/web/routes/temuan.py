"""Temuan: the gate's findings per rule, and one rule's findings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import runtime
from ..render import show

router = APIRouter()


@router.get("/temuan", response_class=HTMLResponse)
def temuan(request: Request, a: AksesDep, wilayah: str = "") -> Response:
    izin(a, "temuan")
    view = views.temuan(runtime(), wilayah)
    return show(request, a, view, "temuan")


@router.get("/temuan/aturan/{aturan}", response_class=HTMLResponse)
def temuan_aturan(request: Request, a: AksesDep, aturan: str, wilayah: str = "") -> Response:
    izin(a, "temuan")
    view = views.temuan_aturan(runtime(), aturan, wilayah)
    return show(request, a, view, "temuan")
