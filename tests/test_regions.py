import pytest

from desa_cantik.regions import desa_table, get_region, is_within, normalise_code, parent_code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35.07.01.2001", "35.07.01.2001"),
        (" 3507012001 ", "35.07.01.2001"),
        (3507012001, "35.07.01.2001"),
        (3507012001.0, "35.07.01.2001"),
        ("3507012001.0", "35.07.01.2001"),
        ("35.07", "35.07"),
        ("35.7.1.2001", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("350701200", None),
    ],
)
def test_normalise_code(raw: object, expected: str | None) -> None:
    assert normalise_code(raw) == expected


def test_malang_master_list_has_390_desa_in_33_kecamatan() -> None:
    desa = desa_table("35.07")
    assert len(desa) == 390
    assert desa["kode_kecamatan"].nunique() == 33
    assert desa["kode_desa"].is_unique
    assert len(desa_table("35.07.01")) == 10


def test_lookups_and_parentage() -> None:
    r = get_region("3507012001")
    assert r is not None and r.nama == "Tulungrejo" and r.tingkat == "desa" and r.jenis == "desa"
    assert parent_code("35.07.01.2001") == "35.07.01"
    assert is_within("35.07.01.2001", "35.07") and not is_within("35.07.01.2001", "35.08")
    assert get_region("35.07.01.2999") is None


def test_tables_cut_from_a_larger_one_are_the_ones_walked_from_lokal() -> None:
    """The country and any region from lokal's desa name table, or cut from a table already made: the same rows,
    order, types and index as walking ``lokal`` for that region alone."""
    import pandas as pd

    from desa_cantik.regions import _from_names, _walk, children

    country = desa_table("")
    assert len(country) == 83_762 and country["kode_desa"].is_monotonic_increasing
    pd.testing.assert_frame_equal(country, _walk(list(children(None))))
    for kode in ("11", "35.07", "35.07.01", "31.71.01", "96"):
        region = get_region(kode)
        assert region is not None
        pd.testing.assert_frame_equal(desa_table(kode), _walk([region]))
        pd.testing.assert_frame_equal(_from_names(kode), _walk([region]))  # a tier alone: from lokal's name table
    assert desa_table("ID").equals(country)
