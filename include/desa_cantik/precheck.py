"""The operator's offline pre-check: the gate's own code on one file, without warehouse or servers.

Rules that need the warehouse (previous year, BPS reference, other datasets) are skipped and the report
says so. The report is the same text the gate stores beside the submission.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from .config import BatasBerkas, DaftarData, Settings
from .datasets import get_dataset
from .intake import MB, Provenance, read_submission
from .quality import GateContext, Verdict, validate_batch
from .regions import desa_table, get_region, normalise_code


def _infer_region(codes: list[str]) -> str | None:
    """The kabupaten most rows name: an offline check has no operator account to tell it."""
    kab = Counter(c[:5] for c in codes if isinstance(c, str) and get_region(c[:5]))
    return kab.most_common(1)[0][0] if kab else None


def _daftar() -> DaftarData:
    return DaftarData.load(Settings.from_env().daftar_data)


def read_limited(path: Path, batas: BatasBerkas | None = None) -> bytes:
    """The file's bytes, but never more than one byte past the size limit: a huge file is refused unread."""
    limit = int((batas or _daftar().batas).ukuran_mb * MB)
    with Path(path).open("rb") as f:
        return f.read(limit + 1)


def precheck(data: bytes, name: str, dataset: str, tahun: int | None = None, region: str | None = None) -> Verdict:
    """The gate's verdict on one file; the file's problems are in the verdict, never raised."""
    spec = get_dataset(dataset)
    daftar = _daftar()
    tahun = tahun or daftar.tahun
    prov = Provenance.of(data, name, datetime.now(UTC))
    sub = read_submission(data, spec, prov, tahun, daftar.batas)
    codes = sub.table["kode_desa"].dropna().tolist() if "kode_desa" in sub.table else []
    sender = normalise_code(region) if region else None
    area = sender[:5] if sender else _infer_region(codes)
    master = desa_table(area)["kode_desa"].tolist() if area else []
    ctx = GateContext(tahun, master, daftar.kode_opd(area or ""), references=None)
    return validate_batch([sub], ctx, [sender or area or ""])[0]
