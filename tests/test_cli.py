"""The operator pre-check and the other commands, as an operator runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from desa_cantik.cli import main

GOOD = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
        "penduduk_datang,penduduk_pindah\n35.07.01.2001,2025,1510,1490,3000,850,45,20,30,25\n")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(list(args))
    return code, capsys.readouterr()


def test_accepted_file_exit_0_and_canonical_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ok.csv"
    f.write_text(GOOD.replace(",", ";").replace("35.07.01.2001", "3507012001"), encoding="cp1252")
    out_csv = tmp_path / "norm.csv"
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan", "--json", "--output", str(out_csv))
    result = json.loads(out.out)
    assert code == 0
    assert result["status"] == "diterima" and result["rows_read"] == 1 and result["rows_accepted"] == 1
    assert {"row", "column", "rule", "severity", "message"} <= set(result["issues"][0])
    norm = pd.read_csv(out_csv, dtype={"kode_desa": str})
    assert norm.loc[0, "kode_desa"] == "35.07.01.2001" and norm.loc[0, "jumlah_penduduk"] == 3000


def test_warning_is_accepted_with_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "w.csv"
    f.write_text(GOOD.replace("3000,850", "3000,300"))  # 10 per household: a warning, not an error
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan", "--json")
    result = json.loads(out.out)
    assert code == 0 and result["status"] == "diterima_dengan_catatan"
    assert [i["rule"] for i in result["issues"] if i["severity"] == "warning"] == ["KEP-05"]


def test_rejected_file_exit_1_with_indonesian_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(GOOD.replace("1510,1490,3000", "1510,1490,3017"))
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan")
    assert code == 1
    assert "Keputusan        : DITOLAK" in out.out
    assert "[GALAT KEP-02] (baris 2, kolom jumlah_penduduk)" in out.out
    assert "ditemukan: 3017; seharusnya: penduduk_laki + penduduk_perempuan" in out.out


@pytest.mark.parametrize(
    "args",
    [["validate", "NOFILE.csv", "--dataset", "kependudukan"], ["validate", "x", "--dataset", "nope"], ["frobnicate"]],
)
def test_bad_usage_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(args))
    assert exc.value.code == 2


def test_unreadable_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan", "--json")
    assert code == 2 and json.loads(out.out)["status"] == "ditolak"


def test_module_entry_point_and_generate(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "desa_cantik", "generate", "--region", "35.07.01", "--tahun", "2025",
                           "--out", str(tmp_path), "--seed", "3", "--error-rate", "0"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "_kebenaran" not in p.parts]
    assert len(files) == 10 * 2 + 2
    assert len(pd.read_csv(tmp_path / "_kebenaran" / "galat.csv")) == 0
