"""The operator's offline pre-check: the gate's own code on one file, without warehouse or servers.

Rules that need the warehouse (previous year, BPS reference, other datasets) are skipped and the report
says so. The report is the same text the gate stores beside the submission.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from .config import DaftarData, Settings
from .datasets import get_dataset
from .intake import Provenance, read_submission
from .quality import GateContext, Verdict, validate_batch
from .regions import desa_table, get_region, normalise_code


def _infer_region(codes: list[str]) -> str | None:
    """The kabupaten most rows name: an offline check has no operator account to tell it."""
    kab = Counter(c[:5] for c in codes if isinstance(c, str) and get_region(c[:5]))
    return kab.most_common(1)[0][0] if kab else None


def precheck(data: bytes, name: str, dataset: str, tahun: int | None = None, region: str | None = None) -> Verdict:
    spec = get_dataset(dataset)
    daftar = DaftarData.load(Settings.from_env().daftar_data)
    tahun = tahun or daftar.tahun
    prov = Provenance.of(data, name, datetime.now(UTC))
    sub = read_submission(data, spec, prov, tahun)
    codes = sub.table["kode_desa"].dropna().tolist() if "kode_desa" in sub.table else []
    sender = normalise_code(region) if region else None
    area = sender[:5] if sender else _infer_region(codes)
    master = desa_table(area)["kode_desa"].tolist() if area else []
    ctx = GateContext(tahun, master, daftar.kode_opd(area or ""), references=None)
    return validate_batch([sub], ctx, [sender or area or ""])[0]
