"""Pantau siklus: the home redirect (per role), an area's page, a desa's page, the search box."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import views
from ..auth import AksesDep, akses, izin
from ..deps import TahunDep, now, runtime
from ..render import base, show

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def beranda(request: Request, a: AksesDep) -> Response:
    """Each role's own first page: an operator's Kirim data, pillar staff's Pantau (web.beranda sends operators
    here from Airflow's home)."""
    if a.beranda is None:
        raise HTTPException(status_code=403, detail="pantau")
    return RedirectResponse(f"{base(request)}/{a.beranda}", status_code=303)


@router.get("/pantau", response_class=HTMLResponse)
def pantau(request: Request, a: AksesDep, t: TahunDep, hanya: str = "") -> Response:
    return pantau_wilayah(request, a, t, runtime().wilayah, hanya)


@router.get("/pantau/wilayah/{kode}", response_class=HTMLResponse)
def pantau_wilayah(request: Request, a: AksesDep, t: TahunDep, kode: str, hanya: str = "") -> Response:
    izin(a, "pantau")
    view = views.pantau_wilayah(t.rt, kode, now(), hanya)
    if isinstance(view, views.Pindah):
        return RedirectResponse(base(request) + view.path + t.pilihan.q, status_code=303)
    return show(request, a, view, "pantau", pilihan=t.pilihan)


@router.get("/pantau/desa/{kode}", response_class=HTMLResponse)
def pantau_desa(request: Request, a: AksesDep, t: TahunDep, kode: str) -> Response:
    izin(a, "pantau")
    view = views.pantau_desa(t.rt, kode)
    if view is None:
        raise HTTPException(status_code=404, detail=f"{kode[:20]} bukan kode desa di wilayah ini")
    return show(request, a, view, "pantau", pilihan=t.pilihan)


@router.get("/cari", response_class=HTMLResponse, dependencies=[Depends(akses)])
def cari(request: Request, q: Annotated[str, Query(max_length=80)] = "") -> Response:
    """A desa or area code, or a file's sha256 (from a stored row's ``sha256_berkas``): straight to its page."""
    found = views.cari(runtime(), q.strip().lower())
    if found is None:
        raise HTTPException(status_code=404, detail=f"'{q[:80]}' bukan kode wilayah di tingkat ini atau sha256 berkas")
    return RedirectResponse(base(request) + found.path, status_code=303)
