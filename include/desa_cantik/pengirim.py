"""Who may send what: a tier's senders and the inbox write policy of each.

The gate reads the sender from the inbox folder (``masuk/{tahun}/{dataset}/{pengirim}/``); that is only
an identity if nobody but that sender can write there. Each sender therefore gets credentials whose
policy allows ``PutObject`` under its own folders, for the datasets the Daftar Data says it produces, and
nothing else (no reads, no lists, no other folder). The documents use the S3/IAM policy grammar that
MinIO (``mc admin policy create``) and S3 both take. Operators who upload through the tier's pages get a
presigned URL scoped to one key instead (``inbox.upload_url``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import DaftarData
from .datasets import get_dataset
from .regions import desa_table
from .storage import layout


@dataclass(frozen=True)
class Sender:
    kode: str  # kode desa, kode OPD ({kab}-{singkatan}) or BPS
    jenis: str  # pemerintah_desa | opd | bps
    datasets: tuple[str, ...]


def senders(daftar: DaftarData, kode_wilayah: str) -> list[Sender]:
    """Every sender of a kabupaten/kota tier and the datasets each may send, from the Daftar Data."""
    by_kind: dict[str, list[str]] = {}
    for ds in daftar.datasets:
        by_kind.setdefault(get_dataset(ds).produsen, []).append(ds)
    out = [Sender(k, "pemerintah_desa", tuple(by_kind.get("pemerintah_desa", ())))
           for k in desa_table(kode_wilayah)["kode_desa"]]
    agencies: dict[str, list[str]] = {}
    for ds in by_kind.get("opd", []):
        for kode in daftar.pengirim_opd(ds, kode_wilayah[:5]):
            agencies.setdefault(kode, []).append(ds)
    out += [Sender(k, "opd", tuple(v)) for k, v in sorted(agencies.items())]
    if by_kind.get("bps"):
        out.append(Sender("BPS", "bps", tuple(by_kind["bps"])))
    return [s for s in out if s.datasets]


def inbox_policy(bucket: str, tahun: int, sender: Sender) -> dict[str, Any]:
    """Write-only access to exactly the sender's own inbox folders of this cycle."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "KirimKeKotakMasukSendiri",
        "Effect": "Allow",
        "Action": ["s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/{layout.inbox_key(tahun, ds, sender.kode, '*')}" for ds in sender.datasets],
    }]}


def write_policies(daftar: DaftarData, kode_wilayah: str, bucket: str, out: Path) -> int:
    """One policy document per sender (``{kode}.json``) and ``pengirim.csv`` listing them, for the init job."""
    out.mkdir(parents=True, exist_ok=True)
    rows = ["kode,jenis,dataset,kebijakan"]
    all_senders = senders(daftar, kode_wilayah)
    for s in all_senders:
        name = f"kirim-{s.kode.replace('.', '-').lower()}"
        (out / f"{name}.json").write_text(json.dumps(inbox_policy(bucket, daftar.tahun, s), indent=2) + "\n")
        rows.append(f"{s.kode},{s.jenis},{' '.join(s.datasets)},{name}")
    (out / "pengirim.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(all_senders)
