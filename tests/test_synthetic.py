"""The generator's error table and its promise that a seed fully determines the output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desa_cantik.synthetic import CROSS_DATASET_KINDS, ERROR_KINDS, ERROR_TABLE, generate

SMALL_REGION = "35.07.01"  # 10 desa: quick to generate
TAHUN = 2025


# the table's order decides which desa gets which kind, so reordering it changes every seed's output
KIND_ORDER = [
    "berkas_rusak", "kolom_hilang", "negatif", "bukan_bulat", "jumlah_tidak_sama", "kk_nol", "kk_lebih_dari_penduduk",
    "baris_ganda", "kode_tidak_dikenal", "kode_luar_wilayah", "tahun_salah", "rata_kk_tinggi", "rasio_jk_ganjil",
    "kelahiran_tinggi", "jauh_dari_proyeksi", "kategori_salah", "fasilitas_negatif", "fasilitas_ganda", "posyandu_nol",
    "opd_salah", "ditimbang_lebih", "stunting_lebih", "stunting_tinggi", "balita_banyak",
]


def test_error_kinds_is_the_table_without_injectors() -> None:
    assert {k: (e.dataset, e.rule, e.severity) for k, e in ERROR_TABLE.items()} == ERROR_KINDS
    assert list(ERROR_KINDS) == KIND_ORDER
    assert set(CROSS_DATASET_KINDS) <= set(ERROR_TABLE)


@pytest.mark.parametrize("kind", list(ERROR_TABLE))
def test_every_kind_either_edits_values_or_spoils_the_file(kind: str) -> None:
    row = ERROR_TABLE[kind]
    assert (row.inject is None) != (row.spoil is None)
    assert row.severity in ("error", "warning")
    assert row.spoil is None or row.dataset in ("kependudukan", "fasilitas"), "only per-desa files can be spoiled"


def _snapshot(out: Path) -> dict[str, bytes]:
    # XLSX files embed their creation time; every other file must match byte for byte
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.endswith(".xlsx")}


def test_same_seed_same_files(tmp_path: Path) -> None:
    generate(SMALL_REGION, TAHUN, tmp_path / "a", seed=11, error_rate=0.2)
    generate(SMALL_REGION, TAHUN, tmp_path / "b", seed=11, error_rate=0.2)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_injected_errors_reach_the_answer_key(tmp_path: Path) -> None:
    g = generate(SMALL_REGION, TAHUN, tmp_path, seed=11, error_rate=0.2)
    galat = pd.read_csv(tmp_path / "_kebenaran" / "galat.csv", dtype=str)
    assert len(galat) == g.errors > 0
    for row in galat.itertuples(index=False):
        assert ERROR_KINDS[row.jenis] == (row.dataset, row.aturan, row.keparahan)
    for ds in ("kependudukan", "fasilitas", "kesehatan_anak"):
        accepted = pd.read_csv(tmp_path / "_kebenaran" / f"{ds}.csv", dtype=str)
        rejected = set(galat[(galat["dataset"] == ds) & (galat["keparahan"] == "error")]["kode_desa"])
        assert not rejected & set(accepted["kode_desa"]), ds
        assert len(accepted) == g.desa - len(rejected), ds
