"""Operators submit through the tier's pages: who may send what, the gate's checks at once, the inbox for what
passes, and *Berkas saya* (every file I sent, what became of it, what my desa still owes).

Pure domain, no Airflow: the plugin tells who is logged in (``Operator``). The sender written into the inbox
key is the operator's own desa (or agency), never a value from the form, so the gate's sender identity holds.
The pre-check is ``precheck.precheck_many``, the command line's own, with the warehouse's references, so the
page, the CLI and the gate agree. A rejected file is kept (``kiriman/…/berkas/``) with its report, not queued.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import feedback
from .datasets import get_dataset
from .findings import DITOLAK, ERROR, WARNING
from .kosakata import BELUM, MENUNGGU, OPD, PEMERINTAH_DESA, STATUS_KIRIMAN, TIDAK_DIKIRIM, cut, within
from .regions import get_region, normalise_code
from .storage import get_many, put_many
from .storage.rows import FileRecord

if TYPE_CHECKING:
    import pandas as pd

    from .config import DaftarData
    from .cycle.runtime import Runtime
    from .pengirim import Pengirim
    from .quality import Verdict

STATUS_AKHIR = STATUS_KIRIMAN  # where a submission stands: the queue, the pre-check and the verdicts


class BukanHak(PermissionError):
    """The operator may not send (or see) this: the message says why, in Indonesian."""


@dataclass(frozen=True)
class Operator:
    """A logged-in operator and what their account is bound to (``peran.CAKUPAN``)."""

    username: str
    cakupan: str  # desa | kecamatan | opd
    kode: str  # 35.07.01.2001 | 35.07.01 | 35.07-DINKES

    @property
    def opd(self) -> bool:
        """An agency's account (its senders are the agency itself), not a desa's or a kecamatan's."""
        return self.cakupan == OPD

    def pengirim(self, rt: Runtime) -> list[Pengirim]:
        """Whom this operator sends as: its desa, every desa of its kecamatan, or its agency."""
        from .pengirim import agency_sender, desa_senders

        if self.opd:
            return [agency_sender(rt.daftar, self.kode)] if self.kode.startswith(cut(rt.wilayah, "kabupaten")) else []
        kode = normalise_code(self.kode)
        if not kode or get_region(kode) is None or not within(kode, rt.wilayah):
            return []
        return desa_senders(rt.daftar, kode)

    def datasets(self, daftar: DaftarData) -> list[str]:
        """The Daftar Data's datasets this operator's sender produces (``pengirim.datasets_for``)."""
        from .pengirim import datasets_for

        return datasets_for(daftar, OPD, self.kode) if self.opd else datasets_for(daftar, PEMERINTAH_DESA)

    def boleh(self, rt: Runtime, dataset: str, pengirim: str) -> None:
        """Raise ``BukanHak`` unless this operator may send ``dataset`` as ``pengirim`` on this tier: the account's
        own senders, and the gate's producer rule (``pengirim.sender_problem``), so the page never queues what the
        gate would refuse for its sender."""
        from .pengirim import sender_problem

        if dataset not in self.datasets(rt.daftar):
            raise BukanHak(f"Dataset '{dataset[:40]}' tidak termasuk yang boleh Anda kirim "
                           f"({', '.join(self.datasets(rt.daftar)) or 'tidak ada'}).")
        if pengirim not in {p.kode for p in self.pengirim(rt)}:
            raise BukanHak(f"Anda tidak boleh mengirim atas nama '{pengirim[:40]}': akun Anda untuk {self.kode}.")
        if (problem := sender_problem(rt, dataset, pengirim)) is not None:
            raise BukanHak(problem)

    def prefixes(self, tahun: int) -> list[str]:
        """Where this operator's submissions are kept (one listing each)."""
        from .storage import layout

        if self.cakupan == "kecamatan":
            return [layout.submitted_prefix(tahun, self.kode + ".")]
        return [layout.submitted_prefix(tahun, self.kode + "/")]


@dataclass(frozen=True)
class Kiriman:
    """One file an operator sent through the page: the record kept beside the file (``kiriman/…json``)."""

    id: str
    username: str
    pengirim: str
    dataset: str
    nama_berkas: str
    sha256: str
    ukuran: int
    dikirim_pada: str  # ISO-8601 UTC, to the microsecond: two files of one second keep their order
    status: str  # the pre-check's verdict (diterima | diterima_dengan_catatan | ditolak)
    baris_dibaca: int
    baris_diterima: int
    galat: int
    peringatan: int
    kunci_berkas: str  # the file as sent, kept
    kunci_masuk: str | None  # the inbox key when queued for the gate; None when the pre-check rejected it
    cara: str = "halaman"  # halaman (checked on the page) | langsung (presigned upload, checked by the gate)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Kiriman:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


