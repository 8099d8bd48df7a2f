"""The warehouse's schema: its table names and one SQLAlchemy ``MetaData`` (PostgreSQL or SQLite)."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa

from ..datasets import COUNT, all_datasets

SUBMISSIONS = "berkas_masuk"  # the gate's registry of checked files (a bundle's frame of the same name)
QUARANTINE = "karantina_baris"
ISSUES = "isu_validasi"
SUMMARY = "ringkasan_validasi"
INDICATORS = "indikator"
COMPONENTS = "komponen_indikator"
DELIVERIES = "pengiriman_paket"
OUTBOX = "kotak_keluar"  # notifications to send, one per (event, recipient): written with what they announce
SENT_LOG = "log_kabar"  # every attempt to deliver one (who, what, when, channel, result)
OPT_OUT = "kabar_berhenti"  # accounts that asked for no more non-essential notifications
# who was told what and when: the deployment's own activity, not the cycle's data (a fingerprint of the data
# leaves them out, a backup keeps them)
ACTIVITY = (OUTBOX, SENT_LOG, OPT_OUT)


def data_table(dataset: str) -> str:
    return f"data_{dataset}"


@cache
def metadata() -> sa.MetaData:
    """The warehouse's tables, one object for the process. Text wherever a sender's input can reach (names, keys,
    values): no width can fail a load; fixed-width only for values the cycle itself makes (codes it normalised, hashes, times)."""
    md = sa.MetaData()
    sa.Table(
        SUBMISSIONS, md,
        sa.Column("kunci_masuk", sa.Text, primary_key=True),
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("pengirim", sa.Text, nullable=False),
        sa.Column("kunci_arsip", sa.Text, nullable=False),
        sa.Column("nama_berkas", sa.Text, nullable=False),
        sa.Column("ukuran", sa.BigInteger, nullable=False),
        sa.Column("diterima_pada", sa.String(32), nullable=False),  # ISO-8601 UTC, sorts as text
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("baris_dibaca", sa.Integer, nullable=False),
        sa.Column("baris_diterima", sa.Integer, nullable=False),
        sa.Column("baris_ditolak", sa.Integer, nullable=False),
        sa.Column("kunci_laporan", sa.Text),
        sa.Column("run_id", sa.Text),
    )
    specs = all_datasets()
    for ds in specs.values():
        cols: list[sa.Column[Any]] = []
        for c in ds.all_columns():
            if c.nama == "kode_desa":
                cols.append(sa.Column("kode_desa", sa.String(13), primary_key=True))
            elif c.nama == "tahun":
                cols.append(sa.Column("tahun", sa.Integer, primary_key=True))
            elif c.tipe == COUNT:
                cols.append(sa.Column(c.nama, sa.BigInteger, nullable=False))
            else:
                cols.append(sa.Column(c.nama, sa.Text, nullable=False))
        cols += [sa.Column("sha256_berkas", sa.Text, nullable=False),
                 sa.Column("baris_berkas", sa.Integer, nullable=False),
                 sa.Column("diterima_pada", sa.String(32), nullable=False)]
        sa.Table(data_table(ds.nama), md, *cols)
    sa.Table(
        QUARANTINE, md,
        sa.Column("sha256_berkas", sa.Text, primary_key=True),
        sa.Column("baris", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("kode_desa", sa.Text),
        sa.Column("isi", sa.Text, nullable=False),  # the row as read, JSON
        sa.Column("alasan", sa.Text, nullable=False),
    )
    sa.Table(
        ISSUES, md,
        sa.Column("sha256_berkas", sa.Text, nullable=False, index=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("pengirim", sa.Text, nullable=False),
        sa.Column("baris", sa.Integer),
        sa.Column("kolom", sa.Text),
        sa.Column("aturan", sa.String(32), nullable=False),
        sa.Column("keparahan", sa.Text, nullable=False),
        sa.Column("tingkat", sa.Integer),
        sa.Column("pesan", sa.Text, nullable=False),
        sa.Column("nilai", sa.Text),
        sa.Column("diharapkan", sa.Text),
    )
    sa.Table(
        SUMMARY, md,
        sa.Column("run_id", sa.Text, nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("kode_desa", sa.Text),
        sa.Column("aturan", sa.String(32), nullable=False),
        sa.Column("keparahan", sa.Text, nullable=False),
        sa.Column("tingkat", sa.Integer),
        sa.Column("jumlah", sa.Integer, nullable=False),
        sa.Column("sha256_berkas", sa.Text, nullable=False, index=True),
    )
    sa.Table(
        INDICATORS, md,
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("tingkat", sa.Text, primary_key=True),
        sa.Column("kode_wilayah", sa.String(13), primary_key=True),
        sa.Column("indikator", sa.Text, primary_key=True),
        sa.Column("nama_wilayah", sa.Text, nullable=False),
        sa.Column("nilai", sa.Float),
        sa.Column("satuan", sa.String(32), nullable=False),
        sa.Column("desa_kontribusi", sa.Integer, nullable=False),
        sa.Column("desa_total", sa.Integer, nullable=False),
    )
    sa.Table(
        COMPONENTS, md,  # per desa: the sums an indicator is made of, so upper tiers can re-aggregate
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("kode_desa", sa.String(13), primary_key=True),
        sa.Column("indikator", sa.Text, primary_key=True),
        sa.Column("pembilang", sa.Float, nullable=False),
        sa.Column("penyebut", sa.Float, nullable=False),
        sa.Column("sumber", sa.Text, nullable=False),  # the tier (or own gate) the row came from
        sa.Column("versi", sa.Text, nullable=False),
    )
    sa.Table(
        DELIVERIES, md,
        sa.Column("tahun", sa.Integer, primary_key=True),
        sa.Column("kode_pengirim", sa.Text, primary_key=True),
        sa.Column("versi", sa.Text, primary_key=True),  # the folder name a child chose
        sa.Column("diterima_pada", sa.String(32), nullable=False),
        sa.Column("status", sa.Text, nullable=False),  # diterima | ditolak
        sa.Column("alasan", sa.Text),
        sa.Column("kunci_arsip", sa.Text, nullable=False),
        sa.Column("baris_komponen", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Text),
    )
    _notifications(md)
    return md


def _notifications(md: sa.MetaData) -> None:
    """The notification tables (``kabar``), revision 0002: times are ISO-8601 UTC text, as everywhere here."""
    sa.Table(
        OUTBOX, md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("peristiwa", sa.Text, nullable=False),  # the event's key: the same event is queued once
        sa.Column("penerima", sa.Text, nullable=False),  # pengirim:{kode} or peran:{kunci}
        sa.Column("jenis", sa.String(32), nullable=False),  # the event's kind (config/kabar.yaml)
        sa.Column("subjek", sa.Text, nullable=False),
        sa.Column("isi", sa.Text, nullable=False),
        sa.Column("tautan", sa.Text, nullable=False),
        sa.Column("ringkas", sa.Text, nullable=False),  # its one line in a digest
        sa.Column("penting", sa.Boolean, nullable=False),  # essential: sent whatever the account opted out of
        sa.Column("jam_tenang", sa.Boolean, nullable=False),  # held through the tier's quiet hours
        sa.Column("dibuat_pada", sa.String(32), nullable=False),
        sa.Column("kirim_setelah", sa.String(32), nullable=False),  # not before (quiet hours, backoff, limits)
        sa.Column("percobaan", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),  # menunggu | terkirim | gagal | dilewati
        sa.Column("keterangan", sa.Text),
        sa.UniqueConstraint("peristiwa", "penerima", name="uq_kotak_keluar_peristiwa_penerima"),
        sa.Index("ix_kotak_keluar_status_kirim_setelah", "status", "kirim_setelah"),
    )
    sa.Table(
        SENT_LOG, md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kotak_id", sa.Integer, nullable=False, index=True),
        sa.Column("jenis", sa.String(32), nullable=False),
        sa.Column("penerima", sa.Text, nullable=False),
        sa.Column("akun", sa.Text, nullable=False),  # the account's username
        sa.Column("kanal", sa.String(32), nullable=False),
        sa.Column("alamat", sa.Text, nullable=False),  # masked (tu***@demo...): the log page shows it
        sa.Column("subjek", sa.Text, nullable=False),
        sa.Column("waktu", sa.String(32), nullable=False, index=True),
        sa.Column("hasil", sa.String(32), nullable=False),  # terkirim | gagal | dilewati
        sa.Column("keterangan", sa.Text),
        sa.Column("digabung", sa.Integer, nullable=False),  # messages in the one sent (a digest: more than 1)
    )
    sa.Table(
        OPT_OUT, md,
        sa.Column("akun", sa.Text, primary_key=True),
        sa.Column("jenis", sa.String(32), primary_key=True),  # an event kind, or * for every non-essential one
        sa.Column("sejak", sa.String(32), nullable=False),
    )
