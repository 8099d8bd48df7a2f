"""Airflow plugin: the Desa Cantik monitoring pages inside the Airflow UI (Pantau siklus, Temuan, Indikator,
Paket) and the files behind them (operator reports, GX Data Docs), in Indonesian.

Who may see what is Airflow's own business: the user comes from the UI's session (the JWT cookie, or an
``Authorization: Bearer`` token) through ``get_user``, and each page is a FAB custom resource checked with
``is_authorized_custom_view`` (the roles in ``config/peran.yaml`` grant them). No token of our own; no
``/docs`` or schema. Anonymous callers get 401 everywhere, static files included; a role without the page 403.
Pandas, the warehouse and the region list load on the first request, never when Airflow loads plugins.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, cast

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import desa_cantik
from desa_cantik.peran import HALAMAN  # the pages' FAB resources, granted per role by config/peran.yaml

if TYPE_CHECKING:
    from jinja2 import Environment

    from desa_cantik.cycle.runtime import Runtime

T = TypeVar("T")
PREFIX = "/desa-cantik"
JUDUL = {"pantau": "Pantau siklus", "temuan": "Temuan", "indikator": "Indikator", "paket": "Paket",
         "laporan": "Laporan berkas", "kirim": "Kirim data"}
SHA256 = re.compile(r"[0-9a-f]{64}")
BUKAN_HAK = "bukan_hak:"  # a 403 whose detail is a message for the operator (what they may not send, and why)
PACKAGE_DIR = Path(desa_cantik.__file__).resolve().parent  # templates, CSS and static files ship with it
# Our pages: no script at all. Stored pages (reports, GX Data Docs) carry senders' values: no inline script
# may run there either, so a value written into a page can never act as the logged-in user.
CSP_PAGE = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
CSP_STORED = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
             "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"


# --- who is asking (Airflow's auth manager) ----------------------------------------------------------


@dataclass(frozen=True)
class Akses:
    """The logged-in user and the pages their roles grant."""

    nama: str
    halaman: frozenset[str]
    peran: tuple[str, ...] = ()  # the user's FAB role names (an operator role binds them to an area)
    token: bool = False  # authenticated by an Authorization header (not the browser's cookie)


async def akses(request: Request) -> Akses:
    """Authenticate with Airflow's own session (401 without one) and list the pages the user may open."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.security import HTTPBearer

    credentials = await HTTPBearer(auto_error=False)(request)
    user = await get_user(request, None, credentials)
    manager = get_auth_manager()
    allowed = frozenset(key for key, resource in HALAMAN.items()
                        if manager.is_authorized_custom_view(method="GET", resource_name=resource, user=user))
    roles = tuple(str(getattr(r, "name", r)) for r in getattr(user, "roles", None) or ())
    return Akses(user.get_name(), allowed, roles, credentials is not None)


AksesDep = Annotated[Akses, Depends(akses)]


def izin(a: Akses, halaman: str) -> None:
    if halaman not in a.halaman:
        raise HTTPException(status_code=403, detail=halaman)


# --- the tier, loaded once per process ---------------------------------------------------------------


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    """One runtime per process: settings, Daftar Data, warehouse and store (pandas loads here, on first use)."""
    from desa_cantik.cycle.runtime import Runtime

    return Runtime.from_env()


