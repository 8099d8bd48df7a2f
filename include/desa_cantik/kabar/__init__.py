"""Kabar: everyone hears what they must act on. The notification core, configured as data (``config/kabar.yaml``).

The API, small on purpose (another event is a builder in ``peristiwa`` and a queueing call):

1. **Write** an event as notifications: a builder of ``peristiwa`` (``putusan_bundel``, ``persetujuan_menunggu``,
   ``persetujuan_terakhir``, ``tugas_gagal``, ``pengingat``, ``penolakan_harian``, ``paket_ditolak``,
   ``paket_terlambat``, ``cakupan_rendah``) returns ``Kabar`` rows, one per recipient (``pengirim:{kode}``: a
   sender's accounts; ``peran:{kunci}``: a role's), subject and body from ``templat/*.txt``, Indonesian, the page
   link first, times in the tier's zone, numbers as Indonesians write them, every NIK masked.
2. **Queue** them: inside the transaction that records what they announce (``Warehouse.store_checked(...,
   kabar=...)``), or alone (``Warehouse.queue_kabar``). The outbox's key is (event, recipient): queued once.
3. **Send**: ``kirim_antrean`` drains the outbox: accounts and addresses from the ``BukuAlamat`` (the user CSV's
   e-mail and ``alamat_{kanal}`` columns), opt-outs (``kabar_berhenti``), quiet hours, per-account limits and
   digests, Apprise / SMTP / ``.eml`` ways with exponential backoff; every attempt in ``log_kabar``. It never
   raises for a channel that is down.

What no single stage announces is planned: ``jadwal.rencanakan`` (the hourly gate's first task, each hour: reminders,
BPS's daily digest, Bappeda's last call; a marker per kind and day) and ``penutupan.kabar_penutupan`` (the close:
late children, low coverage). An account stops its non-essential kinds itself: ``berhenti`` (the page
``/desa-cantik/kabar/berhenti``, ``python -m desa_cantik kabar-berhenti``).

Modules: ``aturan`` (the config), ``alamat`` (accounts), ``templat`` (messages), ``peristiwa`` (events),
``jadwal`` (scheduled events), ``penutupan`` (the close's), ``berhenti`` (opt-outs), ``jalur`` (ways to deliver),
``pengantar`` (the sender). Airflow's side (the drain task, the scheduled events' task, the failure notifier) is
``dags/common/kabar.py``; the pages ``web/routes/kabar.py``.
"""

from __future__ import annotations

from ..storage.kotak import Kabar
from .alamat import BukuAlamat
from .aturan import AturanKabar, KabarError
from .pengantar import HasilKirim, kirim_antrean

__all__ = ["AturanKabar", "BukuAlamat", "HasilKirim", "Kabar", "KabarError", "kirim_antrean"]
