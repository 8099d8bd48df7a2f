"""Kotak keluar: the notifications (``kabar``): the outbox, the log of every delivery attempt, and the opt-outs.

``kotak_keluar`` holds one row per (event, recipient), unique, written in the same transaction as what it announces
(a file's verdict: ``storage.writes.store_checked``), so a retried task queues nothing twice and a crashed one
queues nothing. ``log_kabar`` records each attempt (who, what, when, channel, result); ``kabar_berhenti`` the
accounts that asked for no more non-essential notifications. Frozen here: a later change is a new revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHORT = sa.String(32)  # ISO-8601 times, kinds, statuses, channels


def _texts(*names: str, nullable: bool = False) -> list[sa.Column[str]]:
    return [sa.Column(n, sa.Text, nullable=nullable) for n in names]


def upgrade() -> None:
    op.create_table(
        "kotak_keluar",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_texts("peristiwa", "penerima"),
        sa.Column("jenis", _SHORT, nullable=False),
        *_texts("subjek", "isi", "tautan", "ringkas"),
        sa.Column("penting", sa.Boolean, nullable=False),
        sa.Column("jam_tenang", sa.Boolean, nullable=False),
        sa.Column("dibuat_pada", _SHORT, nullable=False),
        sa.Column("kirim_setelah", _SHORT, nullable=False),
        sa.Column("percobaan", sa.Integer, nullable=False),
        sa.Column("status", _SHORT, nullable=False),
        sa.Column("keterangan", sa.Text),
        sa.UniqueConstraint("peristiwa", "penerima", name="uq_kotak_keluar_peristiwa_penerima"),
    )
    op.create_index("ix_kotak_keluar_status_kirim_setelah", "kotak_keluar", ["status", "kirim_setelah"])
    op.create_table(
        "log_kabar",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kotak_id", sa.Integer, nullable=False),
        sa.Column("jenis", _SHORT, nullable=False),
        *_texts("penerima", "akun"),
        sa.Column("kanal", _SHORT, nullable=False),
        *_texts("alamat", "subjek"),
        sa.Column("waktu", _SHORT, nullable=False),
        sa.Column("hasil", _SHORT, nullable=False),
        sa.Column("keterangan", sa.Text),
        sa.Column("digabung", sa.Integer, nullable=False),
    )
    op.create_index("ix_log_kabar_kotak_id", "log_kabar", ["kotak_id"])
    op.create_index("ix_log_kabar_waktu", "log_kabar", ["waktu"])
    op.create_table(
        "kabar_berhenti",
        sa.Column("akun", sa.Text, primary_key=True),
        sa.Column("jenis", _SHORT, primary_key=True),
        sa.Column("sejak", _SHORT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kabar_berhenti")
    op.drop_index("ix_log_kabar_waktu", "log_kabar")
    op.drop_index("ix_log_kabar_kotak_id", "log_kabar")
    op.drop_table("log_kabar")
    op.drop_index("ix_kotak_keluar_status_kirim_setelah", "kotak_keluar")
    op.drop_table("kotak_keluar")
