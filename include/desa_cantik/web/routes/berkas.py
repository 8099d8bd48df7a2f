"""Files: a file's page, the operator's report as stored, the GX Data Docs pages (page ``laporan``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import views
from ..auth import AksesDep, izin
from ..deps import runtime, sha
from ..render import base, show, stored

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime

router = APIRouter()


@router.get("/berkas/{tahun}/{sha256}", response_class=HTMLResponse)
def berkas(request: Request, a: AksesDep, tahun: int, sha256: str) -> Response:
    izin(a, "laporan")
    view = views.berkas(runtime(), tahun, sha(sha256))
    if view is None:
        raise HTTPException(status_code=404, detail="berkas tidak ditemukan di gudang data")
    return show(request, a, view, "laporan")


@router.get("/laporan/{tahun}/berkas/{sha256}", response_class=HTMLResponse)
def laporan(a: AksesDep, tahun: int, sha256: str) -> Response:
    """The operator's report for a file, exactly as stored beside its archived copy."""
    izin(a, "laporan")
    rt = runtime()
    key = views.report_key(rt, tahun, sha(sha256))
    if key is None:
        raise HTTPException(status_code=404, detail="laporan tidak ditemukan")
    return _stored(rt, key)


@router.get("/berkas/{tahun}/{sha256}/datadocs")
def berkas_datadocs(request: Request, a: AksesDep, tahun: int, sha256: str) -> Response:
    """The GX Data Docs page of the gate run that judged a file (its batch and dataset)."""
    izin(a, "laporan")
    path = views.datadocs_path(runtime(), tahun, sha(sha256))
    if path is None:
        raise HTTPException(status_code=404, detail="halaman Data Docs untuk berkas ini tidak ada (berkas yang tidak "
                                                    "terbaca tidak diperiksa GX)")
    return RedirectResponse(f"{base(request)}/datadocs/{path}", status_code=303)


@router.get("/datadocs/{path:path}", response_class=HTMLResponse)
def datadocs(a: AksesDep, path: str) -> Response:
    """A Data Docs page (or a run's index page) from the object store's ``data_docs/``."""
    izin(a, "laporan")
    from desa_cantik.storage.layout import DATA_DOCS

    parts = path.split("/")
    if not path.endswith(".html") or any(p in ("", ".", "..") for p in parts) or "\\" in path:
        raise HTTPException(status_code=404, detail="halaman Data Docs tidak ditemukan")
    return _stored(runtime(), f"{DATA_DOCS}/{path}")


def _stored(rt: Runtime, key: str) -> Response:
    """A stored page (a report, a Data Docs page) as stored, sandboxed (``render.CSP_STORED``), NIK masked again.

    The gate masks already; this masks once more, as a Data Docs page does (``datadocs.mask_page``): a NIK-like run
    never shown, a sha256 that happens to hold 16 digits in a row shown whole (it names the file).
    """
    from desa_cantik.storage import NotFound

    try:
        data = rt.store.get(key)
    except (NotFound, ValueError) as exc:  # ValueError: a key the store refuses (never a real object)
        raise HTTPException(status_code=404, detail="berkas tidak ada di penyimpanan objek") from exc
    from desa_cantik.datadocs import mask_page

    return stored(mask_page(data.decode("utf-8", "replace")))
