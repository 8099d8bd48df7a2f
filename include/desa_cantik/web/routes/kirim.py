"""Kirim data and Berkas saya: the operators' own pages (the form, the upload, my files, a report, the
pre-filled template, an agency's direct upload to object storage)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Message

from .. import PREFIX, views
from ..auth import Akses, AksesDep, OperatorDep, alamat_server, bukan_hak, rahasia_tier, sama_asal
from ..deps import TahunDep, now, runtime
from ..hangat import PENGUMPUL, hangatkan
from ..render import CSP_PAGE, CSP_STORED, base, render

if TYPE_CHECKING:
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.kirim import Hasil, Operator

router = APIRouter()
LOGOUT = "/api/v2/auth/logout"  # Airflow's REST logout: revokes the JWT, then FAB ends its session
FORM_SLACK = 64 * 1024  # the form's other fields and multipart framing around the file


def _kirim_page(request: Request, a: Akses, op: Operator, name: str, **context: object) -> HTMLResponse:
    """An operator page; its *Keluar* is Airflow's own logout, which revokes the session's token (FAB's
    ``/auth/logout/`` alone would leave the ``_token`` cookie valid)."""
    keluar = base(request).removesuffix(PREFIX) + LOGOUT
    return render(request, a, name, "kirim", **views.kirim(runtime(), op, now()), keluar=keluar, **context)


@router.get("/kirim", response_class=HTMLResponse)
def kirim_form(request: Request, a: AksesDep, op: OperatorDep, pengirim: str = "", dataset: str = "") -> Response:
    hangatkan()
    return _formulir(request, a, op, dataset, pengirim)


def _formulir(request: Request, a: Akses, op: Operator, dataset: str, pengirim: str, pesan: str = "",
              status_code: int = 200) -> HTMLResponse:
    """The Kirim data page: the form (with a message when an upload was refused), my desa's status, my last files."""
    from desa_cantik import kirim

    rt = runtime()
    hasil = kirim.kiriman_saya(rt, op)
    page = _kirim_page(request, a, op, "kirim.html", hasil=hasil[:5], status=kirim.status_pengirim(rt, op, hasil),
                       pilih_pengirim=pengirim, pilih_dataset=dataset, pesan=pesan)
    page.status_code = status_code
    return page


class _TooLarge(Exception):
    """The request body passed its bound while it was read."""


def _bounded(request: Request, bound: int) -> Request:
    """The request with a body that raises ``_TooLarge`` once more than ``bound`` bytes have arrived."""
    receive, seen = request.receive, 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > bound:
                raise _TooLarge
        return message

    return Request(request.scope, counted)


