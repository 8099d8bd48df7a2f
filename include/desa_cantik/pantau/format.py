"""How the pages write numbers, times and run ids (their Jinja filters ``angka``, ``nilai``, ``waktu``,
``versi_waktu``, ``run_label``), the labels they give statuses and severities (the Jinja globals), and how long
a listing grows."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from ..findings import ERROR, WARNING
from ..kosakata import STATUS_LABEL

LABEL = STATUS_LABEL  # the verdicts and "belum", as a page shows them (the pages' Jinja global)
SEVERITY_LABEL = {ERROR: "galat", WARNING: "peringatan", "info": "catatan"}
BULAN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
MAX_ALASAN = 6  # reasons shown per desa and dataset; the report has them all
MAX_BARIS = 300  # rows of a long listing (a rule's hits, a level's areas); a filter narrows it


def angka(value: float | int | None, desimal: int = 0) -> str:
    """A number as Indonesians write it: ``8.494``, ``12,5``; an empty value as ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{desimal}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def nilai(value: float | None) -> str:
    """An indicator value: whole numbers without decimals, others with up to two."""
    if value is None or math.isnan(value):
        return "–"
    if float(value).is_integer():
        return angka(value)
    return angka(value, 2).rstrip("0").rstrip(",")


def waktu(iso: str | None, zona: str = "Asia/Jakarta") -> str:
    """An ISO-8601 UTC time in the cycle's time zone: ``31 Mar 2026 16.59 WIB``."""
    if not iso:
        return "–"
    try:
        when = datetime.fromisoformat(iso).astimezone(ZoneInfo(zona))
    except ValueError:
        return iso
    return f"{when.day} {BULAN[when.month - 1]} {when.year} {when:%H.%M} {when.tzname()}"


def versi_waktu(versi: str, zona: str = "Asia/Jakarta") -> str:
    """A package version (``20260331T165900Z``) as a local time."""
    try:
        return waktu(datetime.strptime(versi, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC")).isoformat(), zona)
    except ValueError:
        return versi


def run_label(run_id: str, zona: str = "Asia/Jakarta") -> str:
    """A run id as a short column head: its kind and local time (``manual · 1 Mar 2026 15.00 WIB``)."""
    kind, sep, when = run_id.partition("__")
    if not sep:
        return run_id[:24]
    return f"{kind} · {waktu(when, zona)}" if waktu(when, zona) != when else run_id[:24]


def run_order(run_id: str) -> str:
    """Airflow run ids sort by the time after ``__`` (``manual__2026-03-01T…``, ``scheduled__…``)."""
    return run_id.partition("__")[2] or run_id


def baris(value: int | None) -> str:
    """A row number stored from a file (``ROW``): ``7``, or ``lembar ke-3, baris 7`` for a row past the first sheet read
    (the page has no sheet names; the file's report has them)."""
    from ..intake import LEMBAR_KE

    if value is None:
        return "–"
    k, n = divmod(int(value), LEMBAR_KE)
    return f"lembar ke-{k + 1}, baris {n}" if k else str(n)
