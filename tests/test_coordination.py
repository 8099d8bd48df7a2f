"""Indicators and coverage on a hand-made frame whose answers are worked out by hand."""

import pandas as pd
import pytest

from desa_cantik.coordination import compute_indicators, desa_frame, levels_for, master_for
from desa_cantik.publishing import CycleIdentity, build_package, verify_package


@pytest.fixture
def frame() -> pd.DataFrame:
    master = master_for("35.07.01")  # 10 desa
    kep = pd.DataFrame({"kode_desa": master["kode_desa"][:2], "penduduk_laki": [100, 300],
                        "penduduk_perempuan": [100, 200], "jumlah_penduduk": [200, 500], "jumlah_kk": [50, 100],
                        "kelahiran": [4, 6], "kematian": [2, 3], "penduduk_datang": [0, 0], "penduduk_pindah": [0, 0]})
    fas = pd.DataFrame({"kode_desa": master["kode_desa"][1:4], "jumlah_posyandu": [2, 3, 1],
                        "sumber_penerangan": ["PLN", "PLN", "NON_PLN"], "sinyal_internet": ["4G_5G", "3G", "3G"]})
    kes = pd.DataFrame({"kode_desa": master["kode_desa"][:2], "jumlah_balita": [20, 30],
                        "balita_ditimbang": [10, 30], "balita_stunting": [1, 3]})
    return desa_frame(master, {"kependudukan": kep, "fasilitas": fas, "kesehatan_anak": kes})


def test_kecamatan_values_and_coverage(frame: pd.DataFrame) -> None:
    ind = compute_indicators(frame, 2025, ["desa", "kecamatan"])
    kec = ind[ind["tingkat"] == "kecamatan"].set_index("indikator")
    assert kec.loc["jumlah_penduduk", "nilai"] == 700
    assert kec.loc["rasio_jenis_kelamin", "nilai"] == pytest.approx(100 * 400 / 300)
    assert kec.loc["rata_rata_anggota_kk", "nilai"] == pytest.approx(700 / 150)
    assert kec.loc["angka_kelahiran_kasar", "nilai"] == pytest.approx(1000 * 10 / 700)
    assert kec.loc["prevalensi_stunting", "nilai"] == pytest.approx(100 * 4 / 40)
    # only desa with both fasilitas and kesehatan count: the second desa (posyandu 2, balita 30)
    assert kec.loc["posyandu_per_1000_balita", "nilai"] == pytest.approx(1000 * 2 / 30)
    assert kec.loc["posyandu_per_1000_balita", "desa_kontribusi"] == 1
    assert kec.loc["persen_desa_listrik_pln", "nilai"] == pytest.approx(100 * 2 / 3)
    assert kec.loc["persen_desa_sinyal_4g", "desa_kontribusi"] == 3
    assert (kec["desa_total"] == 10).all()
    desa = ind[(ind["tingkat"] == "desa") & (ind["indikator"] == "jumlah_penduduk")]
    assert desa["nilai"].dropna().tolist() == [200, 500]


def test_levels_per_tier() -> None:
    assert levels_for("35.07") == ["desa", "kecamatan", "kabupaten"]
    assert levels_for("35") == ["desa", "kecamatan", "kabupaten", "provinsi"]


def test_package_manifest_and_tamper_detection(frame: pd.DataFrame) -> None:
    ind = compute_indicators(frame, 2025, ["desa", "kecamatan"])
    cov = pd.DataFrame({"dataset": ["kependudukan"], "desa_kontribusi": [2], "desa_total": [10]})
    files = build_package(CycleIdentity(2025, "kabupaten", "35.07.01", "2026-03-31T23:59:00+07:00"), ind, cov)
    assert verify_package(files) == []
    assert build_package(CycleIdentity(2025, "kabupaten", "35.07.01", "2026-03-31T23:59:00+07:00"), ind, cov) == files
    tampered = {**files, "indikator_kecamatan.csv": files["indikator_kecamatan.csv"].replace(b"700", b"701")}
    assert verify_package(tampered) == ["indikator_kecamatan.csv: sha256 tidak cocok"]
    assert files["indikator.sdmx.csv"].splitlines()[0] == (
        b"STRUCTURE,STRUCTURE_ID,ACTION,TINGKAT,WILAYAH,INDIKATOR,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,DESA_KONTRIBUSI,DESA_TOTAL")
