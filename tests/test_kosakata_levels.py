"""Region levels from a code (``kosakata.level_of``, ``is_desa``): only canonical codes have a level.

Fast, and the tests ``scripts/mutations.py`` runs against its kosakata mutants.
"""

from __future__ import annotations

import pytest

from desa_cantik.kosakata import child_length, is_desa, level_of


@pytest.mark.parametrize(("kode", "level"), [
    ("", "nasional"), ("35", "provinsi"), ("35.07", "kabupaten"), ("35.07.01", "kecamatan"),
    ("35.07.01.2001", "desa"), ("35.07.01.1001", "desa"),
    # malformed: a part too short or too long, too many parts, no dots
    ("3", None), ("35.7", None), ("35.07.1", None), ("35.07.01.201", None), ("35.07.01.20011", None),
    ("35.07.01.2001.1", None), ("3507012001", None), ("350", None),
])
def test_level_of_names_only_canonical_codes(kode: str, level: str | None) -> None:
    assert level_of(kode) == level


@pytest.mark.parametrize(("kode", "desa"), [
    ("35.07.01.2001", True), ("35.07.01.1001", True),
    (None, False), ("", False), ("35", False), ("35.07", False), ("35.07.01", False), ("35.07.01.201", False),
])
def test_is_desa_only_for_a_desa_code(kode: str | None, desa: bool) -> None:
    assert is_desa(kode) is desa


def test_child_length_steps_one_level_down() -> None:
    assert [child_length(k) for k in ("", "35", "35.07", "35.07.01", "35.07.01.2001", "35.7")] == [2, 5, 8, 13, None, None]
