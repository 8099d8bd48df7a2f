"""The upper tiers' aggregation in bounded memory gives, to the bit, what the in-memory one gave.

``coordination.aggregate`` (every component of the region in one frame) is the reference; the cycle streams
the components one child area at a time (``aggregate_pieces`` through ``Warehouse.rebuild_indicators``).
Fractional, negative and zero components, desa outside the master list, areas without data and batch edges
that cut an area in two are all here. The full-size numbers are ``benchmarks/bench_pusat.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desa_cantik.coordination import aggregate, aggregate_pieces, levels_for, master_for, piece_length
from desa_cantik.cycle.coordinate import coordinate
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.datasets import all_indicators
from desa_cantik.regions import desa_table

from .conftest import TAHUN

# three provinces, a few kabupaten/kota each: Kota Blitar and Kota Batu (35), Kota Yogyakarta and Kulon Progo (34),
# Jakarta Pusat (31)
KABUPATEN = ("35.72", "35.79", "34.71", "34.01", "31.71")


def _master() -> pd.DataFrame:
    return pd.concat([desa_table(k) for k in KABUPATEN], ignore_index=True).sort_values("kode_desa", ignore_index=True)


def _components(master: pd.DataFrame, seed: int, share: float = 0.8) -> pd.DataFrame:
    """Components of most desa, ordered as the warehouse returns them; a third of Kota Batu sends nothing."""
    rng = np.random.default_rng(seed)
    desa = master["kode_desa"][~master["kode_desa"].str.startswith("35.79.0")]
    desa = desa[rng.random(len(desa)) < share]
    outside = pd.Series(["35.99.01.2001", "99.01.01.2001"])  # a kabupaten and a province not in the list
    pairs = pd.MultiIndex.from_product([pd.concat([desa, outside]), list(all_indicators())], names=["kode_desa", "indikator"])
    pairs = pairs[rng.random(len(pairs)) < 0.9].to_frame(index=False)
    n = len(pairs)
    return pairs.assign(pembilang=rng.normal(500, 400, n).round(3), penyebut=rng.choice([0.0, 1.0, 7.25, 1e3, -2.0], n),
                        ).sort_values(["kode_desa", "indikator"], ignore_index=True)


def _batches(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), size):
        yield frame.iloc[start:start + size].reset_index(drop=True)


@pytest.mark.parametrize(("region", "size"), [("", 37), ("", 100_000), ("34", 11), ("35.72", 50)])
def test_pieces_give_the_in_memory_aggregate_to_the_bit(region: str, size: int) -> None:
    master = _master() if not region else master_for(region)
    comps = _components(master, seed=len(region) + size)
    comps = comps[comps["kode_desa"].str.startswith(region)]
    levels = levels_for(region)
    streamed = pd.concat(list(aggregate_pieces(_batches(comps, size), master, TAHUN, levels, piece_length(region))),
                         ignore_index=True).sort_values(["tingkat", "kode_wilayah", "indikator"], ignore_index=True)
    pd.testing.assert_frame_equal(streamed, aggregate(comps, master, TAHUN, levels), check_exact=True)
    assert piece_length(region) == {"": 2, "34": 5}.get(region, len(region))


def test_pieces_without_components_and_out_of_order() -> None:
    master = _master()
    empty = _components(master, 1).iloc[:0]
    streamed = pd.concat(list(aggregate_pieces(iter([]), master, TAHUN, ["kabupaten", "nasional"], 2)), ignore_index=True)
    expected = aggregate(empty, master, TAHUN, ["kabupaten", "nasional"])
    pd.testing.assert_frame_equal(streamed.sort_values(["tingkat", "kode_wilayah", "indikator"], ignore_index=True), expected)
    comps = _components(master, 2)
    first = comps.index[comps["kode_desa"].str.startswith("34.")][0]
    shuffled = pd.concat([comps.drop(index=first), comps.loc[[first]]], ignore_index=True)  # Yogyakarta split in two
    with pytest.raises(ValueError, match="tidak urut"):
        list(aggregate_pieces(_batches(shuffled, 1000), master, TAHUN, ["provinsi"], 2))


@pytest.fixture(params=["sqlite", "postgresql"])
def province(request: pytest.FixtureRequest, tmp_path: Path) -> Runtime:
    gudang = f"sqlite:///{tmp_path / 'gudang.sqlite'}"
    if request.param == "postgresql":
        request.applymarker(pytest.mark.integration)
        gudang = request.getfixturevalue("pg_gudang")
    return Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi",
                             "DESA_CANTIK_WILAYAH": "34", "DESA_CANTIK_GUDANG": gudang})


def test_coordinate_streams_from_the_warehouse_what_aggregate_gives(province: Runtime) -> None:
    """A province (pieces: its kabupaten/kota) through the warehouse: the indicator table is the reference's."""
    master = master_for("34")
    comps = _components(master, 5).query("penyebut >= 0")  # what the package suite lets in
    comps = comps[comps["kode_desa"].str.startswith("34.")]
    for kab, part in comps.groupby(comps["kode_desa"].str[:5]):
        province.warehouse.replace_components(TAHUN, str(kab), part.assign(tahun=TAHUN, sumber=kab, versi="v1"))
    counts = coordinate(province)
    expected = aggregate(comps, master, TAHUN, levels_for("34"))
    expected = expected[(expected["tingkat"] != "desa") | (expected["desa_kontribusi"] > 0)]
    stored = province.warehouse.indicators(TAHUN).sort_values(["tingkat", "kode_wilayah", "indikator"], ignore_index=True)
    pd.testing.assert_frame_equal(stored, expected.reset_index(drop=True)[stored.columns], check_exact=True)
    assert counts == expected.groupby("tingkat").size().to_dict()
    assert coordinate(province) == counts, "a rerun replaces, never appends"
    assert len(province.warehouse.indicators(TAHUN)) == len(expected)


