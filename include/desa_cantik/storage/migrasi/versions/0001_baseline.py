"""Baseline: the warehouse as every release before migrations made it (e32b6bd, ``create_all`` of ``schema.metadata``).

Frozen here, table by table, the per-dataset tables included: a later change to ``schema.py`` or ``datasets.yaml``
is a new revision, never an edit of this one. ``upgrade`` creates only the tables a warehouse lacks, so a
warehouse made before migrations that misses one (``storage.migrasi`` checks the rest against ``tables()``)
gets it and keeps every row of the others.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = sa.String(13)  # kode_desa, kode_wilayah: codes the cycle normalised
_SHORT = sa.String(32)  # ISO-8601 times, statuses, rule ids, units


def _dataset(md: sa.MetaData, name: str, *columns: sa.Column[Any]) -> None:
    """A ``data_{dataset}`` table: key (kode_desa, tahun), the standard's columns, the row's provenance."""
    sa.Table(f"data_{name}", md,
             sa.Column("kode_desa", _CODE, primary_key=True),
             sa.Column("tahun", sa.Integer, primary_key=True),
             *columns,
             sa.Column("sha256_berkas", sa.Text, nullable=False),
             sa.Column("baris_berkas", sa.Integer, nullable=False),
             sa.Column("diterima_pada", _SHORT, nullable=False))


def _counts(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(n, sa.BigInteger, nullable=False) for n in names]


def _texts(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(n, sa.Text, nullable=False) for n in names]


def tables() -> sa.MetaData:
    """The baseline's tables as a ``MetaData`` (the runner compares a warehouse made before migrations with it)."""
    md = sa.MetaData()
    sa.Table("berkas_masuk", md,
             sa.Column("kunci_masuk", sa.Text, primary_key=True),
             sa.Column("sha256", sa.Text, primary_key=True),
             *_texts("dataset"), sa.Column("tahun", sa.Integer, nullable=False),
             *_texts("pengirim", "kunci_arsip", "nama_berkas"),
             sa.Column("ukuran", sa.BigInteger, nullable=False),
             sa.Column("diterima_pada", _SHORT, nullable=False),
             sa.Column("status", _SHORT, nullable=False),
             *(sa.Column(n, sa.Integer, nullable=False) for n in ("baris_dibaca", "baris_diterima", "baris_ditolak")),
             sa.Column("kunci_laporan", sa.Text),
             sa.Column("run_id", sa.Text))
    _dataset(md, "proyeksi_penduduk", *_counts("proyeksi_penduduk"))
    _dataset(md, "kependudukan", *_counts("penduduk_laki", "penduduk_perempuan", "jumlah_penduduk", "jumlah_kk",
                                          "kelahiran", "kematian", "penduduk_datang", "penduduk_pindah"))
    _dataset(md, "fasilitas", *_counts("jumlah_sd", "jumlah_smp", "jumlah_sma", "jumlah_puskesmas", "jumlah_pustu",
                                       "jumlah_posyandu", "jumlah_pasar"),
             *_texts("sumber_penerangan", "jenis_permukaan_jalan", "sinyal_internet"))
    _dataset(md, "kesehatan_anak", *_texts("kode_opd"),
             *_counts("jumlah_balita", "balita_ditimbang", "balita_stunting", "jumlah_ibu_hamil"))
    sa.Table("karantina_baris", md,
             sa.Column("sha256_berkas", sa.Text, primary_key=True),
             sa.Column("baris", sa.Integer, primary_key=True),
             *_texts("dataset"), sa.Column("tahun", sa.Integer, nullable=False),
             sa.Column("kode_desa", sa.Text),
             *_texts("isi", "alasan"))
    sa.Table("isu_validasi", md,
             sa.Column("sha256_berkas", sa.Text, nullable=False, index=True),
             *_texts("dataset"), sa.Column("tahun", sa.Integer, nullable=False), *_texts("pengirim"),
             sa.Column("baris", sa.Integer), sa.Column("kolom", sa.Text),
             sa.Column("aturan", _SHORT, nullable=False), *_texts("keparahan"),
             sa.Column("tingkat", sa.Integer), *_texts("pesan"),
             sa.Column("nilai", sa.Text), sa.Column("diharapkan", sa.Text))
    sa.Table("ringkasan_validasi", md,
             *_texts("run_id", "dataset"), sa.Column("tahun", sa.Integer, nullable=False),
             sa.Column("kode_desa", sa.Text),
             sa.Column("aturan", _SHORT, nullable=False), *_texts("keparahan"),
             sa.Column("tingkat", sa.Integer), sa.Column("jumlah", sa.Integer, nullable=False),
             sa.Column("sha256_berkas", sa.Text, nullable=False, index=True))
    sa.Table("indikator", md,
             sa.Column("tahun", sa.Integer, primary_key=True),
             sa.Column("tingkat", sa.Text, primary_key=True),
             sa.Column("kode_wilayah", _CODE, primary_key=True),
             sa.Column("indikator", sa.Text, primary_key=True),
             *_texts("nama_wilayah"), sa.Column("nilai", sa.Float),
             sa.Column("satuan", _SHORT, nullable=False),
             *(sa.Column(n, sa.Integer, nullable=False) for n in ("desa_kontribusi", "desa_total")))
    sa.Table("komponen_indikator", md,
             sa.Column("tahun", sa.Integer, primary_key=True),
             sa.Column("kode_desa", _CODE, primary_key=True),
             sa.Column("indikator", sa.Text, primary_key=True),
             *(sa.Column(n, sa.Float, nullable=False) for n in ("pembilang", "penyebut")),
             *_texts("sumber", "versi"))
    sa.Table("pengiriman_paket", md,
             sa.Column("tahun", sa.Integer, primary_key=True),
             sa.Column("kode_pengirim", sa.Text, primary_key=True),
             sa.Column("versi", sa.Text, primary_key=True),
             sa.Column("diterima_pada", _SHORT, nullable=False),
             *_texts("status"), sa.Column("alasan", sa.Text), *_texts("kunci_arsip"),
             sa.Column("baris_komponen", sa.Integer, nullable=False),
             sa.Column("run_id", sa.Text))
    return md


def upgrade() -> None:
    """Every baseline table the warehouse lacks, with its key and indexes (a fresh warehouse: all of them)."""
    tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    tables().drop_all(op.get_bind(), checkfirst=True)
