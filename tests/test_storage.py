"""Object stores and the warehouse, on real components: a folder, the S3 server (minio SDK), SQLite and
PostgreSQL (COPY). The same contract holds on each backend."""

from __future__ import annotations

from pathlib import Path

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
