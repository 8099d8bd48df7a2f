"""Scheduled notifications: what no single event announces, planned by the hourly gate's first task every hour.

- ``pengingat``: ``hari_sebelum`` days before ``batas_akhir``, from ``jam`` on, each expected sender (the Daftar Data's
  ``pengirim.expected_senders``) that has no file at the gate nor in the inbox for a dataset hears which are missing;
  on the deadline day (``0``) what happens after it.
- ``penolakan_harian``: BPS, every day from ``jam`` while the collection window is open: the files rejected in the
  24 hours before the previous hourly run (``jam`` minus one hour: that run gated everything that had arrived), per
  kecamatan, most first, with the rules that rejected them.
- ``persetujuan_terakhir``: Bappeda, ``jam_sebelum`` hours before its waiting approval times out. The request's start
  and time-out are recorded when it begins (``buka_persetujuan``) and closed when it ends (``tutup_persetujuan``).

A scheduled kind is planned once a day (a marker per kind and day in the object store) and queued once per recipient
(the outbox's key). When nothing is due only the clock is read, plus one object lookup per due-today kind and one
listing of waiting approvals: a few milliseconds (``benchmarks/bench_kabar.py``); the warehouse is read on a due day,
once. Quiet hours and opt-outs are the sender's (``pengantar``), as for every kind.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..kosakata import BPS_SENDER
from ..storage import layout
from .aturan import AturanKabar, JenisKabar

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..cycle.runtime import Runtime
    from ..storage.kotak import Kabar
    from .peristiwa import KecamatanDitolak

log = logging.getLogger(__name__)
MAX_ATURAN = 3  # rules per kecamatan in BPS's digest
DITUTUP = "ditutup"


@dataclass(frozen=True)
class Rencana:
    """What one planning queued, per kind (a kind planned but with nobody to tell: 0), the kinds that failed (planned
    again next hour: each is apart, so one kind's trouble never costs another its turn), and how long it took."""

    antre: dict[str, int] = field(default_factory=dict)
    detik: float = 0.0
    gagal: tuple[str, ...] = ()

    def teks(self) -> str:
        done = ", ".join(f"{k} {n}" for k, n in self.antre.items())
        failed = f"; gagal, dicoba lagi jam berikutnya: {', '.join(self.gagal)}" if self.gagal else ""
        return f"kabar terjadwal: {done or 'tidak ada yang jatuh tempo'}{failed} ({self.detik * 1000:.1f} ms)"


def rencanakan(rt: Runtime, now: datetime, aturan: AturanKabar | None = None) -> Rencana:
    """Queue the scheduled notifications due at ``now`` (the hourly run's time); see the module's doc."""
    start = time.perf_counter()
    aturan = aturan or AturanKabar.load()
    local = now.astimezone(ZoneInfo(rt.daftar.zona_waktu))
    antre: dict[str, int] = {}
    gagal: list[str] = []
    stamp = layout.iso(now)
    if rt.tier.monitors_desa and rt.daftar.window_open(now):
        planners: dict[str, Callable[[Runtime, AturanKabar, JenisKabar, datetime], list[Kabar]]] = {
            "pengingat": _pengingat, "penolakan_harian": _penolakan_harian}
        for nama, plan in planners.items():
            jenis = aturan.peristiwa.get(nama)
            if jenis is None or not _due_today(rt, jenis, local):
                continue
            marker = layout.planned_marker(rt.tahun, rt.settings.kode_paket, nama, local.date().isoformat())
            try:
                if rt.store.exists(marker):
                    continue
                antre[nama] = rt.warehouse.queue_kabar(plan(rt, aturan, jenis, local), stamp)
                rt.store.put(marker, stamp.encode())  # after queueing: a crash in between plans again (keys dedupe)
            except Exception:
                log.exception("kabar terjadwal %s tidak direncanakan", nama)
                gagal.append(nama)
    try:
        if last := _terakhir(rt, aturan, now):
            antre["persetujuan_terakhir"] = rt.warehouse.queue_kabar(last, stamp)
    except Exception:
        log.exception("peringatan terakhir persetujuan tidak direncanakan")
        gagal.append("persetujuan_terakhir")
    return Rencana(antre, time.perf_counter() - start, tuple(gagal))


def _due_today(rt: Runtime, jenis: JenisKabar, local: datetime) -> bool:
    """A daily kind's hour has come (and for reminders, today is one of their days before the deadline)."""
    if jenis.jam is not None and local.time() < jenis.jam:
        return False
    if not jenis.hari_sebelum:  # every day (BPS's digest)
        return True
    deadline = rt.daftar.batas_akhir.astimezone(local.tzinfo)
    return (deadline.date() - local.date()).days in jenis.hari_sebelum


def belum_mengirim(rt: Runtime) -> dict[str, list[str]]:
    """Expected senders with no file yet, each with its missing datasets: at the gate (any verdict) or waiting in
    the inbox counts as sent. A desa dataset: every desa; an agency dataset: its producers, while none has sent."""
    from ..pengirim import expected_senders

    each, any_of = expected_senders(rt)
    sent = rt.warehouse.senders_with_files(rt.tahun)
    for obj in rt.store.list(layout.inbox_prefix(rt.tahun)):
        if (parsed := layout.parse_inbox_key(obj.key)) is not None:
            sent.add((parsed.dataset, parsed.pengirim))
    belum: dict[str, list[str]] = {}
    for ds, senders in each.items():
        for kode in senders:
            if (ds, kode) not in sent:
                belum.setdefault(kode, []).append(ds)
    for ds, senders in any_of.items():
        if not any((ds, kode) in sent for kode in senders):
            for kode in senders:
                if kode != BPS_SENDER:  # BPS is a pillar with staff accounts, not a sender's operator
                    belum.setdefault(kode, []).append(ds)
    return belum


def _pengingat(rt: Runtime, aturan: AturanKabar, jenis: JenisKabar, local: datetime) -> list[Kabar]:  # noqa: ARG001
    from .peristiwa import pengingat

    return pengingat(aturan, rt.daftar.zona_waktu, rt.tahun, rt.daftar.batas_akhir, local, belum_mengirim(rt))


def _penolakan_harian(rt: Runtime, aturan: AturanKabar, jenis: JenisKabar, local: datetime) -> list[Kabar]:
    hour = jenis.jam.hour if jenis.jam is not None else local.hour
    selesai = local.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(hours=1)
    mulai = selesai - timedelta(days=1)
    kecamatan = ditolak_per_kecamatan(rt, mulai, selesai)
    if not kecamatan:  # a day without rejections: one query, nothing more imported
        return []
    from .peristiwa import penolakan_harian

    return penolakan_harian(aturan, rt.daftar.zona_waktu, rt.tahun, local.date(), mulai, selesai,
                            rt.daftar.batas_akhir, kecamatan)


def ditolak_per_kecamatan(rt: Runtime, mulai: datetime, selesai: datetime) -> list[KecamatanDitolak]:
    """The files rejected that arrived in [mulai, selesai), per kecamatan (agencies and BPS together), most first:
    each sender with its rejected datasets, and the rules (errors) that rejected the most files."""
    from ..findings import ERROR
    from ..pengirim import AGENCY_BATCH, batch_of
    from ..regions import region_name
    from .peristiwa import KecamatanDitolak

    files = rt.warehouse.rejected_between(rt.tahun, layout.iso(mulai), layout.iso(selesai))
    if not files:
        return []
    errors: dict[str, set[str]] = {}
    for r in rt.warehouse.rules_of_files([f.sha256 for f in files]):
        if r.keparahan == ERROR:
            errors.setdefault(r.sha256_berkas, set()).add(r.aturan)
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for f in files:
        groups.setdefault(batch_of(f.pengirim), []).append((f.pengirim, f.dataset, f.sha256))
    out = []
    for kec, rows in groups.items():
        per_sender: dict[str, list[str]] = {}
        rules: Counter[str] = Counter()
        for kode, ds, sha in rows:
            per_sender.setdefault(kode, []).append(ds)
            rules.update(errors.get(sha, ()))
        nama = "OPD dan BPS" if kec == AGENCY_BATCH else f"Kecamatan {region_name(kec)} ({kec})"
        senders = tuple(f"{_sender_name(kode, region_name)} ({', '.join(sorted(set(d)))})" for kode, d in per_sender.items())
        top = tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ATURAN])
        out.append(KecamatanDitolak(kec, nama, len(rows), senders, top))
    return sorted(out, key=lambda k: (-k.berkas, k.kode))


