"""Kabar: every notification attempt (who, what, when, channel, result) and the outbox's counts, for Diskominfo and
the auditor (the page's FAB resource ``Desa Cantik: Kabar``, config/peran.yaml)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..auth import AksesDep, izin
from ..deps import runtime
from ..render import render

router = APIRouter()
MAX_LOG = 300  # the newest attempts; older ones stay in log_kabar


@router.get("/kabar", response_class=HTMLResponse)
def kabar(request: Request, a: AksesDep) -> Response:
    izin(a, "kabar")
    from desa_cantik.pii import mask_text

    rt = runtime()
    log = rt.warehouse.kabar_log(MAX_LOG)
    log = [type(x)(**{**x.__dict__, "subjek": mask_text(x.subjek) or "", "keterangan": mask_text(x.keterangan)}) for x in log]
    return render(request, a, "kabar.html", "kabar", log=log, status=sorted(rt.warehouse.kabar_status().items()))
