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
from tests.conftest import ROOT

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


# --- several files, folders, the sender's region (issue 11: pre-check for the field) ---------------------------

KEP_2001 = GOOD  # rows of desa 35.07.01.2001 (Tulungrejo)


@pytest.fixture(scope="module")
def kecamatan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``generate --region 35.07.01``: 10 desa x 2 desa datasets + 2 agency files, with the answer key."""
    from desa_cantik.synthetic import generate

    out = tmp_path_factory.mktemp("kecamatan")
    generate("35.07.01", 2025, out, seed=3, error_rate=0.05)
    return out


def _desa_files(root: Path) -> list[Path]:
    return sorted(p for ds in ("kependudukan", "fasilitas") for p in (root / ds).rglob("*") if p.is_file())


def test_folder_and_file_in_one_call_mixed_verdicts_worst_exit(kecamatan: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    key = pd.read_csv(kecamatan / "_kebenaran" / "galat.csv", dtype=str)
    should_fail = {(r.dataset, r.kode_desa) for r in key.itertuples() if r.keparahan == "error"
                   and r.dataset in ("kependudukan", "fasilitas")}
    extra = next((kecamatan / "proyeksi_penduduk").rglob("*.csv"))
    code, out = _run(capsys, "validate", str(kecamatan / "kependudukan"), str(kecamatan / "fasilitas"), str(extra))
    headers = [line for line in out.out.splitlines() if line.startswith("===== [")]
    assert len(headers) == 21 and headers[0].startswith("===== [1/21] ") and headers[-1].endswith(f"{extra} =====")
    verdicts = {}
    for block in out.out.split("===== [")[1:]:
        path = Path(block.split("] ", 1)[1].split(" =====", 1)[0])
        verdicts[path] = block.split("Keputusan        : ", 1)[1].split("\n", 1)[0]
    for path in _desa_files(kecamatan):
        expected = "DITOLAK" if (path.parts[-3], path.parts[-2]) in should_fail else "DITERIMA"
        assert verdicts[path] == expected, path
    n_rejected = sum(v == "DITOLAK" for v in verdicts.values())
    assert f"Ringkasan: 21 berkas: {21 - n_rejected} diterima, 0 dengan catatan, {n_rejected} ditolak (1 tidak terbaca)" \
        in out.out.splitlines()[-1]
    assert code == 2  # the answer key's broken file (unreadable, 2) is worse than the rejected ones (1)
    assert "_kebenaran" not in out.out
    assert out.err.count("pengirim diambil dari folder") == 19 and "WIL-02" in out.err  # not for the unreadable one
    assert out.err.count("--region tidak diberikan") == 1  # the BPS file: its area guessed, and said so


def test_several_files_json_array_each_with_its_path(kecamatan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = kecamatan / "kependudukan" / "35.07.01.2001"
    bad = kecamatan / "kependudukan" / "35.07.01.2009"
    code, out = _run(capsys, "validate", str(ok), str(bad), "--json")
    reports = json.loads(out.out)
    assert [Path(r["berkas_path"]).parent for r in reports] == [ok, bad]
    assert [(r["status"], r["exit_code"]) for r in reports] == [("diterima", 0), ("ditolak", 1)]
    assert {"rows_read", "rows_accepted", "issues"} <= set(reports[1])
    assert code == 1


def test_dataset_from_the_layout_else_a_usage_error(kecamatan: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    one = next((kecamatan / "fasilitas" / "35.07.01.2003").iterdir())
    code, out = _run(capsys, "validate", str(one), "--json")
    assert code == 0 and json.loads(out.out)["status"] == "diterima"  # one file: the one JSON object of before
    loose = tmp_path / "kep.csv"
    loose.write_text(KEP_2001)
    code, out = _run(capsys, "validate", str(one), str(loose))
    assert code == 2 and "dataset tidak dapat ditentukan untuk 1 berkas" in out.err and str(loose) in out.err
    code, out = _run(capsys, "validate", str(one), str(loose), "--dataset", "fasilitas", "--output",
                     str(tmp_path / "x.csv"))
    assert code == 2 and "--output hanya untuk satu berkas" in out.err
    empty = tmp_path / "kosong"
    (empty / "_kebenaran").mkdir(parents=True)
    (empty / "_kebenaran" / "galat.csv").write_text("x\n")
    code, out = _run(capsys, "validate", str(empty), "--dataset", "kependudukan", "--json")
    assert code == 2 and json.loads(out.out)["status"] is None and "folder tidak berisi berkas" in out.err


def test_another_desas_rows_rejected_wil02_with_region_and_a_note_without(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "kiriman.csv"
    f.write_text(KEP_2001)  # rows of 35.07.01.2001, sent by the operator of 35.07.01.2002
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan", "--region", "35.07.01.2002", "--json")
    assert code == 1 and "WIL-02" in [i["rule"] for i in json.loads(out.out)["issues"]]
    assert out.err == ""  # told: no note
    code, out = _run(capsys, "validate", str(f), "--dataset", "kependudukan")
    assert code == 0 and "Keputusan        : DITERIMA" in out.out  # what the gate would reject: hence the note
    assert "--region tidak diberikan" in out.err and "kabupaten/kota 35.07 (Kabupaten Malang)" in out.err
    assert "--region KODE_DESA" in out.err and "WIL-02" in out.err
    # laid out as the inbox is, the pengirim folder is the sender, as at the gate
    laid = tmp_path / "kependudukan" / "35.07.01.2002" / "kiriman.csv"
    laid.parent.mkdir(parents=True)
    laid.write_text(KEP_2001)
    code, out = _run(capsys, "validate", str(tmp_path / "kependudukan"))
    assert code == 1 and "[GALAT WIL-02]" in out.out
    assert "pengirim diambil dari folder '35.07.01.2002'" in out.err
    code, out = _run(capsys, "validate", str(laid), "--region", "35.07.01.2001")
    assert code == 0 and out.err == ""


def test_one_call_over_20_files_warm_well_under_a_second_each(kecamatan: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import time

    from desa_cantik.precheck import Berkas, precheck_many, read_limited

    files = _desa_files(kecamatan)
    assert len(files) == 20
    precheck_many([Berkas(read_limited(files[0]), files[0].name)], "kependudukan", 2025, "35.07.01.2001")  # warm
    start = time.perf_counter()
    judged = [precheck_many([Berkas(read_limited(p), p.name) for p in files if p.parts[-3] == ds], ds, 2025, "35.07")
              for ds in ("kependudukan", "fasilitas")]
    per_file = (time.perf_counter() - start) / len(files)
    assert sum(len(j) for j in judged) == 20
    start = time.perf_counter()
    code, out = _run(capsys, "validate", str(kecamatan / "kependudukan"), str(kecamatan / "fasilitas"), "--json")
    per_file_cli = (time.perf_counter() - start) / len(files)
    assert len(json.loads(out.out)) == 20 and code == 2
    assert per_file < 1.0 and per_file_cli < 1.0, (per_file, per_file_cli)  # measured ~0.03 and ~0.05 s


def test_cli_reports_are_precheck_manys_for_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    from desa_cantik.feedback import report_text
    from desa_cantik.precheck import Berkas, precheck_many

    corpus = ROOT / "tests" / "corpus"
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    names = sorted(n for n in expected if expected[n]["dataset"] == "kependudukan" and "region" not in expected[n])
    assert len(names) > 20
    paths = [str(corpus / n) for n in names]
    direct = precheck_many([Berkas((corpus / n).read_bytes(), n) for n in names], "kependudukan", 2025, "35.07.01")
    code, out = _run(capsys, "validate", *paths, "--dataset", "kependudukan", "--tahun", "2025", "--region", "35.07.01",
                     "--json")
    reports = json.loads(out.out)
    assert [r.pop("berkas_path") for r in reports] == paths
    codes = [r.pop("exit_code") for r in reports]
    assert reports == [v.to_json() for v, _ in direct]
    assert [r["status"] for r in reports] == [expected[n]["status"] for n in names]
    assert codes == [2 if expected[n].get("unreadable") else 1 if expected[n]["status"] == "ditolak" else 0 for n in names]
    assert code == max(codes)
    code, out = _run(capsys, "validate", *paths, "--dataset", "kependudukan", "--tahun", "2025", "--region", "35.07.01")
    blocks = [b.split(" =====\n", 1)[1].rstrip("\n") for b in out.out.split("===== [")[1:]]
    blocks[-1] = blocks[-1].rsplit("\n\nRingkasan:", 1)[0]
    assert blocks == [report_text(v).rstrip("\n") for v, _ in direct]
    for name, (v, _) in zip(names[:3], direct[:3], strict=True):  # one file: the report as before, the same text
        code, out = _run(capsys, "validate", str(corpus / name), "--dataset", "kependudukan", "--tahun", "2025",
                         "--region", "35.07.01")
        assert out.out == report_text(v)


def test_a_checker_failure_costs_only_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import desa_cantik.precheck as pc
    from desa_cantik.quality import validate_batch as real

    def flaky(subs: list[Any], *args: Any, **kwargs: Any) -> Any:
        if any(s.provenance.nama_berkas == "pemicu.csv" for s in subs):
            raise KeyError("bug")
        return real(subs, *args, **kwargs)

    monkeypatch.setattr(pc, "validate_batch", flaky)
    for name in ("baik.csv", "pemicu.csv"):
        (tmp_path / name).write_text(KEP_2001)
    code, out = _run(capsys, "validate", str(tmp_path), "--dataset", "kependudukan", "--region", "35.07.01.2001",
                     "--json")
    good, broken = json.loads(out.out)
    assert good["status"] == "diterima" and good["exit_code"] == 0
    assert broken["status"] is None and broken["exit_code"] == 3 and broken["issues"][0]["rule"] == "GALAT-INTERNAL"
    assert code == 3 and "bukan kesalahan berkas Anda" in out.err and "Traceback" not in out.err
    code, out = _run(capsys, "validate", str(tmp_path), "--dataset", "kependudukan", "--region", "35.07.01.2001")
    assert code == 3 and "Berkas tidak diperiksa: Pemeriksa mengalami galat internal" in out.out
    assert out.out.splitlines()[-1] == "Ringkasan: 2 berkas: 1 diterima, 0 dengan catatan, 0 ditolak, 1 tidak diperiksa (galat)"


def test_a_desa_folder_sending_an_agency_dataset_is_refused_as_the_gate_refuses_it(
        kecamatan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desa_cantik.config import DaftarData, Settings
    from desa_cantik.pengirim import Luring, sender_problem

    agency_file = next((kecamatan / "kesehatan_anak").rglob("*.xlsx"))
    laid = tmp_path / "kesehatan_anak" / "35.07.01.2001" / agency_file.name  # a desa's folder, an agency's dataset
    laid.parent.mkdir(parents=True)
    laid.write_bytes(agency_file.read_bytes())
    code, out = _run(capsys, "validate", str(laid), "--json")
    report = json.loads(out.out)
    gate = sender_problem(Luring(DaftarData.load(Settings.from_env().daftar_data), "35.07"), "kesehatan_anak",
                          "35.07.01.2001")
    assert gate == ("Pengirim '35.07.01.2001' bukan produsen dataset kesehatan_anak menurut Daftar Data "
                    "(yang berhak: 35.07-DINKES).")
    assert code == 1 and report["status"] == "ditolak" and [i["message"] for i in report["issues"]] == [gate]
    code, out = _run(capsys, "validate", str(agency_file), "--json")  # in its agency's own folder: judged on its rows
    assert gate not in [i["message"] for i in json.loads(out.out)["issues"]]
