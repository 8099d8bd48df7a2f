"""Object stores and the warehouse, on real components: a folder, the S3 server (minio SDK), SQLite and
PostgreSQL (COPY). The same contract holds on each backend."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import cast

import pandas as pd
import pytest
import sqlalchemy as sa

from desa_cantik.storage import LocalFolderStore, ObjectStore, Warehouse, get_many, open_store, put_many


def _exercise_store(store: ObjectStore) -> None:
    put_many(store, [(f"masuk/2025/kependudukan/35.07.01.200{i}/f.csv", f"isi {i}".encode()) for i in range(1, 6)])
    store.put("arsip/x.bin", b"\x00\x01")
    listed = store.list("masuk/2025/")
    assert [o.key for o in listed] == [f"masuk/2025/kependudukan/35.07.01.200{i}/f.csv" for i in range(1, 6)]
    assert all(o.size == 5 for o in listed)
    assert get_many(store, [o.key for o in listed]) == [f"isi {i}".encode() for i in range(1, 6)]
    assert store.exists("arsip/x.bin") and not store.exists("arsip/none")
    store.put("arsip/x.bin", b"baru")
    assert store.get("arsip/x.bin") == b"baru"


def test_local_folder_store(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}")
    assert isinstance(store, LocalFolderStore)
    _exercise_store(store)
    with pytest.raises(ValueError):
        store.put("../keluar.txt", b"x")


@pytest.mark.integration
def test_minio_store_on_s3_server(s3_url: str) -> None:
    store = open_store(s3_url)
    _exercise_store(store)
    assert store.location("a/b").startswith("s3://dc-")


def _rows(desa: list[str], pop: int, received: str, sha: str) -> pd.DataFrame:
    return pd.DataFrame({
        "kode_desa": desa, "tahun": 2025, "penduduk_laki": pop // 2, "penduduk_perempuan": pop - pop // 2,
        "jumlah_penduduk": pop, "jumlah_kk": pop // 4, "kelahiran": 10, "kematian": 5, "penduduk_datang": 3,
        "penduduk_pindah": 2, "sha256_berkas": sha, "baris_berkas": 2, "diterima_pada": received,
    })


def _exercise_warehouse(url: str) -> None:
    w = Warehouse(url)
    w.create()
    w.create()  # idempotent
    first = _rows(["35.07.01.2001", "35.07.01.2002"], 3000, "2026-01-10T00:00:00+00:00", "a" * 64)
    assert w.replace_rows("kependudukan", first) == 2
    # a resubmission for one desa replaces it; an older file arriving late does not
    w.replace_rows("kependudukan", _rows(["35.07.01.2001"], 3100, "2026-01-12T00:00:00+00:00", "b" * 64))
    w.replace_rows("kependudukan", _rows(["35.07.01.2002"], 9999, "2026-01-05T00:00:00+00:00", "c" * 64))
    got = w.dataset_rows("kependudukan", 2025).set_index("kode_desa")
    assert got.loc["35.07.01.2001", "jumlah_penduduk"] == 3100
    assert got.loc["35.07.01.2002", "jumlah_penduduk"] == 3000
    before = w.fingerprint()
    w.replace_rows("kependudukan", _rows(["35.07.01.2001"], 3100, "2026-01-12T00:00:00+00:00", "b" * 64))
    assert w.fingerprint() == before, "replaying a load changes nothing"


def test_sqlite_warehouse(tmp_path: Path) -> None:
    _exercise_warehouse(f"sqlite:///{tmp_path / 'g.sqlite'}")


@pytest.mark.integration
def test_postgres_warehouse_with_copy(pg_url: str) -> None:
    _exercise_warehouse(pg_url)
    w = Warehouse(pg_url)
    assert w.is_postgres
    big = _rows([f"35.07.{k:02d}.{2000 + i:04d}" for k in range(1, 34) for i in range(1, 31)], 5000,
                "2026-02-01T00:00:00+00:00", "d" * 64)
    assert w.replace_rows("kependudukan", big) == len(big)
    with w.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM data_kependudukan")).scalar() == len(big)  # the two earlier desa were replaced, not duplicated


def test_folder_store_refuses_keys_and_links_that_reach_outside(tmp_path: Path) -> None:
    outside = tmp_path / "rahasia.txt"
    outside.write_text("kunci")
    store = LocalFolderStore(tmp_path / "objek")
    store.put("masuk/2025/a.csv", b"isi")
    (tmp_path / "objek" / "masuk" / "2025" / "tautan.csv").symlink_to(outside)
    (tmp_path / "objek" / "masuk" / "folder").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "objek" / "masuk" / "2025" / "dalam.csv").symlink_to(tmp_path / "objek" / "masuk" / "2025" / "a.csv")
    assert [o.key for o in store.list("masuk/")] == ["masuk/2025/a.csv"]
    for key in ("masuk/2025/tautan.csv", "masuk/folder/rahasia.txt", "masuk/2025/dalam.csv", "../rahasia.txt",
                "/etc/passwd", "masuk/./2025/a.csv", "masuk\\2025"):
        with pytest.raises(ValueError):
            store.get(key)


def test_fetched_columns_are_typed_as_pandas_typed_the_rows() -> None:
    """``typed_columns`` (a column at a time, text straight to Arrow) holds what ``from_records(rows).astype`` held; a
    slice with a value of another type goes through pandas as before, and fails where pandas fails."""
    from desa_cantik.storage.columns import frame_of, typed_columns

    names = ["teks", "angka", "bulat", "campur"]
    dtypes = {"teks": "str", "angka": "float64", "bulat": "int64", "campur": "float64"}
    cases: list[list[tuple[object, ...]]] = [
        [("35.07.01.2001", 1.5, 3, 2), (None, None, 4, None), ("é ünï", -0.0, 5, 7.25)],  # NULLs, an int in a float column
        [("a", 1.0, 1, True), ("b", 2.0, 2, False)],  # booleans as pandas makes them numbers
        [(7, 1.0, 1, 1.0), ("b", "2.5", 2, None)],  # an int in a text column, text in a float one: pandas converts
        [(None, None, 1, None)],
    ]
    for rows in cases:
        want = pd.DataFrame.from_records(rows, columns=names).astype(dtypes)
        pd.testing.assert_frame_equal(frame_of(typed_columns(rows, names, dtypes)), want, check_exact=True)
    with pytest.raises((TypeError, ValueError)):  # NULL in an integer column: pandas' error, as before
        typed_columns([("a", 1.0, None, 1.0)], names, dtypes)


def _large_reads(url: str) -> None:
    """Components and indicators read whole, and in slices (publishing's order), on one backend."""
    import numpy as np

    from desa_cantik.publishing import LEVEL_KEYS
    from desa_cantik.storage import COMPONENTS, INDICATORS

    w = Warehouse(url)
    w.create()
    rng = np.random.default_rng(3)
    desa = [f"35.07.{k:02d}.{2000 + i:04d}" for k in range(1, 4) for i in range(1, 40)]
    comps = pd.DataFrame({"tahun": 2025, "kode_desa": np.repeat(desa, 2), "indikator": ["b_x", "ba"] * len(desa),
                          "pembilang": rng.normal(100, 50, 2 * len(desa)).round(3), "penyebut": 1.0, "sumber": "35",
                          "versi": "v"})
    inds = pd.DataFrame({"tahun": 2025, "tingkat": rng.choice(["desa", "kecamatan", "kabupaten"], 400),
                         "kode_wilayah": [f"35.07.{i // 40:02d}.{2000 + i % 40:04d}" for i in range(400)],
                         "indikator": rng.choice(["b_x", "ba", "a"], 400), "nama_wilayah": "Nama, dengan koma",
                         "nilai": np.where(rng.random(400) < 0.2, np.nan, rng.normal(0, 1e3, 400)), "satuan": "persen",
                         "desa_kontribusi": 3, "desa_total": 4}).drop_duplicates(LEVEL_KEYS)
    with w.engine.begin() as conn:
        w._bulk_insert(conn, COMPONENTS, comps)
        w._bulk_insert(conn, INDICATORS, inds)
    whole = w.components(2025)
    pd.testing.assert_frame_equal(whole, comps[list(whole.columns)].sort_values(["kode_desa", "indikator"], ignore_index=True),
                                  check_exact=True)
    pd.testing.assert_frame_equal(pd.concat(list(w.component_slices(2025)), ignore_index=True), whole, check_exact=True)
    by_key = w.indicators(2025).sort_values(LEVEL_KEYS, ignore_index=True)
    assert by_key["nilai"].isna().sum() == inds["nilai"].isna().sum(), "NaN is stored as NULL and read back as NaN"
    pd.testing.assert_frame_equal(pd.concat(list(w.indicator_slices(2025)), ignore_index=True), by_key, check_exact=True)
    empty = list(w.indicator_slices(2024))
    assert len(empty) == 1 and empty[0].empty and (empty[0].dtypes == by_key.dtypes).all(), "no row: one typed frame"


def test_sqlite_large_reads(tmp_path: Path) -> None:
    _large_reads(f"sqlite:///{tmp_path / 'g.sqlite'}")


@pytest.mark.integration
def test_postgres_large_reads(pg_url: str) -> None:
    _large_reads(pg_url)


TRICKY = ["biasa", "", "koma, di tengah", 'kutip "ganda"', "baris\nbaru", "\\N", "  spasi  ", "ünïcode ✓", "cr\r\nlf"]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def test_bulk_load_keeps_text_missing_cells_and_numbers_exactly(kind: str, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    """COPY's CSV is written by Arrow on PostgreSQL: quotes, commas, line breaks, an empty text against a missing
    one, a text that reads ``\\N``, nullable integers and doubles come back as they went in, on both warehouses."""
    from desa_cantik.storage import ISSUES
    from desa_cantik.storage.columns import copy_csv

    url = request.getfixturevalue("pg_url") if kind == "postgresql" else f"sqlite:///{tmp_path / 'g.sqlite'}"
    w = Warehouse(url)
    w.create()
    n = len(TRICKY)
    frame = pd.DataFrame({
        "sha256_berkas": [f"{i:064d}" for i in range(n)], "dataset": "kependudukan", "tahun": 2025, "pengirim": "p",
        "baris": [float(i) if i % 3 else float("nan") for i in range(n)], "kolom": TRICKY, "aturan": "KEP-01",
        "keparahan": "error", "tingkat": [None, *range(1, n)], "pesan": TRICKY[::-1],
        "nilai": [None if i % 2 else t for i, t in enumerate(TRICKY)], "diharapkan": [0.1 + 0.2, 1e-300, *[""] * (n - 2)],
    }).astype({"diharapkan": "str"})
    assert copy_csv(frame.astype({"baris": "Int64", "tingkat": "Int64"})) is not None, "Arrow writes this slice"
    with w.engine.begin() as conn:
        w._bulk_insert(conn, ISSUES, frame)
    got = w.table_frame(ISSUES).sort_values("sha256_berkas", ignore_index=True)
    assert got["kolom"].tolist() == TRICKY and got["pesan"].tolist() == TRICKY[::-1]
    assert [v if isinstance(v, str) else None for v in got["nilai"]] == \
        [None if i % 2 else t for i, t in enumerate(TRICKY)], "an empty text stays text, a missing one NULL"
    assert got["baris"].isna().tolist() == [i % 3 == 0 for i in range(n)]
    assert got["baris"].dropna().tolist() == [float(i) for i in range(n) if i % 3]
    assert got["tingkat"].isna().tolist() == [True] + [False] * (n - 1)
    assert got["diharapkan"].tolist()[:2] == [str(0.1 + 0.2), str(1e-300)]
    # the large-read path (COPY ... TO STDOUT parsed by Arrow on PostgreSQL) reads the same cells back
    read = w._frame(ISSUES, order=("sha256_berkas",))
    for col in ("kolom", "pesan", "nilai", "diharapkan"):
        assert [v if isinstance(v, str) else None for v in read[col]] == \
            [v if isinstance(v, str) else None for v in got[col]], col
    assert read["baris"].isna().tolist() == got["baris"].isna().tolist()


@pytest.mark.integration
def test_a_large_read_stopped_early_leaves_the_warehouse_usable(pg_url: str) -> None:
    """A reader that stops after one slice cuts the COPY off; its connection is discarded, not reused half-read."""
    from desa_cantik.storage import COMPONENTS

    w = Warehouse(pg_url)
    w.create()
    n = 200_000
    comps = pd.DataFrame({"tahun": 2025, "kode_desa": [f"{i:013d}" for i in range(n)], "indikator": "a",
                          "pembilang": 1.0, "penyebut": 2.0, "sumber": "35", "versi": "v"})
    with w.engine.begin() as conn:
        w._bulk_insert(conn, COMPONENTS, comps)
    slices = cast("Generator[pd.DataFrame, None, None]", w.component_slices(2025))
    first = next(slices)
    assert 0 < len(first) < n
    slices.close()
    assert len(w.components(2025)) == n and w._count(COMPONENTS) == n
