"""Airflow's side of the notifications (``desa_cantik.kabar``): the drain task at the end of both cycle DAGs, the
scheduled notifications the hourly gate's first task plans (``kabar_terjadwal``: reminders, BPS's daily digest,
Bappeda's last call), what the close tells Diskominfo (``kabar_penutupan``), the task-failure notifier (a
``BaseNotifier``) in every task's ``on_failure_callback``, and what they need from Airflow:
the accounts' addresses (the Variable ``desa_cantik_alamat_pengguna`` that ``scripts/peran.py sync`` writes) and the
SMTP provider's connection ``smtp_default`` as the e-mail channel's fallback when ``DESA_CANTIK_KABAR_SMTP`` is unset.

Nothing here fails a run: a channel that is down leaves the outbox waiting; an error of the notifications themselves
is logged and the task ends green (a leaf's failure would turn the run red for a mail).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:
    from airflow.sdk import Context

    from desa_cantik.cycle.persetujuan import CakupanRingkas
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.kabar import BukuAlamat, HasilKirim
    from desa_cantik.storage.kotak import Kabar

log = logging.getLogger("desa_cantik.kabar")
SMTP_CONN = "smtp_default"
SMTP_ENV = "DESA_CANTIK_KABAR_SMTP"


def buku_alamat() -> BukuAlamat:
    """The accounts: the Variable ``scripts/peran.py sync --pengguna`` wrote, or the CSV of ``DESA_CANTIK_PENGGUNA``."""
    from airflow.sdk import Variable

    from desa_cantik.kabar import BukuAlamat
    from desa_cantik.peran import ALAMAT_VARIABLE

    found = BukuAlamat.from_env()
    if found is not None:
        return found
    try:
        return BukuAlamat.from_json(str(Variable.get(ALAMAT_VARIABLE, default="{}")))
    except Exception:  # no Variable service reachable (e.g. a callback outside a task): nobody to reach, said in the log
        log.warning("kabar: buku alamat (Variable %s) tidak terbaca", ALAMAT_VARIABLE)
        return BukuAlamat(())


def smtp_fallback() -> dict[str, str]:
    """The SMTP provider's connection as the SMTP way's URL, when the environment names none."""
    if os.environ.get(SMTP_ENV):
        return {}
    from urllib.parse import quote

    from airflow.sdk import Connection

    try:
        c = Connection.get(SMTP_CONN)
    except Exception:  # no such connection: the e-mail channel has its other ways
        return {}
    extra = c.extra_dejson
    tls = "ssl" if extra.get("ssl") else ("" if extra.get("disable_tls", True) else "starttls")
    login = f"{quote(c.login or '', safe='')}:{quote(c.password or '', safe='')}@" if c.login else ""
    dari = extra.get("from_email") or "kabar@desacantik.invalid"
    return {SMTP_ENV: f"smtp://{login}{c.host}:{c.port or 25}?dari={dari}" + (f"&tls={tls}" if tls else "")}


def drain(rt: Runtime) -> HasilKirim | None:
    """One drain of the outbox; None when the notifications themselves failed (logged, never raised)."""
    from desa_cantik.kabar import AturanKabar, kirim_antrean
    from desa_cantik.peran import DaftarPeran

    try:
        hasil = kirim_antrean(rt.warehouse, AturanKabar.load(), buku_alamat(), DaftarPeran.load(), rt.daftar.zona_waktu,
                              extra=smtp_fallback())
    except Exception:
        log.exception("kabar: pengiriman gagal; kotak keluar tetap menunggu")
        return None
    log.info("%s", hasil.teks())
    return hasil


def queue_and_send(rt: Runtime, kabar: list[Kabar]) -> None:
    """Queue an event's notifications and deliver them now (events outside the hourly gate's drain)."""
    try:
        rt.warehouse.queue_kabar(kabar, datetime.now(UTC).replace(microsecond=0).isoformat())
    except Exception:
        log.exception("kabar: tidak dapat diantrekan")
        return
    drain(rt)


def kabar_terjadwal(rt: Runtime, when: datetime) -> None:
    """Queue the scheduled notifications due at the hourly run's time (``kabar.jadwal``); logged, never raised."""
    from desa_cantik.kabar.jadwal import rencanakan

    try:
        log.info("%s", rencanakan(rt, when).teks())
    except Exception:  # the gate goes on; the next hour plans again (each kind once a day, each recipient once)
        log.exception("kabar terjadwal tidak direncanakan")


