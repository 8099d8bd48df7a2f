"""The sender: drains the outbox. Never raises for a channel that is down, never holds the cycle.

One drain reads what is due, turns each recipient into accounts and addresses (``alamat``), leaves out what an
account opted out of (non-essential kinds only), holds quiet-hours kinds until the quiet hours end, then sends
**one message per account and channel**: several due together go as one digest. An account over its limit
(``batas.per_akun`` messages per ``jendela_menit``) waits; what waits goes out as one digest later. A channel whose
every way fails: the message waits ``coba_ulang`` (exponential), and after ``maks`` attempts is given up. Each
attempt is a row of ``log_kabar``; a retry after a partial failure sends nothing to whom it already reached.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..peran import DaftarPeran
from ..storage.kotak import DILEWATI, GAGAL, MENUNGGU_KIRIM, SEMUA_JENIS, TERKIRIM, Antrean, Nasib, Outbox, Percobaan
from .alamat import PENERIMA_PENGIRIM, Akun, BukuAlamat, samar
from .aturan import AturanKabar, KanalKabar
from .jalur import Jalur, KirimGagal, jalur_kanal
from .peristiwa import HALAMAN_BERKAS_SAYA
from .templat import singkat, tulis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HasilKirim:
    """What one drain did."""

    dikirim: int = 0  # messages delivered (a digest counts once)
    kabar_selesai: int = 0  # queued notifications done (delivered to every address, or nobody to reach)
    gagal: int = 0  # deliveries that failed (they wait for their next attempt)
    ditunda: int = 0  # held: quiet hours, an account's limit
    dilewati: int = 0  # nobody to reach, or opted out
    detik: float = 0.0

    def teks(self) -> str:
        return (f"kabar: {self.dikirim} pesan terkirim, {self.kabar_selesai} kabar selesai, {self.gagal} gagal (dicoba lagi), "
                f"{self.ditunda} ditunda, {self.dilewati} dilewati ({self.detik:.2f} s)")


@dataclass
class _Row:
    """One queued notification during a drain: its targets' outcomes."""

    kabar: Antrean
    failed: list[str] = field(default_factory=list)
    held_until: str = ""
    reached: int = 0


Target = tuple[str, str, str]  # (account, channel, address)


def _now_iso(now: datetime) -> str:
    return now.astimezone(UTC).replace(microsecond=0).isoformat()


class _Drain:
    def __init__(self, wh: Outbox, aturan: AturanKabar, buku: BukuAlamat, daftar: DaftarPeran, zona: str, now: datetime,
                 extra: dict[str, str] | None, env: dict[str, str] | None) -> None:
        self.wh, self.aturan, self.buku, self.daftar, self.zona, self.now = wh, aturan, buku, daftar, zona, now
        self.iso = _now_iso(now)
        self.ways: dict[str, list[Jalur]] = {k: jalur_kanal(c, env, extra) for k, c in aturan.kanal.items()}
        self.attempts: list[Percobaan] = []
        self.delivered: set[tuple[int, str, str]] = set()
        self.counts = {"dikirim": 0, "gagal": 0, "ditunda": 0, "dilewati": 0}

    def targets(self, k: Antrean, opted: set[tuple[str, str]], delivered: set[tuple[int, str, str]]) -> list[Target]:
        jenis = self.aturan.peristiwa.get(k.jenis)
        kanal = [self.aturan.kanal[c] for c in (jenis.kanal if jenis else ("surel",)) if c in self.aturan.kanal]
        out: list[Target] = []
        for akun in self.buku.penerima(k.penerima, self.daftar):
            if not k.penting and ({(akun.username, SEMUA_JENIS), (akun.username, k.jenis)} & opted):
                self._log(k, akun.username, "-", "-", DILEWATI, "akun berhenti berlangganan kabar tidak penting", 1)
                continue
            out += [(akun.username, c.nama, a) for c in kanal if (a := akun.alamat_untuk(c.alamat))
                    and (k.id, akun.username, c.nama) not in delivered]
        return out

    def _log(self, k: Antrean, akun: str, kanal: str, alamat: str, hasil: str, why: str | None, n: int,
             subjek: str | None = None) -> None:
        self.attempts.append(Percobaan(k.id, k.jenis, k.penerima, akun, kanal, samar(alamat) if alamat != "-" else "-",
                                       subjek or k.subjek, self.iso, hasil, why, n))

    def deliver(self, target: Target, group: list[Antrean], rows: dict[int, _Row], sent: dict[str, int]) -> None:
        """One message (a digest when several are due) to one account's address on one channel, or wait for the
        account's window when it is over its limit."""
        akun, kanal, alamat = target
        if sent.get(akun, 0) >= self.aturan.per_akun:  # over the limit: wait for the window, then one digest
            for k in group:
                rows[k.id].held_until = _now_iso(self.now + self.aturan.jendela)
            return
        subjek, isi = self.message(group)
        why = self.send(kanal, alamat, subjek, isi)
        if why is None:
            sent[akun] = sent.get(akun, 0) + 1
            self.counts["dikirim"] += 1
        for k in group:
            self._log(k, akun, kanal, alamat, TERKIRIM if why is None else GAGAL, why, len(group), subjek)
            if why is None:
                rows[k.id].reached += 1
            else:
                rows[k.id].failed.append(why)

    def message(self, group: list[Antrean]) -> tuple[str, str]:
        """One notification as it is, or several as a digest."""
        if len(group) == 1:
            return group[0].subjek, group[0].isi
        first = group[0]
        link = self.aturan.alamat_web + HALAMAN_BERKAS_SAYA if first.penerima.startswith(PENERIMA_PENGIRIM) else first.tautan
        return tulis("ringkasan", jumlah=len(group), pertama=first.ringkas, kabar=group, tautan=link)

    def send(self, kanal: str, alamat: str, subjek: str, isi: str) -> str | None:
        """Deliver through the channel's ways in order; None when one did, else why none did."""
        ways = self.ways.get(kanal, [])
        if not ways:
            return f"kanal {kanal} belum dikonfigurasi (lihat config/kabar.yaml)"
        reasons = []
        for way in ways:
            try:
                way.kirim(alamat, subjek, isi)
                return None
            except KirimGagal as exc:
                reasons.append(f"{way.nama}: {exc}")
            except Exception as exc:  # a library's own error: its kind only (its text may hold a URL with a token)
                reasons.append(f"{way.nama}: {type(exc).__name__}")
        return singkat("; ".join(reasons), 300)


