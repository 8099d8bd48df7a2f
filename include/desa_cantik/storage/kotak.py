"""The notifications' tables (revision 0002): queue into the outbox inside a caller's transaction, read what is due,
record each delivery attempt, the opt-outs, and the log page's reads.

The outbox's key is (``peristiwa``, ``penerima``): a second queueing of the same event for the same recipient (a
task retried, a file gated again) inserts nothing. Times are ISO-8601 UTC text, as everywhere in the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from .base import WarehouseBase
from .schema import OPT_OUT, OUTBOX, SENT_LOG

MENUNGGU_KIRIM = "menunggu"  # queued, or waiting for its next attempt
TERKIRIM = "terkirim"
GAGAL = "gagal"  # every attempt failed: given up (the log says why)
DILEWATI = "dilewati"  # nobody to send it to (no account, no address, opted out)
SEMUA_JENIS = "*"  # an opt-out of every non-essential kind


@dataclass(frozen=True)
class Kabar:
    """One notification to queue: an event for one recipient, already written as people read it."""

    peristiwa: str  # the event's key, e.g. ``putusan/{sha256}/{kunci}``: queued once per recipient
    penerima: str  # ``pengirim:{kode}`` (a sender's accounts) or ``peran:{kunci}`` (a role's accounts)
    jenis: str  # the event's kind, a key of config/kabar.yaml's ``peristiwa``
    subjek: str
    isi: str
    tautan: str
    ringkas: str  # one line, for a digest
    penting: bool = True
    jam_tenang: bool = False


@dataclass(frozen=True)
class Antrean:
    """A queued notification as the sender reads it."""

    id: int
    peristiwa: str
    penerima: str
    jenis: str
    subjek: str
    isi: str
    tautan: str
    ringkas: str
    penting: bool
    jam_tenang: bool
    dibuat_pada: str
    percobaan: int


@dataclass(frozen=True)
class Percobaan:
    """One delivery attempt of one queued notification to one account on one channel (a row of ``log_kabar``)."""

    kotak_id: int
    jenis: str
    penerima: str
    akun: str
    kanal: str
    alamat: str  # masked
    subjek: str
    waktu: str
    hasil: str
    keterangan: str | None
    digabung: int


@dataclass(frozen=True)
class Nasib:
    """What becomes of a queued notification after a drain: its status, next attempt and attempts so far."""

    id: int
    status: str
    kirim_setelah: str
    percobaan: int
    keterangan: str | None


class Outbox(WarehouseBase):
    def _queue(self, conn: sa.Connection, kabar: Sequence[Kabar], now: str) -> int:
        """Insert each notification unless its (event, recipient) is queued already; inside the caller's transaction."""
        if not kabar:
            return 0
        t = self.table(OUTBOX)
        rows = [{**asdict(k), "dibuat_pada": now, "kirim_setelah": now, "percobaan": 0, "status": MENUNGGU_KIRIM,
                 "keterangan": None} for k in kabar]
        stmt: sa.Executable
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(t).on_conflict_do_nothing(index_elements=["peristiwa", "penerima"])
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(t).on_conflict_do_nothing(index_elements=["peristiwa", "penerima"])
        return int(conn.execute(stmt, rows).rowcount or 0)

    def queue_kabar(self, kabar: Sequence[Kabar], now: str) -> int:
        """Queue notifications in their own transaction (events with nothing else to write, e.g. an approval)."""
        with self.engine.begin() as conn:
            return self._queue(conn, kabar, now)

    def due_kabar(self, now: str, limit: int = 5000) -> list[Antrean]:
        """Queued notifications whose time has come, oldest first."""
        t = self.table(OUTBOX)
        cols = [t.c[f] for f in Antrean.__dataclass_fields__]
        q = (sa.select(*cols).where(t.c.status == MENUNGGU_KIRIM, t.c.kirim_setelah <= now).order_by(t.c.id).limit(limit))
        with self.engine.connect() as conn:
            return [Antrean(**r._mapping) for r in conn.execute(q)]

    def count_due_kabar(self, now: str) -> int:
        t = self.table(OUTBOX)
        return self._count(OUTBOX, t.c.status == MENUNGGU_KIRIM, t.c.kirim_setelah <= now)

    def delivered(self, kotak_ids: Iterable[int]) -> set[tuple[int, str, str]]:
        """(queued id, account, channel) already delivered: a retry after a partial failure sends those nothing."""
        ids = sorted(set(kotak_ids))
        if not ids:
            return set()
        t = self.table(SENT_LOG)
        found: set[tuple[int, str, str]] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                q = sa.select(t.c.kotak_id, t.c.akun, t.c.kanal).where(t.c.kotak_id.in_(ids[start:start + 500]),
                                                                      t.c.hasil == TERKIRIM)
                found |= {(int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(q)}
        return found

    def sent_since(self, since: str) -> dict[str, int]:
        """Messages delivered to each account since a time (a digest of many counts as one)."""
        t = self.table(SENT_LOG)
        q = (sa.select(t.c.akun, sa.func.count(sa.distinct(t.c.waktu + t.c.kanal)))
             .where(t.c.waktu >= since, t.c.hasil == TERKIRIM).group_by(t.c.akun))
        with self.engine.connect() as conn:
            return {str(r[0]): int(r[1]) for r in conn.execute(q)}

    def record_drain(self, attempts: Sequence[Percobaan], fates: Sequence[Nasib]) -> None:
        """One drain's attempts and what became of each queued notification, in one transaction."""
        log, t = self.table(SENT_LOG), self.table(OUTBOX)
        with self.engine.begin() as conn:
            if attempts:
                conn.execute(log.insert(), [asdict(a) for a in attempts])
            if fates:  # one executemany: a drain of hundreds updates in one round trip per batch
                conn.execute(t.update().where(t.c.id == sa.bindparam("_id")).values(
                    status=sa.bindparam("_status"), kirim_setelah=sa.bindparam("_kirim_setelah"),
                    percobaan=sa.bindparam("_percobaan"), keterangan=sa.bindparam("_keterangan")),
                    [{f"_{k}": v for k, v in asdict(f).items()} for f in fates])

    def opted_out(self) -> set[tuple[str, str]]:
        """(account, kind) pairs that asked for no more non-essential notifications (kind ``*``: every kind)."""
        t = self.table(OPT_OUT)
        with self.engine.connect() as conn:
            return {(str(r[0]), str(r[1])) for r in conn.execute(sa.select(t.c.akun, t.c.jenis))}

    def set_opt_out(self, akun: str, jenis: str, berhenti: bool, now: str) -> None:
        t = self.table(OPT_OUT)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.akun == akun, t.c.jenis == jenis))
            if berhenti:
                conn.execute(t.insert(), [{"akun": akun, "jenis": jenis, "sejak": now}])

    def kabar_log(self, limit: int = 300) -> list[Percobaan]:
        """The newest delivery attempts (the log page)."""
        t = self.table(SENT_LOG)
        cols = [t.c[f] for f in Percobaan.__dataclass_fields__]
        with self.engine.connect() as conn:
            return [Percobaan(**r._mapping) for r in conn.execute(sa.select(*cols).order_by(t.c.id.desc()).limit(limit))]

    def kabar_status(self) -> dict[str, int]:
        """Queued notifications per status (the log page's counts)."""
        t = self.table(OUTBOX)
        with self.engine.connect() as conn:
            return {str(r[0]): int(r[1]) for r in conn.execute(sa.select(t.c.status, sa.func.count()).group_by(t.c.status))}

    def queued_kabar(self) -> list[tuple[int, str, str, str, int]]:
        """Every queued notification as (id, event, recipient, status, attempts), oldest first (tests, the CLI)."""
        t = self.table(OUTBOX)
        q = sa.select(t.c.id, t.c.peristiwa, t.c.penerima, t.c.status, t.c.percobaan).order_by(t.c.id)
        with self.engine.connect() as conn:
            return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4])) for r in conn.execute(q)]
