"""Warehouse migrations (``storage.migrasi``, ``python -m desa_cantik migrasi``) on SQLite and a real PostgreSQL.

A warehouse the last release before migrations made (``tests/gudang_lama/``: dumps of e32b6bd's own store path)
is upgraded with every row kept; the revisions and the models agree (autogenerate finds nothing, and finds a
column the models gained); ``migrasi`` twice changes nothing; a server's tasks refuse an unmigrated warehouse.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from desa_cantik import cli
from desa_cantik.storage import Warehouse, metadata, migrasi

HERE = Path(__file__).resolve().parent
Rows = dict[str, list[tuple[tuple[str, object], ...]]]  # table -> its rows, each as (column, value) pairs


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty warehouse database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    else:
        yield str(request.getfixturevalue("pg_url"))


def _load_previous_release(url: str) -> None:
    """The dump of a warehouse e32b6bd made and filled (``tests/gudang_lama/buat.py``)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.executescript((HERE / "gudang_lama" / "sqlite.sql").read_text(encoding="utf-8"))
        return
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        raw.cursor().execute((HERE / "gudang_lama" / "postgresql.sql").read_text(encoding="utf-8"))
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def _rows(url: str, like: Rows | None = None) -> Rows:
    """Every row of every warehouse table, in one order; ``like``: only the columns those rows had (a later
    revision may add columns: a kept row keeps every value it had)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names()) - {migrasi.VERSION_TABLE}
            found = {n: [dict(r) for r in conn.execute(sa.text(f'SELECT * FROM "{n}"')).mappings()] for n in sorted(names)}
    finally:
        engine.dispose()
    out: Rows = {}
    for name, rows in found.items():
        keep = {c for c, _ in like[name][0]} if like and like.get(name) else None
        out[name] = sorted((tuple(sorted((c, v) for c, v in r.items() if keep is None or c in keep)) for r in rows), key=repr)
    return out


def _revisions(url: str) -> tuple[str, ...]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return migrasi.revisions(conn)
    finally:
        engine.dispose()


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("DESA_CANTIK_GUDANG", url)
    code = cli.main(["migrasi", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_warehouse_of_the_previous_release_is_stamped_and_upgraded_with_every_row(
        url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _load_previous_release(url)
    before = _rows(url)
    assert set(before) == set(migrasi._baseline(migrasi._script(migrasi._config())).tables) and all(before.values()), \
        "the dump fills every table of its release"
    assert _revisions(url) == ()
    code, out = _cli(monkeypatch, capsys, url, "--cek")
    assert code == 1 and "rilis sebelum migrasi" in out

    code, out = _cli(monkeypatch, capsys, url)
    assert code == 0, out
    assert "rilis sebelum migrasi dikenali" in out and f"baseline {migrasi.BASELINE}" in out
    assert _revisions(url) == (migrasi.HEAD,)
    after = _rows(url, like=before)
    assert {t: after.pop(t) for t in set(after) - set(before)} == {key: [] for key in set(metadata().tables) - set(before)}, \
        "later revisions' tables (the outbox, 0002) start empty"
    assert after == before, "every row of every table kept, each value as it was"
    code, out = _cli(monkeypatch, capsys, url, "--cek")
    assert code == 0 and "Skema sama dengan model: ya" in out, out
    w = Warehouse(url)
    w.ensure()  # this release's tasks take it as it is
    assert len(w.dataset_rows("kependudukan", 2025)) == len(before["data_kependudukan"])
    w.engine.dispose()


def test_the_revisions_build_the_models_and_a_change_to_the_models_is_found(url: str) -> None:
    assert migrasi.head() == migrasi.HEAD, "HEAD names the newest revision in storage/migrasi/versions/"
    migrasi.upgrade(url)
    engine = sa.create_engine(url)
    changed = sa.MetaData()
    for table in metadata().tables.values():
        table.to_metadata(changed)
    changed.tables["data_kependudukan"].append_column(sa.Column("penduduk_lansia", sa.BigInteger))
    changed.tables["indikator"].c["nama_wilayah"].type = sa.Integer()
    try:
        with engine.connect() as conn:
            assert migrasi.differences(conn) == (), "the models and the revisions disagree: write a revision"
            found = migrasi.differences(conn, changed)
    finally:
        engine.dispose()
    assert "add_column data_kependudukan penduduk_lansia" in found
    assert any(d.startswith("modify_type indikator nama_wilayah") for d in found), found


def test_migrasi_twice_changes_nothing(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(monkeypatch, capsys, url)
    assert code == 0 and "Gudang kosong: skema dibuat sampai revisi" in out, out
    w = Warehouse(url)
    w.ensure()
    assert w.replace_rows("proyeksi_penduduk", _projection()) == 1
    before, fingerprint = _rows(url), w.fingerprint()
    code, out = _cli(monkeypatch, capsys, url)
    assert code == 0 and "tidak ada yang diubah" in out, out
    assert _rows(url) == before and w.fingerprint() == fingerprint and _revisions(url) == (migrasi.HEAD,)
    assert _cli(monkeypatch, capsys, url, "--cek")[0] == 0
    w.engine.dispose()


def _projection() -> pd.DataFrame:
    return pd.DataFrame({"kode_desa": ["35.07.01.2001"], "tahun": [2025], "proyeksi_penduduk": [3000],
                         "sha256_berkas": ["a" * 64], "baris_berkas": [2], "diterima_pada": ["2026-01-10T00:00:00+00:00"]})


@pytest.mark.integration
def test_a_server_task_refuses_an_unmigrated_warehouse_and_never_creates_tables(pg_url: str) -> None:
    w = Warehouse(pg_url)
    with pytest.raises(migrasi.SchemaNotMigrated, match="python -m desa_cantik migrasi"):
        w.ensure()
    assert sa.inspect(w.engine).get_table_names() == []
    _load_previous_release(pg_url)
    with pytest.raises(migrasi.SchemaNotMigrated, match="rilis sebelum migrasi"):
        w.ensure()
    w.engine.dispose()


def test_the_embedded_warehouse_migrates_itself_at_first_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    Warehouse(url).ensure()
    assert _revisions(url) == (migrasi.HEAD,) and set(_rows(url)) == set(metadata().tables)


def test_a_previous_warehouse_unlike_the_baseline_is_refused_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    _load_previous_release(url)
    with sqlite3.connect(tmp_path / "gudang.sqlite") as conn:
        conn.execute("ALTER TABLE indikator ADD COLUMN catatan TEXT")
        conn.execute("DROP TABLE pengiriman_paket")
    before = _rows(url)
    with pytest.raises(migrasi.SchemaNotMigrated, match="remove_column indikator catatan"):
        migrasi.upgrade(url)
    assert _rows(url) == before and _revisions(url) == ()


def test_a_previous_warehouse_missing_a_table_gets_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    _load_previous_release(url)
    with sqlite3.connect(tmp_path / "gudang.sqlite") as conn:
        conn.execute("DROP TABLE pengiriman_paket")
    before = _rows(url)
    assert migrasi.upgrade(url).legacy
    after = {t: rows for t, rows in _rows(url, like=before).items() if t in before or t == "pengiriman_paket"}
    assert after.pop("pengiriman_paket") == [] and after == before and _revisions(url) == (migrasi.HEAD,)


def test_a_warehouse_migrated_by_a_newer_release_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    migrasi.upgrade(url)
    with sqlite3.connect(tmp_path / "gudang.sqlite") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(migrasi.SchemaNotMigrated, match="rilis yang lebih baru"):
        migrasi.upgrade(url)
    with pytest.raises(migrasi.SchemaNotMigrated, match="rilis yang lebih baru"):
        Warehouse(url).ensure()  # the embedded warehouse's own upgrade refuses it too


@pytest.mark.integration
def test_two_servers_migrating_at_once_do_it_once(pg_url: str) -> None:
    done: list[migrasi.Upgrade] = []
    threads = [threading.Thread(target=lambda: done.append(migrasi.upgrade(pg_url))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(d.before) for d in done) == [0, 1, 1] and _revisions(pg_url) == (migrasi.HEAD,)


def test_a_new_revision_is_written_from_the_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    scripts = tmp_path / "migrasi"
    shutil.copytree(migrasi.HERE, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrasi, "HERE", scripts)  # the package's own versions/ stay as they are
    made = migrasi.new_revision("uji revisi")
    assert made.parent == scripts / "versions" and made.name.startswith(f"{int(migrasi.HEAD) + 1:04d}_uji_revisi")
    text = made.read_text(encoding="utf-8")
    assert f"down_revision: str | Sequence[str] | None = '{migrasi.HEAD}'" in text
    assert "batch_alter_table" not in text, "the models equal the revisions: nothing to do"
