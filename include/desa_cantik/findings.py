"""One finding about a submission: what the gate tells an operator and records for an auditor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

# The verdict statuses and their labels are kosakata's, the one vocabulary: re-exported for a finding's readers.
from .kosakata import DITERIMA as DITERIMA
from .kosakata import DITERIMA_DENGAN_CATATAN as DITERIMA_DENGAN_CATATAN
from .kosakata import DITOLAK as DITOLAK
from .kosakata import STATUS_LABEL as STATUS_LABEL

ERROR = "error"
WARNING = "warning"
INFO = "info"  # a note: something was normalised or ignored, nothing to fix


class IssueJson(TypedDict):
    """An issue's machine form (keys of the pre-check's --json contract)."""

    row: int | None
    column: str | None
    rule: str
    severity: str
    message: str
    value: str | None
    expected: str | None
    level: int | None
    sheet: NotRequired[str | None]  # only when the file's table spans several sheets (``row`` is then the sheet's own)


class IssueRecord(TypedDict):
    """An issue as a record, field by field (``dataclasses.asdict``)."""

    baris: int | None
    kolom: str | None
    aturan: str
    keparahan: str
    pesan: str
    nilai: str | None
    diharapkan: str | None
    tingkat: int | None


@dataclass(frozen=True)
class Issue:
    baris: int | None  # row number as the operator sees it in the file (1 = first line/row)
    kolom: str | None
    aturan: str  # rule identity, e.g. KEP-02
    keparahan: str  # error | warning | info
    pesan: str  # Indonesian, names what to fix
    nilai: str | None = None  # the value found
    diharapkan: str | None = None  # what was expected
    tingkat: int | None = None  # ESS validation level 0..4

    def to_json(self) -> IssueJson:
        """The machine form (keys of the pre-check's --json contract)."""
        return {
            "row": self.baris,
            "column": self.kolom,
            "rule": self.aturan,
            "severity": self.keparahan,
            "message": self.pesan,
            "value": self.nilai,
            "expected": self.diharapkan,
            "level": self.tingkat,
        }

    def as_record(self) -> IssueRecord:
        return {"baris": self.baris, "kolom": self.kolom, "aturan": self.aturan, "keparahan": self.keparahan,
                "pesan": self.pesan, "nilai": self.nilai, "diharapkan": self.diharapkan, "tingkat": self.tingkat}