def kirim_antrean(wh: Outbox, aturan: AturanKabar, buku: BukuAlamat, daftar: DaftarPeran, zona: str,
                  now: datetime | None = None, extra: dict[str, str] | None = None,
                  env: dict[str, str] | None = None) -> HasilKirim:
    """Drain the outbox once (see the module's doc). ``extra``: ways' URLs found outside the environment (the SMTP
    provider's connection); ``env``: the environment to read the ways' variables from (default ``os.environ``)."""
    start = time.perf_counter()
    now = now or datetime.now(UTC)
    d = _Drain(wh, aturan, buku, daftar, zona, now, extra, env)
    due = wh.due_kabar(d.iso)
    if not due:
        return HasilKirim(detik=time.perf_counter() - start)
    opted, delivered = wh.opted_out(), wh.delivered(k.id for k in due)
    d.delivered = delivered
    sent = wh.sent_since(_now_iso(now - aturan.jendela))
    quiet = aturan.tenang_sampai(now, zona)
    rows = {k.id: _Row(k) for k in due}
    groups: dict[Target, list[Antrean]] = {}
    for k in due:
        if k.jam_tenang and quiet is not None:
            rows[k.id].held_until = _now_iso(quiet)
            continue
        for target in d.targets(k, opted, delivered):
            groups.setdefault(target, []).append(k)
    for target, group in groups.items():
        d.deliver(target, group, rows, sent)
    fates = [_fate(aturan, d, r, now) for r in rows.values()]
    wh.record_drain(d.attempts, fates)
    done = sum(1 for f in fates if f.status in (TERKIRIM, DILEWATI))
    return HasilKirim(d.counts["dikirim"], done, sum(len(r.failed) for r in rows.values()),
                      sum(1 for r in rows.values() if r.held_until and not r.failed),
                      sum(1 for f in fates if f.status == DILEWATI), time.perf_counter() - start)


def _fate(aturan: AturanKabar, d: _Drain, r: _Row, now: datetime) -> Nasib:
    k = r.kabar
    if r.failed:
        tries = k.percobaan + 1
        if tries >= aturan.coba_maks:
            return Nasib(k.id, GAGAL, d.iso, tries, f"menyerah setelah {tries} percobaan: {r.failed[-1]}")
        return Nasib(k.id, MENUNGGU_KIRIM, _now_iso(now + aturan.jeda(tries)), tries, r.failed[-1])
    if r.held_until:
        return Nasib(k.id, MENUNGGU_KIRIM, r.held_until, k.percobaan, "ditunda: jam tenang atau batas per akun")
    if not r.reached and not any(i == k.id for i, _, _ in d.delivered):
        return Nasib(k.id, DILEWATI, d.iso, k.percobaan, "tidak ada akun dengan alamat untuk penerima ini")
    return Nasib(k.id, TERKIRIM, d.iso, k.percobaan, None)


def langsung(aturan: AturanKabar, buku: BukuAlamat, daftar: DaftarPeran, penerima: list[str], jenis: str, subjek: str,
             isi: str, extra: dict[str, str] | None = None) -> int:
    """Send at once, without the outbox: only when the warehouse itself cannot be reached (a task failed because of
    it). Returns how many messages went out; failures are logged, never raised."""
    d = _Drain.__new__(_Drain)
    d.ways = {k: jalur_kanal(c, None, extra) for k, c in aturan.kanal.items()}
    j = aturan.peristiwa.get(jenis)
    kanal: list[KanalKabar] = [aturan.kanal[c] for c in (j.kanal if j else ()) if c in aturan.kanal]
    akun: list[Akun] = [a for p in penerima for a in buku.penerima(p, daftar)]
    n = 0
    for a in akun:
        for c in kanal:
            if (addr := a.alamat_untuk(c.alamat)) and (why := d.send(c.nama, addr, subjek, isi)) is None:
                n += 1
            elif addr:
                log.warning("kabar langsung ke %s lewat %s gagal: %s", a.username, c.nama, why)
    return n