@dataclass(frozen=True)
class Hasil:
    """What the page shows for one submission: the record, the gate's final word, and what replaced it."""

    kiriman: Kiriman
    status_akhir: str  # a key of STATUS_AKHIR
    baris_tersimpan: int | None
    kunci_arsip: str | None  # the gate's archived copy (its report is beside it)
    diganti_oleh: str | None = None  # a later submission for the same desa and dataset
    mengganti: str | None = None

    @property
    def label(self) -> str:
        return STATUS_AKHIR.get(self.status_akhir, self.status_akhir)


@dataclass(frozen=True)
class Unggahan:
    """One file an operator uploaded on the page, waiting for its check (``terima_banyak``)."""

    op: Operator
    dataset: str
    pengirim: str
    data: bytes
    nama_berkas: str
    when: datetime  # when it arrived: its id's stamp and its report's time of receipt


def terima(rt: Runtime, op: Operator, dataset: str, pengirim: str, data: bytes, nama_berkas: str,
           references: dict[str, pd.DataFrame] | None = None, now: datetime | None = None) -> tuple[Kiriman, Verdict]:
    """Check one uploaded file as the gate would, keep it with its report, and queue it unless rejected."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return terima_banyak(rt, [Unggahan(op, dataset, pengirim, data, nama_berkas, when)], references)[0]


def terima_banyak(rt: Runtime, unggahan: Sequence[Unggahan], references: dict[str, pd.DataFrame] | None = None,
                  ) -> list[tuple[Kiriman, Verdict]]:
    """``terima`` for uploads of one dataset at once: one GX run for all (``precheck.precheck_each``), each file
    judged on its own rows against its own sender, kept with its own report and queued unless rejected. If the
    joined run breaks, each file is checked alone, and one that still breaks is refused (``judge_isolated``)."""
    from .isolation import judge_isolated
    from .pengirim import sender_region
    from .precheck import Berkas, precheck_each

    if len({u.dataset for u in unggahan}) > 1:
        raise ValueError("terima_banyak: satu dataset per panggilan")
    for u in unggahan:
        u.op.boleh(rt, u.dataset, u.pengirim)

    def check(some: Sequence[Unggahan], refusal: str | None = None) -> list[Verdict]:
        return [v for v, _ in precheck_each([Berkas(u.data, u.nama_berkas) for u in some], some[0].dataset,
                                            [sender_region(rt, u.dataset, u.pengirim) for u in some], rt.tahun,
                                            references, rt.daftar, [u.when for u in some],
                                            [refusal] * len(some), [u.pengirim for u in some])]

    verdicts = judge_isolated(unggahan, lambda u: check([u])[0], lambda u, message: check([u], message)[0],
                              together=check, name=lambda u: f"{u.pengirim}/{u.nama_berkas}")
    return [(_simpan(rt, u, v), v) for u, v in zip(unggahan, verdicts, strict=True)]


def _simpan(rt: Runtime, u: Unggahan, verdict: Verdict) -> Kiriman:
    """Keep an upload with its reports and record; queue it for the gate unless the pre-check rejected it."""
    from .storage import layout

    sha = verdict.submission.provenance.sha256
    ident = f"{layout.stamp(u.when)}-{sha[:12]}"
    queued = verdict.status != DITOLAK and verdict.submission.readable
    kept = layout.submitted_file(rt.tahun, u.pengirim, ident, u.nama_berkas)
    inbox = (layout.inbox_key(rt.tahun, u.dataset, u.pengirim, f"{ident}-{layout.safe_name(u.nama_berkas)}")
             if queued else None)
    k = Kiriman(ident, u.op.username, u.pengirim, u.dataset, u.nama_berkas[:200], sha, len(u.data), u.when.isoformat(),
                verdict.status, verdict.rows_read, verdict.rows_accepted,
                sum(1 for i in verdict.issues if i.keparahan == ERROR),
                sum(1 for i in verdict.issues if i.keparahan == WARNING), kept, inbox)
    writes = [(kept, u.data),
              *((layout.submitted_report(rt.tahun, u.pengirim, ident, fmt), text.encode())
                for fmt, text in feedback.reports(verdict).items()),
              (layout.submitted_record(rt.tahun, u.pengirim, ident), feedback.dumps(asdict(k)).encode())]
    put_many(rt.store, writes)
    if inbox:  # last: the gate may pick it up from here on, and the record already says who sent it
        rt.store.put(inbox, u.data)
    return k


def tanda_langsung(rahasia: bytes, op: Operator, kunci_masuk: str) -> str:
    """The token a signed direct-upload form carries back: HMAC of the tier's secret over the user and the one inbox
    key (made when the form is signed), so only that user coming back from that upload can record it."""
    return hmac.new(rahasia, f"kirim-langsung\n{op.username}\n{kunci_masuk}".encode(), hashlib.sha256).hexdigest()


def catat_langsung(rt: Runtime, op: Operator, kunci_masuk: str, tanda: str, rahasia: bytes) -> Kiriman:
    """Record a file uploaded straight to object storage (presigned): the gate checks it on its next run.

    Only with the form's token (``tanda_langsung``) for this user and key, and once: the record's key and content
    follow from the inbox key and the object itself, so coming back again (a reload, a replayed link) writes
    nothing and answers the same record.
    """
    from .storage import layout

    parsed = layout.parse_inbox_key(kunci_masuk)
    senders = {p.kode for p in op.pengirim(rt)}
    if not hmac.compare_digest(tanda.encode(), tanda_langsung(rahasia, op, kunci_masuk).encode()) or parsed is None \
            or not kunci_masuk.startswith(layout.inbox_prefix(rt.tahun)) or parsed.pengirim not in senders:
        raise BukanHak("Tautan unggahan langsung ini tidak sah untuk akun Anda. Siapkan unggahan baru dari Kirim data.")
    op.boleh(rt, parsed.dataset, parsed.pengirim)
    ident = parsed.berkas.split("-", 1)[0] + "-" + hashlib.sha256(kunci_masuk.encode()).hexdigest()[:12]
    record = layout.submitted_record(rt.tahun, parsed.pengirim, ident)
    if rt.store.exists(record):  # consumed already: the same record, nothing written
        return Kiriman.from_json(json.loads(rt.store.get(record)))
    found = [o for o in rt.store.list(kunci_masuk) if o.key == kunci_masuk]
    if not found:
        raise BukanHak("Berkas unggahan langsung tidak ditemukan di kotak masuk Anda. Unggah lagi dari Kirim data.")
    when = found[0].last_modified.astimezone(UTC)
    k = Kiriman(ident, op.username, parsed.pengirim, parsed.dataset, parsed.berkas.split("-", 1)[-1], "",
                found[0].size, when.isoformat(), "", 0, 0, 0, 0, kunci_masuk, kunci_masuk, cara="langsung")
    rt.store.put(record, feedback.dumps(asdict(k)).encode())
    return k


def kunci_langsung(rt: Runtime, op: Operator, dataset: str, nama_berkas: str, now: datetime | None = None) -> str:
    """The one inbox key a presigned upload of the operator's agency may write (made here, not by the browser)."""
    from .storage import layout

    senders = op.pengirim(rt)
    pengirim = senders[0].kode if senders else ""
    op.boleh(rt, dataset, pengirim)
    when = now or datetime.now(UTC)
    return layout.inbox_key(rt.tahun, dataset, pengirim, f"{layout.stamp(when)}-{layout.safe_name(nama_berkas)}")