@router.post("/kirim", response_class=HTMLResponse)
async def kirim_terima(request: Request, a: AksesDep, op: OperatorDep) -> Response:
    """Check an uploaded file at once; queue it for the gate unless rejected; show its report (303 to its page)."""
    import asyncio

    from starlette.datastructures import UploadFile

    from desa_cantik import kirim

    sama_asal(request, a)
    rt = runtime()
    limit = rt.daftar.batas.ukuran_bait
    too_large = (f"Berkas lebih besar dari batas {rt.daftar.batas.ukuran_mb:g} MB. Pisahkan atau kecilkan berkasnya "
                 "(hapus lembar dan kolom yang tidak perlu), lalu kirim lagi.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_SLACK:  # refused before the body is read or spooled
        return _formulir(request, a, op, "", "", too_large, status_code=413)
    try:  # a body without a length (chunked) is counted as it arrives: never more than the limit is spooled
        form = await _bounded(request, limit + FORM_SLACK).form(max_files=1, max_fields=10)
    except _TooLarge:
        return _formulir(request, a, op, "", "", too_large, status_code=413)
    dataset, pengirim, berkas = str(form.get("dataset", "")), str(form.get("pengirim", "")), form.get("berkas")
    if not isinstance(berkas, UploadFile) or not berkas.filename:
        return _formulir(request, a, op, dataset, pengirim, "Pilih berkas CSV, XLSX, XLS atau ODS lebih dulu.", 400)
    data = await berkas.read(limit + 1)  # never more than one byte past the limit: the gate rejects it by size
    nama = berkas.filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "berkas"
    if not data:
        return _formulir(request, a, op, dataset, pengirim,
                         f"Berkas '{nama}' kosong (0 bait). Pilih berkas yang berisi data.", 400)
    try:
        op.boleh(rt, dataset, pengirim)
    except kirim.BukanHak as exc:
        raise bukan_hak(exc) from exc

    # checked with the other uploads waiting for the same run (hangat.PENGUMPUL); the event loop is not held
    k = await asyncio.wrap_future(PENGUMPUL.submit(kirim.Unggahan(op, dataset, pengirim, data, nama, now())))
    return RedirectResponse(f"{base(request)}/kirim/berkas/{k.pengirim}/{k.id}", status_code=303)


@router.get("/kirim/berkas", response_class=HTMLResponse)
def berkas_saya(request: Request, a: AksesDep, op: OperatorDep, t: TahunDep) -> Response:
    """Berkas saya of the running year, or of an earlier one (``?tahun=``): what was sent, judged and stored."""
    from desa_cantik import kirim

    rt = t.rt
    hasil = kirim.kiriman_saya(rt, op)
    return _kirim_page(request, a, op, "berkas_saya.html", hasil=hasil, status=kirim.status_pengirim(rt, op, hasil),
                       data=kirim.data_tersimpan(rt, op), pilihan=t.pilihan)


def _hasil(rt: Runtime, op: Operator, pengirim: str, ident: str) -> Hasil:
    from desa_cantik import kirim

    h = kirim.satu(rt, op, pengirim, ident[:64])
    if h is None:
        raise HTTPException(status_code=404, detail="kiriman ini tidak ada di antara berkas Anda")
    return h


@router.get("/kirim/berkas/{pengirim}/{ident}", response_class=HTMLResponse)
def kirim_hasil(request: Request, a: AksesDep, op: OperatorDep, t: TahunDep, pengirim: str, ident: str) -> Response:
    import json

    from desa_cantik import kirim

    h = _hasil(t.rt, op, pengirim, ident)
    raw = kirim.laporan(t.rt, h, "json")
    report = json.loads(raw) if raw else None
    return _kirim_page(request, a, op, "kirim_hasil.html", h=h, laporan=report, sfx=t.pilihan.q)


@router.get("/kirim/berkas/{pengirim}/{ident}/laporan.{fmt}")
def kirim_laporan(op: OperatorDep, t: TahunDep, pengirim: str, ident: str, fmt: str) -> Response:
    """The report as stored: the text form is exactly what ``python -m desa_cantik validate`` prints."""
    from desa_cantik import kirim
    from desa_cantik.pii import mask_text

    if fmt not in ("txt", "json", "html"):
        raise HTTPException(status_code=404, detail="format laporan: txt, json atau html")
    raw = kirim.laporan(t.rt, _hasil(t.rt, op, pengirim, ident), fmt)
    if raw is None:
        raise HTTPException(status_code=404, detail="laporan belum ada: gerbang belum memeriksa berkas ini")
    text = mask_text(raw.decode("utf-8", "replace")) or ""
    media = {"txt": "text/plain; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}[fmt]
    return Response(text, media_type=media, headers={"Content-Security-Policy": CSP_STORED})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/kirim/templat/{dataset}")
def kirim_templat(op: OperatorDep, dataset: str, pengirim: str = "",
                  bentuk: Annotated[str, Query(alias="format")] = "xlsx") -> Response:
    """The pre-filled template (XLSX, or ``format=csv``) for one of my desa (or, for an agency, every desa of the
    tier): from the second year on, with last year's values the warehouse stored, marked as such until changed."""
    from desa_cantik import kirim
    from desa_cantik.template import build_template, nilai_tahun_lalu, templat_csv

    rt = runtime()
    senders = op.pengirim(rt)
    sender = pengirim or (senders[0].kode if senders else "")
    try:
        op.boleh(rt, dataset, sender)
    except kirim.BukanHak as exc:
        raise bukan_hak(exc) from exc
    area = rt.wilayah if op.opd else sender
    lalu = nilai_tahun_lalu(rt.warehouse, dataset, rt.tahun, area)
    csv = bentuk == "csv"
    data = (templat_csv if csv else build_template)(area, dataset, rt.tahun, lalu)
    name = f"templat_{dataset}_{area.replace('.', '')}_{rt.tahun}.{'csv' if csv else 'xlsx'}"
    return Response(data, media_type="text/csv; charset=utf-8" if csv else XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/kirim/langsung", response_class=HTMLResponse)
def kirim_langsung(request: Request, a: AksesDep, op: OperatorDep, dataset: str, nama: str = "berkas.xlsx") -> Response:
    """An agency's large file straight to object storage: a form signed for exactly one inbox key, whose redirect
    back carries a token for that key and this user (``kirim.tanda_langsung``)."""
    from datetime import timedelta
    from urllib.parse import urlencode, urlsplit

    from desa_cantik import kirim
    from desa_cantik.storage import MinioStore

    rt = runtime()
    if not views.langsung_ada(rt, op):
        raise HTTPException(status_code=404, detail="unggahan langsung hanya untuk OPD di server dengan penyimpanan S3")
    try:
        key = kirim.kunci_langsung(rt, op, dataset, nama[:200])
    except kirim.BukanHak as exc:
        raise bukan_hak(exc) from exc
    query = urlencode({"kunci": key, "tanda": kirim.tanda_langsung(rahasia_tier(), op, key)})
    done = f"{alamat_server(request)}{base(request)}/kirim/langsung/selesai?{query}"
    assert isinstance(rt.store, MinioStore)  # langsung_ada checked it
    url, fields = rt.store.presigned_post(key, timedelta(hours=1), rt.daftar.batas.ukuran_bait, done)
    page = _kirim_page(request, a, op, "kirim_langsung.html", url=url, fields=fields, dataset=dataset, kunci=key)
    s3 = urlsplit(url)  # this one form may post to the S3 server (our pages' CSP allows only 'self' otherwise)
    page.headers["Content-Security-Policy"] = CSP_PAGE.replace(
        "form-action 'self'", f"form-action 'self' {s3.scheme}://{s3.netloc}")
    return page


@router.get("/kirim/langsung/selesai")
def kirim_langsung_selesai(request: Request, op: OperatorDep, kunci: str = "", tanda: str = "") -> Response:
    """Back from the S3 server after a direct upload: record it once (the token says this user signed this key),
    then Berkas saya. A replay writes nothing and lands on the same page."""
    from desa_cantik import kirim

    try:
        kirim.catat_langsung(runtime(), op, kunci[:400], tanda[:128], rahasia_tier())
    except kirim.BukanHak as exc:
        raise bukan_hak(exc) from exc
    return RedirectResponse(f"{base(request)}/kirim/berkas", status_code=303)
