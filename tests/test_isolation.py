"""One file's failure is that file's verdict: the rest of its batch goes on, and reruns converge.

Fast (SQLite + a folder), the stages called directly. The crash cases use the PostgreSQL warehouse too,
where a too-wide value once failed a load after its rows were committed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from desa_cantik.cycle.runtime import Runtime
from desa_cantik.findings import DITERIMA, DITOLAK
from desa_cantik.storage import Warehouse

from .conftest import TAHUN
from .stages import gate_and_store

HEADER = ("kode_desa,tahun,penduduk_laki,penduduk_perempuan,jumlah_penduduk,jumlah_kk,kelahiran,kematian,"
          "penduduk_datang,penduduk_pindah\n")


def _row(kode: str) -> str:
    return f"{kode},2025,1510,1490,3000,850,45,20,30,25\n"


def _runtime(home: Path, gudang: str | None = None, objek: str | None = None) -> Runtime:
    env = {"DESA_CANTIK_HOME": str(home), "DESA_CANTIK_WILAYAH": "35.07.01"}
    if gudang:
        env["DESA_CANTIK_GUDANG"] = gudang
    if objek:
        env["DESA_CANTIK_OBJEK"] = objek
    return Runtime.from_env(env)


def _inbox(rt: Runtime, files: dict[str, bytes]) -> None:
    for key, data in files.items():
        rt.store.put(f"masuk/{TAHUN}/{key}", data)


def _objects(rt: Runtime, prefix: str) -> dict[str, str]:
    return {o.key: hashlib.sha256(rt.store.get(o.key)).hexdigest() for o in rt.store.list(prefix)}


GOOD = {f"kependudukan/35.07.01.200{i}/kependudukan.csv": (HEADER + _row(f"35.07.01.200{i}")).encode()
        for i in range(1, 6)}
BAD_ROWS = {"kependudukan/35.07.01.2006/k.csv": (HEADER + _row("35.07.01.2006").replace("3000", "3001")).encode()}


def test_a_file_that_breaks_the_reader_costs_only_its_own_verdict(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rt = _runtime(tmp_path)
    boom = HEADER.encode() + b"\xff\xfe ledakan\n"
    _inbox(rt, {**GOOD, "kependudukan/35.07.01.2007/rusak.csv": boom})
    from desa_cantik.intake import read_submission as real


    def flaky(data: bytes, *args: object, **kwargs: object) -> object:
        if data == boom:
            raise RuntimeError("bug pembaca")
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("desa_cantik.cycle.gate.read_submission", flaky)
    gate_and_store(rt, "uji")
    subs = rt.warehouse.submissions(TAHUN).set_index("pengirim")
    assert (subs.drop(index="35.07.01.2007")["status"] == DITERIMA).all() and len(subs) == 6
    bad = subs.loc["35.07.01.2007"]
    assert bad["status"] == DITOLAK
    report = rt.store.get(bad["kunci_arsip"] + ".laporan.txt").decode()
    assert "galat internal (RuntimeError)" in report and "Traceback" not in report
    assert rt.warehouse.count_rows("kependudukan", TAHUN) == 5


def test_a_long_or_strange_name_and_a_key_outside_the_layout_are_reported(tmp_path: Path) -> None:
    rt = _runtime(tmp_path)
    long_name = "data desa " + "sangat panjang " * 15 + ".csv"  # 239 characters: fits the inbox, not an archive key
    _inbox(rt, {f"kependudukan/35.07.01.2001/{long_name}": GOOD["kependudukan/35.07.01.2001/kependudukan.csv"],
                "kependudukan/lupa-folder-desa.csv": GOOD["kependudukan/35.07.01.2002/kependudukan.csv"]})
    gate_and_store(rt, "uji")
    subs = rt.warehouse.submissions(TAHUN)
    assert len(subs) == 2
    named = subs[subs["nama_berkas"] == long_name].iloc[0]
    assert named["status"] == DITERIMA and len(named["kunci_arsip"].rsplit("/", 1)[-1]) <= 130
    astray = subs[subs["kunci_masuk"].str.endswith("lupa-folder-desa.csv")].iloc[0]
    assert astray["status"] == DITOLAK
    assert "di luar susunan kotak masuk" in rt.store.get(astray["kunci_arsip"] + ".laporan.txt").decode()


def test_producer_of_the_daftar_data_is_enforced(tmp_path: Path) -> None:
    rt = _runtime(tmp_path)
    text = ("kode_desa,tahun,kode_opd,jumlah_balita,balita_ditimbang,balita_stunting,jumlah_ibu_hamil\n"
            "35.07.01.2001,2025,35.07-DINSOS,100,90,10,12\n")
    _inbox(rt, {"kesehatan_anak/35.07-DINSOS/kes.csv": text.encode(),
                "kesehatan_anak/35.07-DINKES/kes.csv": text.replace("DINSOS", "DINKES").encode()})
    gate_and_store(rt, "uji")
    subs = rt.warehouse.submissions(TAHUN).set_index("pengirim")
    assert subs.loc["35.07-DINKES", "status"] == DITERIMA
    assert subs.loc["35.07-DINSOS", "status"] == DITOLAK
    report = rt.store.get(subs.loc["35.07-DINSOS", "kunci_arsip"] + ".laporan.txt").decode()
    assert "bukan produsen dataset kesehatan_anak menurut Daftar Data" in report


def test_crash_mid_store_then_a_new_run_ends_as_a_clean_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows, registry, findings and quarantine are one unit: a crash leaves nothing, a new run finishes the job."""
    import shutil

    clean = _runtime(tmp_path / "bersih")
    _inbox(clean, {**GOOD, **BAD_ROWS})
    crashed = _runtime(tmp_path / "mogok")
    shutil.copytree(tmp_path / "bersih" / "objek" / "masuk", tmp_path / "mogok" / "objek" / "masuk")  # same arrival times
    gate_and_store(clean, "run-1")

    real = Warehouse._record_verdicts

    def die(self: Warehouse, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        raise ConnectionError("pekerja mati di tengah penyimpanan")

    monkeypatch.setattr(Warehouse, "_record_verdicts", die)
    with pytest.raises(ConnectionError):
        gate_and_store(crashed, "run-1")
    assert crashed.warehouse.submissions(TAHUN).empty and crashed.warehouse.count_rows("kependudukan", TAHUN) == 0
    monkeypatch.setattr(Warehouse, "_record_verdicts", real)
    gate_and_store(crashed, "run-2")  # a new DAG run, not a retry

    assert crashed.warehouse.fingerprint() == clean.warehouse.fingerprint()
    assert _objects(crashed, "karantina/") == _objects(clean, "karantina/") != {}
    statuses = dict(zip(crashed.warehouse.submissions(TAHUN)["kunci_masuk"],
                        crashed.warehouse.submissions(TAHUN)["status"], strict=True))
    assert statuses == dict(zip(clean.warehouse.submissions(TAHUN)["kunci_masuk"],
                                clean.warehouse.submissions(TAHUN)["status"], strict=True))


@pytest.mark.integration
def test_values_wider_than_any_column_still_load_on_postgresql(tmp_path: Path, pg_gudang: str, s3_url: str) -> None:
    """A server's S3 inbox takes names no folder could hold; PostgreSQL takes values wider than any column had."""
    rt = _runtime(tmp_path, pg_gudang, s3_url)
    wide = "kolom " + "x" * 900
    text = HEADER.rstrip("\n") + f",{wide}\n" + _row("35.07.01.2001").rstrip("\n") + f",{'y' * 5000}\n"
    _inbox(rt, {"kependudukan/35.07.01.2001/" + "n" * 200 + ".csv": text.encode(),
                "kependudukan/" + "P" * 300 + "/k.csv": GOOD["kependudukan/35.07.01.2002/kependudukan.csv"]})
    gate_and_store(rt, "uji")
    subs = rt.warehouse.submissions(TAHUN)
    assert len(subs) == 2 and rt.warehouse.count_rows("kependudukan", TAHUN) == 1
    issues = rt.warehouse.issues(TAHUN)
    assert (issues["kolom"].str.len() > 64).any()


def test_personal_data_is_refused_and_never_echoed(tmp_path: Path) -> None:
    """A pasted list with NIK and names is refused whole; no report, finding or quarantine row shows a NIK."""
    from desa_cantik.pii import mask_text, scan

    nik = "3507011204850003"
    pasted = (HEADER.rstrip("\n") + ",NIK,Nama\n" + _row("35.07.01.2001").rstrip("\n") + f",{nik},Budi Santoso\n")
    typed = HEADER + _row("35.07.01.2002").replace("1510", nik)  # a NIK typed into a count column
    rt = _runtime(tmp_path)
    _inbox(rt, {"kependudukan/35.07.01.2001/k.csv": pasted.encode(), "kependudukan/35.07.01.2002/k.csv": typed.encode()})
    gate_and_store(rt, "uji")
    subs = rt.warehouse.submissions(TAHUN).set_index("pengirim")
    assert set(subs["status"]) == {DITOLAK}
    report = rt.store.get(subs.loc["35.07.01.2001", "kunci_arsip"] + ".laporan.txt").decode()
    assert "data pribadi" in report and "'NIK' (NIK)" in report and "'Nama' (nama orang)" in report
    shown = [rt.store.get(o.key).decode(errors="replace") for o in rt.store.list("arsip/")
             if ".laporan." in o.key] + [rt.store.get(o.key).decode() for o in rt.store.list("karantina/")]
    for table in ("isu_validasi", "karantina_baris", "ringkasan_validasi", "berkas_masuk"):
        shown.append(rt.warehouse.table_frame(table).to_csv())
    assert all(nik not in text for text in shown) and any("3507********0003" in text for text in shown)
    assert mask_text(f"nilai {nik}") == "nilai 3507********0003"
    assert scan([["kode_desa", "KK", "L+P"], ["3507012001", "850", "3000"]], {"kode_desa", "kk", "l_p"}) is None


def test_the_same_bytes_under_two_names_in_one_batch_are_both_judged(tmp_path: Path) -> None:
    """An operator re-sends one file under a new name: both are recorded, the content's rows stored once."""
    rt = _runtime(tmp_path)
    bad = (HEADER + _row("35.07.01.2001") + _row("35.07.01.2001").replace(",1510,", ",-5,")).encode()
    good = (HEADER + _row("35.07.01.2002")).encode()
    _inbox(rt, {"kependudukan/35.07.01.2001/a.csv": bad, "kependudukan/35.07.01.2001/a-salinan.csv": bad,
                "kependudukan/35.07.01.2002/b.csv": good, "kependudukan/35.07.01.2002/b (1).csv": good,
                "kependudukan/35.07.01.2003/c.csv": (HEADER + _row("35.07.01.2003")).encode()})
    gate_and_store(rt, "uji")
    subs = rt.warehouse.table_frame("berkas_masuk").set_index("nama_berkas")["status"]
    assert subs.to_dict() == {"a.csv": DITOLAK, "a-salinan.csv": DITOLAK, "b.csv": DITERIMA,
                              "b (1).csv": DITERIMA, "c.csv": DITERIMA}
    assert sorted(rt.warehouse.dataset_rows("kependudukan", TAHUN)["kode_desa"]) == ["35.07.01.2002", "35.07.01.2003"]
    quarantined = rt.warehouse.table_frame("karantina_baris")
    assert len(quarantined) == quarantined[["sha256_berkas", "baris"]].drop_duplicates().shape[0] > 0