def kiriman_saya(rt: Runtime, op: Operator) -> list[Hasil]:
    """Every file this operator's senders sent through the page, newest first, with the gate's final verdict."""

    keys = [o.key for prefix in op.prefixes(rt.tahun) for o in rt.store.list(prefix)
            if o.key.endswith(".json") and o.key.count("/") == 3]
    records = [Kiriman.from_json(json.loads(raw)) for raw in get_many(rt.store, keys)]
    registry = _registry(rt, op)
    out: list[Hasil] = []
    for k in records:
        row = registry.get(k.kunci_masuk or "")
        if k.kunci_masuk is None:
            out.append(Hasil(k, TIDAK_DIKIRIM, None, None))
        elif row is None:
            out.append(Hasil(k, MENUNGGU, None, None))
        else:
            out.append(Hasil(k, row.status, int(row.baris_diterima), row.kunci_arsip))
    return _replacements(sorted(out, key=lambda h: (datetime.fromisoformat(h.kiriman.dikirim_pada), h.kiriman.id),
                                reverse=True))


def _registry(rt: Runtime, op: Operator) -> dict[str, FileRecord]:
    """The gate's registry rows of the operator's senders, by inbox key."""
    wh = rt.warehouse
    rows = wh.submissions_of_sender(rt.tahun, op.kode) if op.opd else wh.submissions_from(rt.tahun, op.kode)
    return {r.kunci_masuk: r for r in rows}