@lru_cache(maxsize=1)
def templates() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from desa_cantik import pantau

    env = Environment(loader=PackageLoader("desa_cantik", "halaman"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)

    def zona() -> str:
        return runtime().daftar.zona_waktu

    env.filters.update(angka=pantau.angka, nilai=pantau.nilai, waktu=lambda iso: pantau.waktu(iso, zona()),
                       run_label=lambda run: pantau.run_label(run, zona()),
                       versi_waktu=lambda v: pantau.versi_waktu(v, zona()), uraian=pantau.uraian_aturan)
    env.globals.update(LABEL=pantau.LABEL, SEVERITY=pantau.SEVERITY_LABEL, JUDUL=JUDUL)
    return env


def render(request: Request, a: Akses, name: str, aktif: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    rt = runtime()
    base = request.scope.get("root_path", "")
    html = templates().get_template(name).render(
        dasar=base, akses=a, aktif=aktif, tahun=rt.tahun, tingkat=rt.settings.tingkat, wilayah=rt.wilayah,
        nama_wilayah=_area_name(rt.wilayah), **context)
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": CSP_PAGE})


def _area_name(kode: str) -> str:
    from desa_cantik.pantau import nama_wilayah

    return nama_wilayah(kode)


def _area(kode: str) -> str:
    """An area inside this tier from a URL, or 404."""
    from desa_cantik.pantau import area_inside

    found = area_inside(runtime().wilayah, kode)
    if found is None:
        raise HTTPException(status_code=404, detail=f"wilayah {kode[:20]} tidak ada di wilayah tingkat ini")
    return found


def _now() -> datetime:
    return datetime.now(UTC)


# --- the app -----------------------------------------------------------------------------------------

app = FastAPI(title="Halaman pemantauan Desa Cantik", docs_url=None, redoc_url=None, openapi_url=None)


@app.exception_handler(StarletteHTTPException)
async def halaman_galat(request: Request, exc: StarletteHTTPException) -> Response:
    """401, 403 and 404 as a page people can read (in Indonesian), not JSON."""
    base = request.scope.get("root_path", "")
    airflow = base.removesuffix(PREFIX) or "/"
    detail = exc.detail if isinstance(exc.detail, str) else ""
    pesan = detail.removeprefix(BUKAN_HAK) if detail.startswith(BUKAN_HAK) else ""
    from urllib.parse import urlencode

    # after logging in, FAB sends the browser back here (an operator's bookmark of Kirim data keeps working)
    masuk = f"{airflow.rstrip('/')}/auth/login/?" + urlencode({"next": base + request.url.path.removeprefix(base)})
    html = templates().get_template("galat.html").render(
        dasar=base, airflow=airflow, masuk=masuk, kode=exc.status_code, detail=detail, pesan=pesan,
        sumber=HALAMAN.get(detail, ""), judul_halaman=JUDUL.get(detail, ""))
    return HTMLResponse(html, status_code=exc.status_code, headers={"Content-Security-Policy": CSP_PAGE})


@app.get("/", response_class=HTMLResponse)
def beranda(request: Request, a: AksesDep) -> Response:
    base = request.scope.get("root_path", "")
    for page in ("pantau", "temuan", "indikator", "paket", "kirim"):
        if page in a.halaman:
            return RedirectResponse(f"{base}/{page}", status_code=303)
    raise HTTPException(status_code=403, detail="pantau")


# Pantau siklus ---------------------------------------------------------------------------------------


@app.get("/pantau", response_class=HTMLResponse)
def pantau(request: Request, a: AksesDep) -> Response:
    return pantau_wilayah(request, a, runtime().wilayah)


@app.get("/pantau/wilayah/{kode}", response_class=HTMLResponse)
def pantau_wilayah(request: Request, a: AksesDep, kode: str, hanya: str = "") -> Response:
    izin(a, "pantau")
    from desa_cantik import grafik, pantau

    rt = runtime()
    if rt.settings.tingkat != "kabupaten":
        return render(request, a, "pantau_atas.html", "pantau")
    area = _area(kode)
    crumbs = pantau.jejak(rt.wilayah, area)
    if len(area) == 13:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/pantau/desa/{area}", status_code=303)
    if len(area) == 8:
        page = pantau.daftar_desa(rt.warehouse, rt.daftar, area, _now())
        return render(request, a, "pantau_desa.html", "pantau", p=page, jejak=crumbs, hanya=hanya)
    summary = pantau.ringkasan_wilayah(rt.warehouse, rt.daftar, rt.wilayah, area, _now())
    chart = grafik.status_dataset([(d.nama, _status_counts(summary.jumlah.hitungan[d.nama])) for d in summary.datasets])
    return render(request, a, "pantau.html", "pantau", p=summary, jejak=crumbs, grafik=chart, hanya=hanya)


def _status_counts(h: Any) -> dict[str, int]:
    return {"diterima": h.diterima - h.catatan, "dengan catatan": h.catatan, "ditolak": h.ditolak,
            "belum dikirim": h.belum}


@app.get("/pantau/desa/{kode}", response_class=HTMLResponse)
def pantau_desa(request: Request, a: AksesDep, kode: str) -> Response:
    izin(a, "pantau")
    from desa_cantik import pantau

    rt = runtime()
    area = _area(kode)
    if len(area) != 13 or rt.settings.tingkat != "kabupaten":
        raise HTTPException(status_code=404, detail=f"{kode[:20]} bukan kode desa di wilayah ini")
    page = pantau.rincian_desa(rt.warehouse, rt.daftar, area)
    return render(request, a, "desa.html", "pantau", p=page, jejak=pantau.jejak(rt.wilayah, area))


@app.get("/cari", response_class=HTMLResponse, dependencies=[Depends(akses)])
def cari(request: Request, q: Annotated[str, Query(max_length=80)] = "") -> Response:
    """A desa or area code, or a file's sha256 (from a stored row's ``sha256_berkas``): straight to its page."""
    from desa_cantik.pantau import area_inside

    base = request.scope.get("root_path", "")
    text = q.strip().lower()
    if SHA256.fullmatch(text):
        return RedirectResponse(f"{base}/berkas/{runtime().tahun}/{text}", status_code=303)
    area = area_inside(runtime().wilayah, text)
    if area is not None and len(area) == 13:
        return RedirectResponse(f"{base}/pantau/desa/{area}", status_code=303)
    if area is not None:
        return RedirectResponse(f"{base}/pantau/wilayah/{area}", status_code=303)
    raise HTTPException(status_code=404, detail=f"'{q[:80]}' bukan kode wilayah di tingkat ini atau sha256 berkas")


# Temuan ----------------------------------------------------------------------------------------------


@app.get("/temuan", response_class=HTMLResponse)
def temuan(request: Request, a: AksesDep, wilayah: str = "") -> Response:
    izin(a, "temuan")
    from desa_cantik import pantau

    rt = runtime()
    area = _area(wilayah or rt.wilayah)
    page = pantau.temuan(rt.warehouse, rt.tahun, rt.wilayah, area)
    return render(request, a, "temuan.html", "temuan", p=page)


@app.get("/temuan/aturan/{aturan}", response_class=HTMLResponse)
def temuan_aturan(request: Request, a: AksesDep, aturan: str, wilayah: str = "") -> Response:
    izin(a, "temuan")
    from desa_cantik import pantau

    rt = runtime()
    area = _area(wilayah or rt.wilayah)
    page = pantau.temuan_aturan(rt.warehouse, rt.tahun, rt.wilayah, aturan[:32], area)
    return render(request, a, "temuan_aturan.html", "temuan", p=page)


# Indikator -------------------------------------------------------------------------------------------


@app.get("/indikator", response_class=HTMLResponse)
def indikator(request: Request, a: AksesDep, tingkat: str = "", indikator: str = "", induk: str = "") -> Response:
    izin(a, "indikator")
    from desa_cantik import grafik, pantau

    rt = runtime()
    area = _area(induk or rt.wilayah)
    page = pantau.halaman_indikator(rt.warehouse, rt.tahun, rt.wilayah, tingkat or None, indikator or None, area)
    coverage = grafik.cakupan([r.nama_indikator for r in page.ringkasan], [r.persen for r in page.ringkasan])
    values = grafik.batang([f"{r.nama_wilayah} ({r.kode_wilayah})" for r in page.baris],
                           [r.nilai for r in page.baris], f"{page.nama_indikator} ({_unit(page)})")
    return render(request, a, "indikator.html", "indikator", p=page, grafik_cakupan=coverage, grafik_nilai=values,
                  induk_pilihan=pantau.sub_areas(rt.wilayah) if page.tingkat != pantau.level_of(rt.wilayah) else [])


def _unit(page: Any) -> str:
    return str(page.baris[0].satuan) if page.baris else ""


# Paket -----------------------------------------------------------------------------------------------


@app.get("/paket", response_class=HTMLResponse)
def paket(request: Request, a: AksesDep) -> Response:
    izin(a, "paket")
    from desa_cantik import pantau

    rt = runtime()
    child = None if rt.settings.tingkat == "kabupaten" else rt.tier.child_code_length
    page = pantau.halaman_paket(rt.warehouse, rt.store, rt.tahun, rt.settings.tingkat, rt.wilayah,
                                rt.settings.kode_paket, child)
    return render(request, a, "paket.html", "paket", p=page)


# Files: the report, the Data Docs page, a file's page ----------------------------------------------------


def _sha(sha256: str) -> str:
    text = sha256.lower()
    if not SHA256.fullmatch(text):
        raise HTTPException(status_code=404, detail="sha256 berkas tidak sah")
    return text


@app.get("/berkas/{tahun}/{sha256}", response_class=HTMLResponse)
def berkas(request: Request, a: AksesDep, tahun: int, sha256: str) -> Response:
    izin(a, "laporan")
    from desa_cantik import pantau
    from desa_cantik.cycle.layout import DATA_DOCS, safe_segment

    page = pantau.rincian_berkas(runtime().warehouse, tahun, _sha(sha256))
    if page is None:
        raise HTTPException(status_code=404, detail="berkas tidak ditemukan di gudang data")
    index = f"{tahun}/{safe_segment(page.berkas.run_id)}/index.html"
    has_index = runtime().store.exists(f"{DATA_DOCS}/{index}")
    return render(request, a, "berkas.html", "laporan", p=page, indeks_datadocs=index if has_index else None)


@app.get("/laporan/{tahun}/berkas/{sha256}", response_class=HTMLResponse)
def laporan(a: AksesDep, tahun: int, sha256: str) -> Response:
    """The operator's report for a file, exactly as stored beside its archived copy."""
    izin(a, "laporan")
    from desa_cantik.cycle.layout import report_key

    rt = runtime()
    row = rt.warehouse.files_by_sha([_sha(sha256)]).get(sha256.lower())
    if row is None or int(row["tahun"]) != tahun:
        raise HTTPException(status_code=404, detail="laporan tidak ditemukan")
    return _stored(rt, report_key(row["kunci_arsip"], "html"))


@app.get("/berkas/{tahun}/{sha256}/datadocs")
def berkas_datadocs(request: Request, a: AksesDep, tahun: int, sha256: str) -> Response:
    """The GX Data Docs page of the gate run that judged a file (its batch and dataset)."""
    izin(a, "laporan")
    from desa_cantik.cycle.layout import DATA_DOCS
    from desa_cantik.pantau import data_docs_key

    rt = runtime()
    row = rt.warehouse.files_by_sha([_sha(sha256)]).get(sha256.lower())
    key = None if row is None or int(row["tahun"]) != tahun else \
        data_docs_key(rt.store, tahun, row["run_id"] or "", row["pengirim"], row["dataset"])
    if key is None:
        raise HTTPException(status_code=404, detail="halaman Data Docs untuk berkas ini tidak ada (berkas yang tidak "
                                                    "terbaca tidak diperiksa GX)")
    path = key.removeprefix(DATA_DOCS + "/")
    return RedirectResponse(f"{request.scope.get('root_path', '')}/datadocs/{path}", status_code=303)


@app.get("/datadocs/{path:path}", response_class=HTMLResponse)
def datadocs(a: AksesDep, path: str) -> Response:
    """A Data Docs page (or a run's index page) from the object store's ``data_docs/``."""
    izin(a, "laporan")
    from desa_cantik.cycle.layout import DATA_DOCS

    parts = path.split("/")
    if not path.endswith(".html") or any(p in ("", ".", "..") for p in parts) or "\\" in path:
        raise HTTPException(status_code=404, detail="halaman Data Docs tidak ditemukan")
    return _stored(runtime(), f"{DATA_DOCS}/{path}")


def _stored(rt: Runtime, key: str) -> Response:
    from desa_cantik.storage import NotFound

    try:
        data = rt.store.get(key)
    except (NotFound, ValueError) as exc:  # ValueError: a key the store refuses (never a real object)
        raise HTTPException(status_code=404, detail="berkas tidak ada di penyimpanan objek") from exc
    from desa_cantik.pii import mask_text

    text = mask_text(data.decode("utf-8", "replace")) or ""  # the gate masks already; a page never shows a NIK
    return HTMLResponse(text, headers={"Content-Security-Policy": CSP_STORED})


# Kirim data, Berkas saya: the operators' own pages ---------------------------------------------------------

WILAYAH_TTL_S = 30.0  # an operator's area comes from an Airflow Variable; re-read this often


@lru_cache(maxsize=1)
def _daftar_peran() -> Any:
    from desa_cantik.peran import DaftarPeran

    return DaftarPeran.load()


class _Segar(Generic[T]):
    """A value read again at most every ``ttl`` seconds in this process (the api-server serves many requests)."""

    def __init__(self, ttl: float, read: Callable[[], T]) -> None:
        self.ttl, self.read = ttl, read
        self._when, self._value = -float("inf"), cast("T | None", None)

    def get(self) -> T:
        if self._value is None or time.monotonic() - self._when > self.ttl:
            self._value, self._when = self.read(), time.monotonic()
        return self._value

    def clear(self) -> None:
        self._when, self._value = -float("inf"), None


def _read_wilayah() -> dict[str, str]:
    """username -> kode wilayah / kode OPD, as ``scripts/peran.py sync --pengguna`` wrote it."""
    import json

    from airflow.models import Variable

    from desa_cantik.peran import WILAYAH_VARIABLE

    try:
        peta = json.loads(Variable.get(WILAYAH_VARIABLE, default_var="{}"))
    except ValueError:
        return {}
    return peta if isinstance(peta, dict) else {}


_WILAYAH = _Segar(WILAYAH_TTL_S, _read_wilayah)


def _wilayah_pengguna() -> dict[str, str]:
    return _WILAYAH.get()


def operator(a: AksesDep) -> Any:
    """The logged-in operator and the area their account is bound to; 403 for anyone else."""
    izin(a, "kirim")
    from desa_cantik.kirim import Operator

    cakupan = _daftar_peran().cakupan(list(a.peran))
    kode = str(_wilayah_pengguna().get(a.nama, ""))
    op = Operator(a.nama, cakupan, kode)
    if not cakupan or not kode or not op.pengirim(runtime()):
        raise HTTPException(status_code=403, detail="tanpa_cakupan")
    return op


OperatorDep = Annotated[Any, Depends(operator)]


def _sama_asal(request: Request, a: Akses) -> None:
    """A form sent with the browser's cookie must come from this server's own page (no cross-site posting)."""
    if a.token:
        return
    from urllib.parse import urlparse

    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlparse(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(status_code=403, detail="asal_formulir")


_periksa_lock = threading.Lock()  # one GX run at a time in this process
RUJUKAN_TTL_S = 300.0  # the warehouse's references (previous year, BPS projection) change once a gate run


def _read_rujukan() -> Any:
    """The references the gate's level 2-4 rules compare against, from the warehouse."""
    from desa_cantik.cycle.gate import load_references

    return load_references(runtime())


_RUJUKAN: _Segar[Any] = _Segar(RUJUKAN_TTL_S, _read_rujukan)


def _rujukan() -> Any:
    return _RUJUKAN.get()


_hangat = threading.Event()


def _hangatkan() -> None:
    """Import GX and run one tiny check in the background, so the operator's first upload is answered warm."""
    if _hangat.is_set():
        return
    _hangat.set()

    def run() -> None:
        from desa_cantik.datasets import get_dataset
        from desa_cantik.precheck import Berkas, precheck_many
        from desa_cantik.regions import desa_table

        rt = runtime()
        spec = get_dataset(rt.daftar.datasets[0])
        kode = str(desa_table(rt.wilayah)["kode_desa"].iloc[0])
        values = {"kode_desa": kode, "tahun": str(rt.tahun)}
        row = ",".join(values.get(c, "1") for c in spec.columns)  # one plausible row: GX runs its whole suite
        with _periksa_lock:
            precheck_many([Berkas(f"{','.join(spec.columns)}\n{row}\n".encode(), "hangat.csv")], spec.nama, rt.tahun,
                          kode, None, rt.daftar)
            _rujukan()

    threading.Thread(target=run, name="hangatkan-gx", daemon=True).start()


def _kirim_page(request: Request, a: Akses, op: Any, name: str, **context: Any) -> HTMLResponse:
    from desa_cantik import kirim

    rt = runtime()
    senders = op.pengirim(rt)
    return render(request, a, name, "kirim", op=op, pengirim=senders, nama_pengirim={p.kode: p.nama for p in senders},
                  datasets=op.datasets(rt.daftar),
                  hari=kirim.hari_tersisa(rt.daftar, _now()), batas=rt.daftar.batas_akhir.isoformat(),
                  STATUS=kirim.STATUS_AKHIR, langsung_ada=_langsung_ada(op), **context)


def _langsung_ada(op: Any) -> bool:
    from desa_cantik.storage import MinioStore

    return op.cakupan == "opd" and isinstance(runtime().store, MinioStore)


@app.get("/kirim", response_class=HTMLResponse)
def kirim_form(request: Request, a: AksesDep, op: OperatorDep, pengirim: str = "", dataset: str = "") -> Response:
    _hangatkan()
    return _formulir(request, a, op, dataset, pengirim)


def _formulir(request: Request, a: Akses, op: Any, dataset: str, pengirim: str, pesan: str = "",
              status_code: int = 200) -> HTMLResponse:
    """The Kirim data page: the form (with a message when an upload was refused), my desa's status, my last files."""
    from desa_cantik import kirim

    rt = runtime()
    hasil = kirim.kiriman_saya(rt, op)
    page = _kirim_page(request, a, op, "kirim.html", hasil=hasil[:5], status=kirim.status_pengirim(rt, op, hasil),
                       pilih_pengirim=pengirim, pilih_dataset=dataset, pesan=pesan)
    page.status_code = status_code
    return page


FORM_SLACK = 64 * 1024  # the form's other fields and multipart framing around the file


class _TooLarge(Exception):
    """The request body passed its bound while it was read."""


def _bounded(request: Request, bound: int) -> Request:
    """The request with a body that raises ``_TooLarge`` once more than ``bound`` bytes have arrived."""
    receive, seen = request.receive, 0

    async def counted() -> Any:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > bound:
                raise _TooLarge
        return message

    return Request(request.scope, counted)


@app.post("/kirim", response_class=HTMLResponse)
async def kirim_terima(request: Request, a: AksesDep, op: OperatorDep) -> Response:
    """Check an uploaded file at once; queue it for the gate unless rejected; show its report (303 to its page)."""
    import anyio
    from starlette.datastructures import UploadFile

    from desa_cantik import kirim

    _sama_asal(request, a)
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
        return _formulir(request, a, op, dataset, pengirim, "Pilih berkas CSV atau XLSX lebih dulu.", 400)
    data = await berkas.read(limit + 1)  # never more than one byte past the limit: the gate rejects it by size
    nama = berkas.filename.replace("\\", "/").rsplit("/", 1)[-1][:200] or "berkas"
    if not data:
        return _formulir(request, a, op, dataset, pengirim,
                         f"Berkas '{nama}' kosong (0 bait). Pilih berkas yang berisi data.", 400)
    try:
        op.boleh(rt, dataset, pengirim)
    except kirim.BukanHak as exc:
        raise HTTPException(status_code=403, detail=BUKAN_HAK + str(exc)) from exc

    def periksa() -> Any:
        with _periksa_lock:
            return kirim.terima(rt, op, dataset, pengirim, data, nama, _rujukan())[0]

    k = await anyio.to_thread.run_sync(periksa)
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/kirim/berkas/{k.pengirim}/{k.id}", status_code=303)


@app.get("/kirim/berkas", response_class=HTMLResponse)
def berkas_saya(request: Request, a: AksesDep, op: OperatorDep) -> Response:
    from desa_cantik import kirim

    rt = runtime()
    hasil = kirim.kiriman_saya(rt, op)
    return _kirim_page(request, a, op, "berkas_saya.html", hasil=hasil, status=kirim.status_pengirim(rt, op, hasil),
                       data=kirim.data_tersimpan(rt, op))


def _hasil(op: Any, pengirim: str, ident: str) -> Any:
    from desa_cantik import kirim

    h = kirim.satu(runtime(), op, pengirim, ident[:64])
    if h is None:
        raise HTTPException(status_code=404, detail="kiriman ini tidak ada di antara berkas Anda")
    return h


@app.get("/kirim/berkas/{pengirim}/{ident}", response_class=HTMLResponse)
def kirim_hasil(request: Request, a: AksesDep, op: OperatorDep, pengirim: str, ident: str) -> Response:
    import json

    from desa_cantik import kirim

    h = _hasil(op, pengirim, ident)
    raw = kirim.laporan(runtime(), h, "json")
    report = json.loads(raw) if raw else None
    return _kirim_page(request, a, op, "kirim_hasil.html", h=h, laporan=report)


@app.get("/kirim/berkas/{pengirim}/{ident}/laporan.{fmt}")
def kirim_laporan(op: OperatorDep, pengirim: str, ident: str, fmt: str) -> Response:
    """The report as stored: the text form is exactly what ``python -m desa_cantik validate`` prints."""
    from desa_cantik import kirim
    from desa_cantik.pii import mask_text

    if fmt not in ("txt", "json", "html"):
        raise HTTPException(status_code=404, detail="format laporan: txt, json atau html")
    raw = kirim.laporan(runtime(), _hasil(op, pengirim, ident), fmt)
    if raw is None:
        raise HTTPException(status_code=404, detail="laporan belum ada: gerbang belum memeriksa berkas ini")
    text = mask_text(raw.decode("utf-8", "replace")) or ""
    media = {"txt": "text/plain; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}[fmt]
    return Response(text, media_type=media, headers={"Content-Security-Policy": CSP_STORED})


@app.get("/kirim/templat/{dataset}")
def kirim_templat(op: OperatorDep, dataset: str, pengirim: str = "") -> Response:
    """The pre-filled XLSX for one of my desa (or, for an agency, every desa of the tier)."""
    from desa_cantik import kirim
    from desa_cantik.template import build_template

    rt = runtime()
    sender = pengirim or op.pengirim(rt)[0].kode
    try:
        op.boleh(rt, dataset, sender)
    except kirim.BukanHak as exc:
        raise HTTPException(status_code=403, detail=BUKAN_HAK + str(exc)) from exc
    area = rt.wilayah if op.cakupan == "opd" else sender
    data = build_template(area, dataset, rt.tahun)
    name = f"templat_{dataset}_{area.replace('.', '')}_{rt.tahun}.xlsx"
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@app.get("/kirim/langsung", response_class=HTMLResponse)
def kirim_langsung(request: Request, a: AksesDep, op: OperatorDep, dataset: str, nama: str = "berkas.xlsx") -> Response:
    """An agency's large file straight to object storage: a form signed for exactly one inbox key."""
    from datetime import timedelta
    from urllib.parse import urlencode

    from desa_cantik import kirim

    if not _langsung_ada(op):
        raise HTTPException(status_code=404, detail="unggahan langsung hanya untuk OPD di server dengan penyimpanan S3")
    rt = runtime()
    try:
        key = kirim.kunci_langsung(rt, op, dataset, nama[:200])
    except kirim.BukanHak as exc:
        raise HTTPException(status_code=403, detail=BUKAN_HAK + str(exc)) from exc
    done = str(request.base_url).rstrip("/") + "/kirim/langsung/selesai?" + urlencode({"dataset": dataset, "kunci": key})
    from desa_cantik.storage import MinioStore

    assert isinstance(rt.store, MinioStore)  # _langsung_ada checked it
    url, fields = rt.store.presigned_post(key, timedelta(hours=1), rt.daftar.batas.ukuran_bait,
                                          done)
    return _kirim_page(request, a, op, "kirim_langsung.html", url=url, fields=fields, dataset=dataset, kunci=key)


@app.get("/kirim/langsung/selesai")
def kirim_langsung_selesai(request: Request, op: OperatorDep, dataset: str, kunci: str) -> Response:
    from desa_cantik import kirim

    rt = runtime()
    pengirim = op.pengirim(rt)[0].kode
    try:
        kirim.catat_langsung(rt, op, dataset, pengirim, kunci[:400])
    except kirim.BukanHak as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return RedirectResponse(f"{request.scope.get('root_path', '')}/kirim/berkas", status_code=303)


# Static files (our CSS, the Data Docs styles) -------------------------------------------------------------

STATIC_ROOTS: dict[str, Path] = {"halaman": PACKAGE_DIR / "halaman", "": PACKAGE_DIR / "static"}
STATIC_TYPES = {".css", ".js", ".svg", ".png", ".ico", ".woff", ".woff2", ".ttf", ".map"}


@app.get("/static/{path:path}", dependencies=[Depends(akses)])
def static(path: str) -> Response:
    """Files under ``include/desa_cantik/static/`` (and the pages' CSS): any logged-in user (styles are not data)."""
    head, _, rest = path.partition("/")
    root = STATIC_ROOTS["halaman"] if head == "halaman" else STATIC_ROOTS[""]
    rel = rest if head == "halaman" else path
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or target.suffix not in STATIC_TYPES or not target.is_file():
        raise HTTPException(status_code=404, detail="berkas statis tidak ada")
    return FileResponse(target, headers={"Cache-Control": "private, max-age=3600"})


# --- the plugin --------------------------------------------------------------------------------------


def _external_views() -> list[dict[str, Any]]:
    """The pages at the top of Airflow's navigation (each rendered in an iframe under ``/plugin/{url_route}``).

    Airflow lists them to users who may read ``Plugins``; the page itself then asks the auth manager again.
    """
    base = _base_path() + PREFIX
    return [{"name": name, "href": f"{base}/{page}", "url_route": f"desa-cantik-{page}", "destination": "nav",
             "category": "Desa Cantik", "nav_top_level": True, "icon": f"{base}/static/halaman/ikon-{page}.svg"}
            for page, name in (("pantau", "Pantau"), ("temuan", "Temuan"), ("indikator", "Indikator"), ("paket", "Paket"),
                               ("kirim", "Kirim data"))]


def _base_path() -> str:
    """The path Airflow is served under (``[api] base_url``), so the iframes point at our routes."""
    from urllib.parse import urlparse

    from airflow.configuration import conf

    return urlparse(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


class DesaCantikHalamanPlugin(AirflowPlugin):
    name = "desa_cantik_halaman"
    fastapi_apps = [{"app": app, "url_prefix": PREFIX, "name": "Halaman pemantauan Desa Cantik"}]  # noqa: RUF012 - the form Airflow reads
    external_views = _external_views()
