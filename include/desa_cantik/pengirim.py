"""Who may send what, decided once: the Daftar Data's producers, as the gate, the inbox, Kirim data, the
pre-check, the summary and the inbox write policies ask it.

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
from typing import TYPE_CHECKING, Any, Protocol

from .datasets import get_dataset
from .kosakata import BPS, BPS_SENDER, OPD, PEMERINTAH_DESA, cut, is_desa, level_of, per_desa, within
from .regions import normalise_code
from .storage import layout

if TYPE_CHECKING:
    from .config import DaftarData

AGENCY_BATCH = "opd-bps"  # the one gate batch of agency and BPS files (a desa's files go in its kecamatan's)


class Lingkup(Protocol):
    """Where a rule is asked: a Daftar Data and the tier's region (``Runtime`` is one, ``Luring`` another)."""

    @property
    def daftar(self) -> DaftarData: ...

    @property
    def wilayah(self) -> str: ...


@dataclass(frozen=True)
class Luring:
    """The pre-check's ``Lingkup`` without a server: the Daftar Data and the sender's own kabupaten/kota."""

    daftar: DaftarData
    wilayah: str


@dataclass(frozen=True)
class Pengirim:
    """One sender of a tier and the datasets it may send."""

    kode: str  # kode desa, kode OPD ({kab}-{singkatan}) or BPS
    jenis: str  # kosakata.PRODUSEN
    datasets: tuple[str, ...]
    nama: str = ""  # as people read it (the desa's name, the agency's short name); "" where no page shows it


def produsen(dataset: str) -> str:
    """Who produces a dataset, per the standard (``kosakata.PRODUSEN``)."""
    return get_dataset(dataset).produsen


def kabupaten_of(kode: str) -> str:
    """The kabupaten/kota code a sender code starts with (``35.07`` of a desa or of ``35.07-DINKES``), else ""."""
    kab = cut(kode, "kabupaten")
    return kab if level_of(kab) == "kabupaten" else ""


def datasets_for(daftar: DaftarData, jenis: str, kode: str = "") -> list[str]:
    """The Daftar Data's datasets a sender of this kind produces (an agency: those naming its code)."""
    if jenis == OPD:
        return [d for d in daftar.datasets if kode.upper() in daftar.pengirim_opd(d, cut(kode, "kabupaten"))]
    return [d for d in daftar.datasets if produsen(d) == jenis]


def sender_problem(at: Lingkup, dataset: str, pengirim: str) -> str | None:
    """Why this sender may not submit this dataset here (None: allowed), per the Daftar Data's producers."""
    daftar, wilayah = at.daftar, at.wilayah
    if dataset not in daftar.datasets:
        return (f"Dataset '{dataset}' tidak ada di Daftar Data tahun {daftar.tahun}. Kirim ke folder dataset yang benar: "
                + ", ".join(daftar.datasets) + ".")
    producer = produsen(dataset)
    if per_desa(producer):
        kode = normalise_code(pengirim)
        if not is_desa(kode) or not within(str(kode), wilayah):
            return f"Pengirim '{pengirim}' bukan desa/kelurahan di wilayah {wilayah}."
    elif producer == OPD:
        allowed = daftar.pengirim_opd(dataset, cut(wilayah, "kabupaten"))
        if pengirim.upper() not in allowed:
            return (f"Pengirim '{pengirim}' bukan produsen dataset {dataset} menurut Daftar Data "
                    f"(yang berhak: {', '.join(allowed)}).")
    elif producer == BPS and pengirim.upper() != BPS_SENDER:
        return f"Dataset {dataset} hanya dikirim oleh BPS, bukan '{pengirim}'."
    return None


def sender_region(at: Lingkup, dataset: str, pengirim: str) -> str:
    """The area a sender's rows must lie in: its own desa for a village operator, the tier's region otherwise."""
    if dataset in at.daftar.datasets and per_desa(produsen(dataset)):
        return normalise_code(pengirim) or pengirim
    return at.wilayah


def batch_of(pengirim: str) -> str:
    """The gate batch of a sender's files: a desa's kecamatan code; agencies and BPS share one batch."""
    kode = normalise_code(pengirim)
    return cut(kode, "kecamatan") if kode and is_desa(kode) else AGENCY_BATCH


def expected_senders(at: Lingkup) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Who the Daftar Data expects a file from at a kabupaten/kota: every desa for a desa dataset (``each``), one
    producer for the others (``any_of``)."""
    from .regions import desa_table

    each: dict[str, list[str]] = {}
    any_of: dict[str, list[str]] = {}
    for ds in at.daftar.datasets:
        producer = produsen(ds)
        if per_desa(producer):
            each[ds] = desa_table(at.wilayah)["kode_desa"].tolist()
        elif producer == OPD:
            any_of[ds] = at.daftar.pengirim_opd(ds, cut(at.wilayah, "kabupaten"))
        else:
            any_of[ds] = [BPS_SENDER]
    return each, any_of


def senders(daftar: DaftarData, kode_wilayah: str) -> list[Pengirim]:
    """Every sender of a kabupaten/kota tier and the datasets each may send, from the Daftar Data."""
    from .regions import desa_table

    village = tuple(datasets_for(daftar, PEMERINTAH_DESA))
    out = [Pengirim(k, PEMERINTAH_DESA, village) for k in desa_table(kode_wilayah)["kode_desa"]]
    agencies: dict[str, list[str]] = {}
    for ds in (d for d in daftar.datasets if produsen(d) == OPD):
        for kode in daftar.pengirim_opd(ds, cut(kode_wilayah, "kabupaten")):
            agencies.setdefault(kode, []).append(ds)
    out += [Pengirim(k, OPD, tuple(v)) for k, v in sorted(agencies.items())]
    out.append(Pengirim(BPS_SENDER, BPS, tuple(datasets_for(daftar, BPS))))
    return [s for s in out if s.datasets]


def desa_senders(daftar: DaftarData, kode_area: str) -> list[Pengirim]:
    """The desa of an area (a desa, a kecamatan) as senders, with their names: a village operator's own."""
    from .regions import desa_table

    village = tuple(datasets_for(daftar, PEMERINTAH_DESA))
    t = desa_table(kode_area)
    return [Pengirim(k, PEMERINTAH_DESA, village, n) for k, n in zip(t["kode_desa"], t["nama_desa"], strict=True)]


def agency_sender(daftar: DaftarData, kode_opd: str) -> Pengirim:
    """An agency (``35.07-DINKES``) as a sender: the datasets the Daftar Data names it for."""
    return Pengirim(kode_opd, OPD, tuple(datasets_for(daftar, OPD, kode_opd)), kode_opd.split("-", 1)[-1])


def inbox_policy(bucket: str, tahun: int, sender: Pengirim) -> dict[str, Any]:
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
