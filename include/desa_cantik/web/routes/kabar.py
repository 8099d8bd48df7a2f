"""Kabar: every notification attempt (who, what, when, channel, result) and the outbox's counts, for Diskominfo and
the auditor (the page's FAB resource ``Desa Cantik: Kabar``, config/peran.yaml); and every logged-in user's own
settings (``/kabar/berhenti``): stop or receive again the non-essential kinds they would hear of (``kabar.berhenti``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..auth import Akses, AksesDep, daftar_peran, izin, sama_asal
from ..deps import runtime
from ..render import base, render

if TYPE_CHECKING:
    from desa_cantik.kabar import AturanKabar

router = APIRouter()
MAX_LOG = 300  # the newest attempts; older ones stay in log_kabar
BERHENTI = "berhenti"  # the form field: a kind to stop (checked boxes)


@router.get("/kabar", response_class=HTMLResponse)
def kabar(request: Request, a: AksesDep) -> Response:
    izin(a, "kabar")
    from desa_cantik.pii import mask_text

    rt = runtime()
    log = rt.warehouse.kabar_log(MAX_LOG)
    log = [type(x)(**{**x.__dict__, "subjek": mask_text(x.subjek) or "", "keterangan": mask_text(x.keterangan)}) for x in log]
    return render(request, a, "kabar.html", "kabar", log=log, status=sorted(rt.warehouse.kabar_status().items()))


def _jenis(aturan: AturanKabar, a: Akses) -> list[str]:
    """The kinds this user's roles may hear of (an operator: a sender's; staff: their role's)."""
    from desa_cantik.kabar.berhenti import untuk_peran

    return untuk_peran(aturan, daftar_peran(), a.peran) if a.peran else []


def _page(request: Request, a: Akses, pesan: str = "", galat: str = "", status_code: int = 200) -> HTMLResponse:
    from desa_cantik.kabar import AturanKabar
    from desa_cantik.kabar.berhenti import pilihan

    aturan = AturanKabar.load()
    page = render(request, a, "kabar_berhenti.html", BERHENTI, pesan=pesan, galat=galat,
                  pilihan=pilihan(runtime().warehouse, aturan, a.nama, _jenis(aturan, a)))
    page.status_code = status_code
    return page


@router.get("/kabar/berhenti", response_class=HTMLResponse)
def berhenti(request: Request, a: AksesDep, tersimpan: str = "") -> Response:
    """Any logged-in user: the kinds they hear of, and which non-essential ones they stopped."""
    return _page(request, a, "Pengaturan kabar Anda tersimpan." if tersimpan else "")


@router.post("/kabar/berhenti", response_class=HTMLResponse)
async def berhenti_simpan(request: Request, a: AksesDep) -> Response:
    """Save the user's own choice (never another account's: the account is the session's); 303 back to the page."""
    from datetime import UTC, datetime

    from desa_cantik.kabar import AturanKabar, KabarError
    from desa_cantik.kabar.berhenti import atur

    sama_asal(request, a)
    form = await request.form()
    stop = [str(v)[:64] for v in form.getlist(BERHENTI)][:50]
    aturan = AturanKabar.load()
    try:
        atur(runtime().warehouse, aturan, a.nama, stop, datetime.now(UTC).replace(microsecond=0).isoformat(),
             _jenis(aturan, a))
    except KabarError as exc:
        return _page(request, a, galat=f"Pengaturan tidak disimpan: {exc}.", status_code=400)
    return RedirectResponse(f"{base(request)}/kabar/berhenti?tersimpan=1", status_code=303)