def kabar_penutupan(rt: Runtime, run_id: str, nama_wilayah: str, belum: list[str],
                    cakupan: list[CakupanRingkas] | None = None) -> list[Kabar]:
    """The close's notifications for Diskominfo and Admin (late children, low coverage); [] if they cannot be built."""
    from desa_cantik.kabar import AturanKabar
    from desa_cantik.kabar.penutupan import kabar_penutupan as build

    try:
        return build(rt, AturanKabar.load(), run_id, datetime.now(UTC), nama_wilayah, belum, cakupan or [])
    except Exception:
        log.exception("kabar penutupan tidak disusun")
        return []


def buka_persetujuan(rt: Runtime, run_id: str, mulai: datetime, batas: datetime, nama_wilayah: str) -> None:
    """The approval request waits from ``mulai`` to ``batas``: recorded for Bappeda's last call."""
    from desa_cantik.kabar import AturanKabar
    from desa_cantik.kabar.jadwal import buka_persetujuan as record

    try:
        record(rt, run_id, mulai, batas, nama_wilayah, f"{AturanKabar.load().alamat_web}/required_actions")
    except Exception:
        log.exception("permintaan persetujuan tidak dicatat untuk peringatan terakhir")


def tutup_persetujuan(rt: Runtime, run_id: str) -> None:
    """The request ended (answered or timed out): no last call for it."""
    from desa_cantik.kabar.jadwal import tutup_persetujuan as close

    try:
        close(rt, run_id, datetime.now(UTC))
    except Exception:
        log.exception("permintaan persetujuan tidak ditutup di catatan kabar")


class KabarTugasGagal(BaseNotifier):
    """Diskominfo (and Admin) hear of a task that failed after its last retry: which, where, a one-line reason and
    the log link; never a stack trace. Through the outbox (once per task try); when the warehouse itself is what
    failed, sent directly."""

    def notify(self, context: Context) -> None:
        ti = context["ti"]
        max_tries = getattr(ti, "max_tries", 0) or 0
        if getattr(ti, "try_number", 1) <= max_tries:  # a retry is coming: not yet the last word
            return
        try:
            self._notify(context)
        except Exception:  # a notifier must never make a failure worse
            log.exception("kabar tugas gagal tidak terkirim")

    def _notify(self, context: Context) -> None:
        from desa_cantik.config import DaftarData, Settings
        from desa_cantik.kabar import AturanKabar
        from desa_cantik.kabar.peristiwa import tugas_gagal

        ti, aturan = context["ti"], AturanKabar.load()
        exc: Any = context.get("exception")
        sebab = f"{type(exc).__name__}: {exc}" if exc is not None else "lihat log tugas"
        zona = DaftarData.load(Settings.daftar_data_path()).zona_waktu
        url = getattr(ti, "log_url", "") or f"{aturan.alamat_web}/dags/{ti.dag_id}/runs/{context['run_id']}"
        map_index = getattr(ti, "map_index", -1)
        kabar = tugas_gagal(aturan, zona, ti.dag_id, ti.task_id, context["run_id"], int(getattr(ti, "try_number", 1)),
                            sebab, datetime.now(UTC), url, -1 if map_index is None else int(map_index))
        from common.pillars import runtime

        try:
            rt = runtime()
        except Exception:  # the warehouse is what failed: straight to the channels
            from desa_cantik.kabar.pengantar import langsung
            from desa_cantik.peran import DaftarPeran

            for k in kabar:
                langsung(aturan, buku_alamat(), DaftarPeran.load(), [k.penerima], k.jenis, k.subjek, k.isi, smtp_fallback())
            return
        queue_and_send(rt, kabar)
