"""Rendering: the Jinja environment (the pages' templates ship in ``desa_cantik/halaman/``), ``render``, the CSPs."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import HTMLResponse

from .deps import runtime

if TYPE_CHECKING:
    from jinja2 import Environment

    from .auth import Akses
    from .views import Tampilan

JUDUL = {"pantau": "Pantau siklus", "temuan": "Temuan", "indikator": "Indikator", "paket": "Paket",
         "laporan": "Laporan berkas", "kirim": "Kirim data", "kabar": "Kabar", "berhenti": "Pengaturan kabar"}
# Our pages: no script at all. Stored pages (reports, GX Data Docs) carry senders' values; they are drawn escaped, and
# served as if they were not: no script at all (the Data Docs filter is CSS), and ``sandbox`` with one allowance, so a
# ``<meta http-equiv="refresh">`` slipped into a page is not honoured (a sandboxed document without ``allow-scripts``
# runs no automatic features), no form is sent, no popup opens and no plugin loads. ``allow-same-origin``: without
# it the document's origin is opaque, its request for its own CSS counts as cross-site and carries no login cookie
# (SameSite=Lax), so the page is unstyled (seen in Chromium: tests/test_datadocs_browser.py); with no script allowed,
# being same-origin gives a page nothing to act with.
CSP_PAGE = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
CSP_STORED = "sandbox allow-same-origin; default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; " \
             "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; " \
             "frame-ancestors 'self'"


@lru_cache(maxsize=1)
def templates() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from desa_cantik import pantau

    env = Environment(loader=PackageLoader("desa_cantik", "halaman"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)

    def zona() -> str:
        return runtime().daftar.zona_waktu

    env.filters.update(angka=pantau.angka, baris=pantau.baris, nilai=pantau.nilai, waktu=lambda iso: pantau.waktu(iso, zona()),
                       run_label=lambda run: pantau.run_label(run, zona()),
                       versi_waktu=lambda v: pantau.versi_waktu(v, zona()), uraian=pantau.uraian_aturan)
    env.globals.update(LABEL=pantau.LABEL, SEVERITY=pantau.SEVERITY_LABEL, JUDUL=JUDUL)
    return env


def base(request: Request) -> str:
    """The path the app is served under (Airflow's base path and the plugin's prefix)."""
    return str(request.scope.get("root_path", ""))


def render(request: Request, a: Akses, name: str, aktif: str, **context: object) -> HTMLResponse:
    """One of our pages, with the tier around it (year, level, area) and the pages the user may open. A page given
    ``pilihan`` (a ``PilihanTahun``) is of that year and offers the others; ``tetap``: its query without the year,
    what the year's form carries along."""
    from desa_cantik.pantau import PilihanTahun, nama_wilayah

    rt = runtime()
    pilihan = context.get("pilihan")
    tahun = pilihan.tahun if isinstance(pilihan, PilihanTahun) else rt.tahun
    tetap = [(k, v[:200]) for k, v in request.query_params.multi_items() if k != "tahun"][:10]
    html = templates().get_template(name).render(
        dasar=base(request), akses=a, aktif=aktif, tahun=tahun, tingkat=rt.settings.tingkat, wilayah=rt.wilayah,
        nama_wilayah=nama_wilayah(rt.wilayah), tetap=tetap, **context)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP_PAGE})


def show(request: Request, a: Akses, view: Tampilan, aktif: str, **extra: object) -> HTMLResponse:
    """A page as its view model describes it (``views``), with what the route adds (the year's choice)."""
    return render(request, a, view.template, aktif, **view.konteks, **extra)


def stored(text: str) -> HTMLResponse:
    """A stored page (a report, a Data Docs page) as it is, under the stricter CSP."""
    return HTMLResponse(text, headers={"Content-Security-Policy": CSP_STORED, "X-Content-Type-Options": "nosniff"})
