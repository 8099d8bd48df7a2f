"""Hand-offs between tasks carry their shape's version, so a deploy in the middle of a run is safe.

A payload the release before wrote (no ``versi_serah``: version 0, the same shapes) is read; one in a shape this
release does not read is refused with the Indonesian message that says to run the run again from its first task.
Every payload's shape is pinned here to its version: changing a shape without raising its version fails. The same
through Airflow (a task retried after its producer's XCom was written in another shape): ``test_cadangan_drill.py``.
"""

from __future__ import annotations

import hashlib
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from desa_cantik.cycle import handoff
from desa_cantik.cycle.handoff import (
    ARSIP,
    KEPUTUSAN,
    PENUTUPAN,
    RENCANA,
    VALIDASI,
    SerahTidakTerbaca,
    Versi,
    periksa_serah,
)
from desa_cantik.cycle.persetujuan import Keputusan, check_close, decision_from_event

from . import stages
from .conftest import SMALL_REGION

# each hand-off a later task reads: its types (a union's members) and its version, as this release writes them
PAYLOADS: dict[str, tuple[Versi, tuple[type, ...]]] = {
    "rencana": (RENCANA, (handoff.FileBatch, handoff.PackageBatch)),
    "arsip": (ARSIP, (handoff.CollectedFiles, handoff.CollectedPackages)),
    "validasi": (VALIDASI, (handoff.Validated,)),
    "penutupan": (PENUTUPAN, (handoff.Penutupan,)),
    "keputusan": (KEPUTUSAN, (Keputusan,)),
}
# (version, shape digest): a new shape needs a new version, and a decision on which older versions it still reads
PINNED = {
    "rencana": (1, "d6c650f7adf7"),
    "arsip": (1, "6a242b4a63de"),
    "validasi": (1, "aabf2dd9d589"),
    "penutupan": (1, "f9e3a139fb4f"),
    "keputusan": (1, "f7871beecea6"),
}


def _shape(t: Any) -> str:
    """A type as text, TypedDicts spelled out field by field (required or not), so any change of shape shows."""
    if is_typeddict(t):
        hints = get_type_hints(t, include_extras=True)  # NotRequired kept (annotations are strings here)
        optional = {k for k, h in hints.items() if get_origin(h) is typing.NotRequired}
        fields = ", ".join(f"{k}{'?' if k in optional else ''}: {_shape(get_args(h)[0] if k in optional else h)}"
                           for k, h in sorted(hints.items()))
        return f"{{{fields}}}"
    origin = get_origin(t)
    if origin is typing.Literal:
        return f"Literal[{', '.join(sorted(map(repr, get_args(t))))}]"
    if origin in (typing.Union, types.UnionType):
        return "|".join(sorted(_shape(a) for a in get_args(t)))
    if origin is not None:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(_shape(a) for a in get_args(t))}]"
    return getattr(t, "__name__", repr(t))


def _digest(members: tuple[type, ...]) -> str:
    return hashlib.sha256(" | ".join(_shape(m) for m in members).encode()).hexdigest()[:12]


def test_every_hand_off_shape_is_pinned_to_its_version() -> None:
    found = {name: (versi.tulis, _digest(members)) for name, (versi, members) in PAYLOADS.items()}
    changed = {name: f"{PINNED[name]} -> {now}" for name, now in found.items() if now != PINNED[name]}
    assert not changed, (
        f"bentuk data serah-terima berubah: {changed}. Naikkan versinya (handoff.Versi.tulis), putuskan versi lama mana "
        "yang masih terbaca (Versi.baca), lalu catat versi dan sidik barunya di PINNED")
    for name, (versi, _) in PAYLOADS.items():
        assert versi.tulis in versi.baca, name


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_payload_the_release_before_wrote_is_read(name: str) -> None:
    versi, _ = PAYLOADS[name]
    periksa_serah({"kelompok": "35.07.01"}, versi, name)  # no versi_serah: written before payloads carried it
    periksa_serah({"kelompok": "35.07.01", "versi_serah": versi.tulis}, versi, name)


def test_a_payload_in_a_shape_this_release_does_not_read_is_refused_with_what_to_do() -> None:
    with pytest.raises(SerahTidakTerbaca) as refused:
        periksa_serah({"versi_serah": 2, "kelompok": "35.07.01"}, ARSIP, "arsipkan", "periksa_penutupan")
    text = str(refused.value)
    for part in ("Data serah-terima arsipkan dari tugas sebelumnya berbentuk versi 2",
                 "rilis yang kini terpasang membaca versi 0, 1", "tidak dicoba ulang",
                 "Jalankan ulang run ini dari tugas pertamanya (periksa_penutupan)", "Clear dengan Downstream dicentang"):
        assert part in text, part
    older = Versi(2, frozenset({2}))  # a later release whose shape changed and which reads no older payload
    with pytest.raises(SerahTidakTerbaca, match="berbentuk versi 1, sedangkan rilis yang kini terpasang membaca versi 2"):
        periksa_serah({"versi_serah": 1}, older, "gerbang_mutu")
    with pytest.raises(SerahTidakTerbaca, match="berbentuk versi 0"):
        periksa_serah({}, older, "gerbang_mutu")


def test_the_stages_write_the_version_this_release_reads(tmp_path: Path, small_generated: Path) -> None:
    rt = stages.embedded_with_uploads(tmp_path, small_generated, SMALL_REGION)
    batch = next(iter(rt.tier.plan(rt)))
    collected = rt.tier.collect(rt, batch)
    validated = rt.tier.validate(rt, collected, "uji__versi")
    closing = check_close(rt, "uji__versi", False, "")
    decision = decision_from_event({"chosen_options": ["Setujui"], "params_input": {"alasan": "ok"}}, "uji__versi")
    written = {"rencana": batch, "arsip": collected, "validasi": validated, "penutupan": closing, "keputusan": decision}
    for name, payload in written.items():
        versi, _ = PAYLOADS[name]
        assert payload["versi_serah"] == versi.tulis, name
        periksa_serah(payload, versi, name)