def _sender_name(kode: str, region_name: Callable[[str], str]) -> str:
    from ..pii import mask_text

    nama = region_name(kode)
    return nama if nama != kode else mask_text(kode) or ""


# --- Bappeda's waiting approval ------------------------------------------------------------------------------


def buka_persetujuan(rt: Runtime, run_id: str, mulai: datetime, batas: datetime, nama_wilayah: str, tautan: str) -> None:
    """Record that an approval request waits (its start and time-out): the hourly gate's last call reads it."""
    record = {"run_id": run_id, "tahun": rt.tahun, "nama_wilayah": nama_wilayah, "mulai": layout.iso(mulai),
              "batas": layout.iso(batas), "tautan": tautan}
    rt.store.put(layout.open_approval(rt.tahun, rt.settings.kode_paket, run_id), json.dumps(record).encode())


def tutup_persetujuan(rt: Runtime, run_id: str, now: datetime) -> None:
    """The request was answered (or timed out): no last call for it any more."""
    key = layout.open_approval(rt.tahun, rt.settings.kode_paket, run_id)
    if rt.store.exists(key):
        record = json.loads(rt.store.get(key))
        rt.store.put(key, json.dumps({**record, DITUTUP: layout.iso(now)}).encode())


def _terakhir(rt: Runtime, aturan: AturanKabar, now: datetime) -> list[Kabar]:
    """Last calls for waiting approvals whose time-out is within ``jam_sebelum`` hours."""
    jenis = aturan.peristiwa.get("persetujuan_terakhir")
    if jenis is None or jenis.jam_sebelum <= 0:
        return []
    found = rt.store.list(layout.open_approvals(rt.tahun, rt.settings.kode_paket))
    if not found:
        return []
    from .peristiwa import persetujuan_terakhir

    out: list[Kabar] = []
    for obj in found:
        try:
            rec = json.loads(rt.store.get(obj.key))
            if rec.get(DITUTUP):
                continue
            mulai, batas = datetime.fromisoformat(rec["mulai"]), datetime.fromisoformat(rec["batas"])
        except (ValueError, KeyError, TypeError):  # an unreadable record is no request: nothing to remind of
            continue
        if batas - timedelta(hours=jenis.jam_sebelum) <= now < batas:
            out += persetujuan_terakhir(aturan, rt.daftar.zona_waktu, str(rec["run_id"]), int(rec["tahun"]),
                                        str(rec["nama_wilayah"]), mulai, batas, now, str(rec["tautan"]))
    return out