def _replacements(hasil: list[Hasil]) -> list[Hasil]:
    """Newest first: a queued file replaces the earlier queued files of the same sender and dataset."""
    newest: dict[tuple[str, str], str] = {}
    out = []
    for h in hasil:
        k = h.kiriman
        if k.kunci_masuk is None:
            out.append(h)
            continue
        slot = (k.pengirim, k.dataset)
        later = newest.get(slot)
        newest[slot] = k.id
        out.append(Hasil(k, h.status_akhir, h.baris_tersimpan, h.kunci_arsip, diganti_oleh=later))
    replaced = {h.diganti_oleh: h.kiriman.id for h in out if h.diganti_oleh}
    return [Hasil(h.kiriman, h.status_akhir, h.baris_tersimpan, h.kunci_arsip, h.diganti_oleh,
                  replaced.get(h.kiriman.id)) for h in out]


def satu(rt: Runtime, op: Operator, pengirim: str, ident: str) -> Hasil | None:
    """One submission of this operator's, or None (another desa's id is simply not found)."""
    if pengirim not in {p.kode for p in op.pengirim(rt)}:
        return None
    for h in kiriman_saya(rt, op):
        if h.kiriman.pengirim == pengirim and h.kiriman.id == ident:
            return h
    return None


@dataclass(frozen=True)
class StatusPengirim:
    """One sender's standing per dataset: the gate's newest verdict, a file waiting, or nothing yet."""

    pengirim: Pengirim
    status: dict[str, str]  # dataset -> a key of STATUS_AKHIR, or "belum"

    @property
    def belum(self) -> list[str]:
        return [d for d, s in self.status.items() if s in (BELUM, DITOLAK, TIDAK_DIKIRIM)]


def status_pengirim(rt: Runtime, op: Operator, hasil: list[Hasil]) -> list[StatusPengirim]:
    """What each of the operator's desa (or its agency) has delivered, is waiting for, or still owes."""
    datasets = op.datasets(rt.daftar)
    gated: dict[tuple[str, str], str] = {}
    if op.opd:  # one query: the agency's files, newest first; its standing is its newest file's
        for r in rt.warehouse.submissions_of_sender(rt.tahun, op.kode):
            gated.setdefault((op.kode, r.dataset), r.status)
    else:
        for ds in datasets:
            for d in rt.warehouse.desa_status(rt.tahun, ds, True, op.kode):
                gated[(d.kode_desa, ds)] = d.status
    waiting = {(h.kiriman.pengirim, h.kiriman.dataset) for h in hasil if h.status_akhir == MENUNGGU and not h.diganti_oleh}
    out = []
    for p in op.pengirim(rt):
        status = {}
        for ds in datasets:
            status[ds] = MENUNGGU if (p.kode, ds) in waiting else gated.get((p.kode, ds), BELUM)
        out.append(StatusPengirim(p, status))
    return out


@dataclass(frozen=True)
class DataTersimpan:
    """The rows the warehouse holds for the operator's desa: what the cycle will use."""

    dataset: str
    kolom: list[str]
    baris: list[list[Any]] = field(default_factory=list)


def data_tersimpan(rt: Runtime, op: Operator) -> list[DataTersimpan]:
    """Each dataset's stored rows inside the operator's area (a desa: one row; a kecamatan: its desa)."""
    if op.opd:
        return []
    out = []
    for ds in op.datasets(rt.daftar):
        frame = rt.warehouse.rows_inside(ds, rt.tahun, op.kode)
        spec = get_dataset(ds)
        cols = [c for c in spec.columns if c in frame.columns and c != "tahun"]
        rows = [[None if _missing(v) else v for v in row] for row in frame[cols].itertuples(index=False)]
        out.append(DataTersimpan(ds, cols, rows))
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def hari_tersisa(daftar: DaftarData, now: datetime) -> int:
    """Whole days until the Daftar Data's deadline (negative once it has passed)."""
    return (daftar.batas_akhir - now).days


def laporan(rt: Runtime, h: Hasil, fmt: str) -> bytes | None:
    """The pre-check's report of a page submission, or the gate's own once it judged the file."""
    from .storage import layout

    k = h.kiriman
    if h.kunci_arsip:
        return rt.store.get(layout.report_key(h.kunci_arsip, fmt))
    if k.cara == "langsung":
        return None
    return rt.store.get(layout.submitted_report(rt.tahun, k.pengirim, k.id, fmt))
