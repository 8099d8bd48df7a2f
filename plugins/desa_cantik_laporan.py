"""Airflow plugin: operator reports over HTTP, per desa and per kecamatan, behind a bearer token.

Airflow does not authenticate plugin FastAPI routes, so this app does: every request needs
``Authorization: Bearer <DESA_CANTIK_LAPORAN_TOKEN>``; with no token configured the app refuses all.
"""

from __future__ import annotations

import hmac
import os
from typing import TYPE_CHECKING, Any

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse

from desa_cantik.cycle.layout import report_key

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime


def require_token(authorization: str | None = Header(default=None)) -> None:
    expected = os.environ.get("DESA_CANTIK_LAPORAN_TOKEN", "")
    if not expected:
        raise HTTPException(status_code=503, detail="DESA_CANTIK_LAPORAN_TOKEN belum diatur di server")
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="butuh token", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(authorization.removeprefix("Bearer ").encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="token salah")


app = FastAPI(title="Laporan pemeriksaan Desa Cantik", dependencies=[Depends(require_token)])


def _runtime() -> Runtime:
    from desa_cantik.cycle.runtime import Runtime  # pandas & co. load on the first request, not at plugin load

    return Runtime.from_env()


@app.get("/laporan/{tahun}/{kode_wilayah}")
def list_reports(tahun: int, kode_wilayah: str) -> list[dict[str, Any]]:
    """Every checked submission from a desa, or from all desa of a kecamatan, newest first."""
    from desa_cantik.regions import normalise_code

    kode = normalise_code(kode_wilayah)
    if kode is None:
        raise HTTPException(status_code=400, detail=f"kode wilayah tidak dikenal: {kode_wilayah}")
    frame = _runtime().warehouse.submissions_from(tahun, kode)
    cols = ["dataset", "pengirim", "nama_berkas", "diterima_pada", "status", "baris_dibaca", "baris_diterima", "sha256"]
    return [{c: (int(v) if hasattr(v, "item") else v) for c, v in row.items()} for row in frame[cols].to_dict("records")]


@app.get("/laporan/{tahun}/berkas/{sha256}", response_class=HTMLResponse)
def report_html(tahun: int, sha256: str) -> str:
    rt = _runtime()
    frame = rt.warehouse.submission(tahun, sha256)
    if frame.empty:
        raise HTTPException(status_code=404, detail="laporan tidak ditemukan")
    archived = str(frame["kunci_arsip"].iloc[0])
    return rt.store.get(report_key(archived, "html")).decode("utf-8")


class DesaCantikLaporanPlugin(AirflowPlugin):
    name = "desa_cantik_laporan"
    fastapi_apps = [{"app": app, "url_prefix": "/desa-cantik", "name": "Laporan Desa Cantik"}]  # noqa: RUF012 - the form Airflow reads
