"""The operator's pre-check: the gate's own code on one or many files, before anything is queued.

Two callers, one function (``precheck_many``), so they give the same report: the command line (offline:
rules that need the warehouse, previous year, BPS reference, other datasets, are skipped and the report
says so) and the tier's *Kirim data* page (the warehouse's references passed in, so levels 2–4 run where
it holds them). Files of one dataset are judged in one GX run, each on its own rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import BatasBerkas, DaftarData, Settings
from .datasets import get_dataset
from .intake import Provenance, Submission, read_submission
from .isolation import internal_error
from .kosakata import cut
from .quality import GateContext, Verdict, validate_batch
from .regions import desa_table, get_region, normalise_code

if TYPE_CHECKING:
    import pandas as pd

# GX narrates its import and runs at INFO (hundreds of lines); the operator's report is what matters here
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Berkas:
    """One file to pre-check: its bytes and the name its sender gave it."""

    data: bytes
    nama: str


@dataclass(frozen=True)
class Wilayah:
    """Where a file's rows must lie, and whether that was told (``--region``, the operator's account) or guessed."""

    kode: str  # a desa code for a desa's file, a kabupaten (or the tier's region) for an agency's
    ditebak: bool  # inferred from the file's own codes: the note tells the operator to pass --region


def _infer_region(codes: list[str]) -> str | None:
    """The kabupaten most rows name: an offline check has no operator account to tell it."""
    kab = Counter(cut(c, "kabupaten") for c in codes if isinstance(c, str) and get_region(cut(c, "kabupaten")))
    return kab.most_common(1)[0][0] if kab else None


def _daftar() -> DaftarData:
    return DaftarData.load(Settings.from_env().daftar_data)


def read_limited(path: Path, batas: BatasBerkas | None = None) -> bytes:
    """The file's bytes, but never more than one byte past the size limit: a huge file is refused unread."""
    limit = (batas or _daftar().batas).ukuran_bait
    with Path(path).open("rb") as f:
        return f.read(limit + 1)


def sender_of(sub: Submission, region: str | None) -> Wilayah | None:
    """The area a file's rows are checked against: the one given, else the kabupaten its rows name."""
    if region:
        kode = normalise_code(region)
        return Wilayah(kode or region, False)
    codes = sub.table["kode_desa"].dropna().tolist() if "kode_desa" in sub.table else []
    guessed = _infer_region(codes)
    return Wilayah(guessed, True) if guessed else None


def _read(berkas: Berkas, spec_name: str, tahun: int, daftar: DaftarData, received: datetime,
          refusal: str | None = None) -> Submission:
    """A file as a submission; a reader bug becomes that file's reason, never another file's failure. A file its
    sender may not send (``refusal``, the gate's ``pengirim.sender_problem``) is refused unread, as at the gate."""
    spec = get_dataset(spec_name)
    prov = Provenance.of(berkas.data, berkas.nama, received)
    if refusal:
        return Submission.unreadable(spec, prov, refusal)
    try:
        return read_submission(berkas.data, spec, prov, tahun, daftar.batas)
    except Exception as exc:
        return Submission.unreadable(spec, prov, internal_error(exc))


def precheck_many(files: Sequence[Berkas], dataset: str, tahun: int | None = None, region: str | None = None,
                  references: dict[str, pd.DataFrame] | None = None, daftar: DaftarData | None = None,
                  received: datetime | None = None, pengirim: str | None = None) -> list[tuple[Verdict, Wilayah | None]]:
    """The gate's verdict on each file, with the area it was checked against; problems are in the verdicts.

    Files go through GX together, one run per kabupaten (one in all when ``region`` is given), whatever the
    number of files, so a warm process answers in a fraction of a second per file.
    """
    return precheck_each(files, dataset, [region] * len(files), tahun, references, daftar, received,
                         pengirim=[pengirim] * len(files))


def precheck_each(files: Sequence[Berkas], dataset: str, regions: Sequence[str | None], tahun: int | None = None,
                  references: dict[str, pd.DataFrame] | None = None, daftar: DaftarData | None = None,
                  received: datetime | Sequence[datetime] | None = None,
                  refusals: Sequence[str | None] | None = None,
                  pengirim: Sequence[str | None] | None = None) -> list[tuple[Verdict, Wilayah | None]]:
    """``precheck_many`` with an area per file (None: guessed from its codes), as the gate has a sender per file.

    A folder of several desa's files (``{dataset}/{pengirim}/…``) is one GX run per kabupaten, each file's rows
    checked against its own sender, as the gate batches a kecamatan with one sender per file. ``refusals``: per file,
    why its sender may not send it (None: may), as the gate refuses it. ``received``: one time for all, or one per
    file (the page's uploads checked together, each arrived at its own time).
    """
    if len(regions) != len(files):
        raise ValueError(f"{len(files)} berkas tetapi {len(regions)} wilayah")
    daftar = daftar or _daftar()
    tahun = tahun or daftar.tahun
    when = received or datetime.now(UTC)
    whens = [when] * len(files) if isinstance(when, datetime) else list(when)
    why = list(refusals) if refusals is not None else [None] * len(files)
    subs = [_read(f, dataset, tahun, daftar, w, r) for f, w, r in zip(files, whens, why, strict=True)]
    areas = [sender_of(s, r) for s, r in zip(subs, regions, strict=True)]
    by_kab: dict[str, list[int]] = {}
    for i, area in enumerate(areas):
        by_kab.setdefault(cut(area.kode, "kabupaten") if area else "", []).append(i)
    verdicts: dict[int, Verdict] = {}
    for kab, idx in by_kab.items():
        master = desa_table(kab)["kode_desa"].tolist() if kab and get_region(kab) else []
        ctx = GateContext(tahun, master, daftar.kode_opd(kab), references)
        senders = [a.kode if (a := areas[i]) else "" for i in idx]
        codes = [pengirim[i] for i in idx] if pengirim is not None else []
        for i, v in zip(idx, validate_batch([subs[i] for i in idx], ctx, senders, kode_pengirim=codes), strict=True):
            v.issues = v.submission.named(v.issues)  # a row past the first sheet read: its sheet and row
            verdicts[i] = v
    return [(verdicts[i], areas[i]) for i in range(len(files))]


def precheck(data: bytes, name: str, dataset: str, tahun: int | None = None, region: str | None = None,
             daftar: DaftarData | None = None, pengirim: str | None = None) -> Verdict:
    """The gate's verdict on one file (``precheck_many`` of one)."""
    return precheck_many([Berkas(data, name)], dataset, tahun, region, daftar=daftar, pengirim=pengirim)[0][0]
