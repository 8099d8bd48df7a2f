"""Static files (our CSS and icons, the Data Docs styles): any logged-in user (styles are not data)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, Response

import desa_cantik

from ..auth import akses

PACKAGE_DIR = Path(desa_cantik.__file__).resolve().parent  # templates, CSS and static files ship with it
STATIC_ROOTS: dict[str, Path] = {"halaman": PACKAGE_DIR / "halaman", "": PACKAGE_DIR / "static"}
STATIC_TYPES = {".css", ".js", ".svg", ".png", ".ico", ".woff", ".woff2", ".ttf", ".map"}

router = APIRouter()


@router.get("/static/{path:path}", dependencies=[Depends(akses)])
def static(path: str) -> Response:
    """Files under ``include/desa_cantik/static/`` (and the pages' CSS under ``static/halaman/``)."""
    head, _, rest = path.partition("/")
    root = STATIC_ROOTS["halaman"] if head == "halaman" else STATIC_ROOTS[""]
    rel = rest if head == "halaman" else path
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or target.suffix not in STATIC_TYPES or not target.is_file():
        raise HTTPException(status_code=404, detail="berkas statis tidak ada")
    return FileResponse(target, headers={"Cache-Control": "private, max-age=3600"})