# --- the package's big files: Arrow-joined lines, the bytes pandas and pysdmx wrote before ---------------------


def _pandas_csv(frame: pd.DataFrame) -> bytes:
    return str(frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")).encode("utf-8")


EDGE = pd.DataFrame({
    "kode": ["35.07.01.2001", "a,b", 'kutip "x"', "", None, "baris\nbaru", "cr\rx", "biasa"] * 3,
    "nilai": [0.0, -0.0, 1.0, -7.0, 1e15, 2.0**53, 0.1234565, np.nan] * 3,
    "jumlah": list(range(-3, 21)),
    "teks": ["x"] * 24,
})


@pytest.mark.parametrize("rows", [slice(0, 0), slice(0, 1), slice(0, 24), slice(8, 9)])
def test_package_csv_is_what_pandas_wrote(rows: slice, monkeypatch: pytest.MonkeyPatch) -> None:
    from desa_cantik import publishing

    monkeypatch.setattr(publishing, "CSV_ROWS", 5)  # parts of five rows: quoted cells fall back part by part
    frame = EDGE.iloc[rows]
    assert publishing._csv(frame) == _pandas_csv(frame)
    assert publishing._csv(frame[["kode"]]) == _pandas_csv(frame[["kode"]]), "one column: csv quotes an empty cell"
    plain = frame[frame["kode"].fillna("").str.fullmatch(r"[\w.]*")].assign(ok=True)  # booleans: pandas writes
    assert publishing._csv(plain) == _pandas_csv(plain)
    order = np.arange(len(frame))[::-1]
    assert publishing._csv(frame, order) == _pandas_csv(frame.iloc[order])
    rng = np.random.default_rng(4)
    numbers = pd.DataFrame({"a": rng.integers(-10**9, 10**9, 300).astype(float), "b": rng.normal(0, 1e4, 300)})
    assert publishing._csv(numbers) == _pandas_csv(numbers)


def _pysdmx(ind: pd.DataFrame) -> bytes:
    """What ``sdmx_csv`` wrote before: pysdmx's writer on the whole sorted table."""
    from pysdmx.io.csv.sdmx21.writer import write
    from pysdmx.io.pd import PandasDataset

    from desa_cantik.publishing import sdmx_schema

    frame = pd.DataFrame({
        "TINGKAT": ind["tingkat"].str.upper(), "WILAYAH": ind["kode_wilayah"].replace("", "ID"),
        "INDIKATOR": ind["indikator"].str.upper(), "TIME_PERIOD": ind["tahun"].astype(str),
        "OBS_VALUE": ind["nilai"].astype("float64").round(6), "UNIT_MEASURE": ind["satuan"],
        "DESA_KONTRIBUSI": ind["desa_kontribusi"].astype("int64"), "DESA_TOTAL": ind["desa_total"].astype("int64"),
    }).sort_values(["TINGKAT", "WILAYAH", "INDIKATOR"], ignore_index=True)
    return str(write([PandasDataset(structure=sdmx_schema(), data=frame)])).encode("utf-8")


def test_sdmx_is_what_pysdmx_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    from desa_cantik import publishing

    master = _master()
    ind = aggregate(_components(master, 9), master, TAHUN, levels_for(""))  # NaN values, the country's "" code
    ind.loc[ind.index[::7], "satuan"] = ""  # an empty optional attribute
    monkeypatch.setattr(publishing, "CSV_ROWS", 1000)
    shuffled = ind.sample(frac=1.0, random_state=1)
    for table in (shuffled, shuffled.iloc[:1], shuffled.iloc[:2], shuffled.iloc[:0]):
        assert publishing.sdmx_csv(table) == _pysdmx(table)
    quoted = shuffled.assign(satuan=shuffled["satuan"].where(np.arange(len(shuffled)) % 5 > 0, "per 1,000"))
    assert publishing.sdmx_csv(quoted) == _pysdmx(quoted), "a cell with a comma: pysdmx writes the whole file"
    assert b'"per 1,000"' in _pysdmx(quoted)


def _slices(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    """A table as the warehouse hands it over in slices: at least one frame, typed even when empty."""
    yield from _batches(frame, size) if len(frame) else iter([frame.reset_index(drop=True)])


@pytest.mark.parametrize("size", [3, 250, 100_000])
def test_package_from_slices_is_the_package_from_the_table(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The centre writes its indicator files and components a slice at a time, as the warehouse reads them: every
    file is byte for byte what the whole table gives, whatever the cut (an area's indicators split between two
    slices, SDMX ordering them by their upper-case codes); slices out of order, a cell pysdmx must quote and a
    table too small for the Arrow lines fall back to writing from the whole table, with the same bytes."""
    from desa_cantik import publishing
    from desa_cantik.publishing import LEVEL_KEYS, CycleIdentity, build_package

    monkeypatch.setattr(publishing, "CSV_ROWS", 13)
    master = _master()
    comps = _components(master, 9)
    ind = aggregate(comps, master, TAHUN, levels_for(""))  # NaN values, the country's "" code
    ind.loc[ind.index[::7], "satuan"] = ""
    # a code that sorts after angka_kelahiran_kasar in lower case and before it in upper case ('_' lies between)
    ind["indikator"] = ind["indikator"].replace("angka_kematian_kasar", "angkakematian")
    ind = ind.sort_values(LEVEL_KEYS, ignore_index=True)
    cov = pd.DataFrame({"sumber": ["x"], "desa_kontribusi": [1]})
    who = CycleIdentity(TAHUN, "pusat", "", "2026-04-30T00:00:00+00:00")

    def both(table: pd.DataFrame, rows: pd.DataFrame = comps) -> None:
        whole = build_package(who, table, cov, {"komponen_desa": rows, "kecil": cov})
        sliced = build_package(who, lambda: _slices(table, size), cov,
                               {"komponen_desa": lambda: _slices(rows, size), "kecil": cov})
        assert sliced == whole

    both(ind)
    both(ind.iloc[:1], comps.iloc[:0])
    both(ind.iloc[:0])
    few = ind.iloc[:400]  # pysdmx writes these whole, a Python call per cell
    both(few.iloc[::-1])  # out of order: written from the whole table
    both(few.assign(satuan=few["satuan"].where(np.arange(len(few)) % 5 > 0, "per 1,000")))  # pysdmx quotes
    streamed = publishing._indicator_files_streamed(_slices(ind, size))
    assert streamed is not None and set(streamed) == {"indikator.sdmx.csv"} | {
        f"indikator_{lv}.csv" for lv in levels_for("")}, "the usual table is written as it comes"
