"""Packages across servers: BagIt + Ed25519; tampered, unsigned, unknown-sender and incomplete refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desa_cantik.tiers import SIGNATURE, bag_info, check_bag, generate_key, make_bag

IDENTITY = {"siklus": "desa-cantik/2025/kabupaten/35.72", "tingkat": "kabupaten", "kode_wilayah": "35.72",
            "dibuat_pada": "2026-03-31T23:59:00+07:00", "versi_standar": "1"}
PAYLOAD = {"komponen_desa.csv": b"kode_desa,indikator,pembilang,penyebut\n35.72.01.1001,jumlah_penduduk,5000,1\n",
           "manifest.json": b"{}\n"}


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    own = tmp_path / "kab"
    registry = tmp_path / "prov" / "kunci_publik"
    priv, pub = generate_key(own, "35.72")
    registry.mkdir(parents=True)
    (registry / "35.72.pub").write_bytes(pub.read_bytes())
    return priv, registry


def test_signed_bag_verifies_and_names_the_cycle(keys: tuple[Path, Path]) -> None:
    priv, registry = keys
    bag = make_bag(PAYLOAD, bag_info(IDENTITY, {"komponen_desa.csv": 1}), priv)
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", SIGNATURE} <= set(bag)
    check = check_bag(bag, "35.72", registry)
    assert check.ok, check.reason
    assert check.info["Siklus"] == IDENTITY["siklus"] and check.info["Tingkat"] == "kabupaten"
    assert check.payload["komponen_desa.csv"] == PAYLOAD["komponen_desa.csv"]
    assert (priv.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(
    ("mutate", "sender", "reason"),
    [
        (lambda b: {**b, "data/komponen_desa.csv": b["data/komponen_desa.csv"].replace(b"5000", b"9000")}, "35.72",
         "rusak"),
        (lambda b: {k: v for k, v in b.items() if k != SIGNATURE}, "35.72", "tidak bertanda tangan"),
        (lambda b: {k: v for k, v in b.items() if k != "data/manifest.json"}, "35.72", "tidak lengkap"),
        (lambda b: b, "35.76", "tidak terdaftar"),
        (lambda b: {**b, "bag-info.txt": b["bag-info.txt"].replace(b"35.72", b"35.76")}, "35.72", "rusak"),
    ],
    ids=["tampered", "unsigned", "incomplete", "unknown-sender", "tag-file-edited"],
)
def test_bad_packages_are_refused_with_a_reason(keys: tuple[Path, Path], mutate: Callable[[dict[str, bytes]], dict[str, bytes]],
                                                 sender: str, reason: str) -> None:
    priv, registry = keys
    bag = make_bag(PAYLOAD, bag_info(IDENTITY, {"komponen_desa.csv": 1}), priv)
    check = check_bag(mutate(bag), sender, registry)
    assert not check.ok
    assert reason in (check.reason or ""), check.reason


def test_signature_from_another_key_is_refused(keys: tuple[Path, Path], tmp_path: Path) -> None:
    _, registry = keys
    other, _ = generate_key(tmp_path / "palsu", "35.72")
    bag = make_bag(PAYLOAD, bag_info(IDENTITY, {}), other)
    check = check_bag(bag, "35.72", registry)
    assert not check.ok and "tanda tangan tidak sah" in (check.reason or "")


def test_province_waits_for_every_child_when_configured(tmp_path: Path) -> None:
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publish import publish
    from desa_cantik.cycle.runtime import Runtime

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi",
                           "DESA_CANTIK_WILAYAH": "35"})
    coordinate(rt)
    waiting = publish(rt, "2026-04-30T00:00:00+07:00", wait_for_all=True)
    assert waiting["status"] == "menunggu" and len(waiting["belum"]) == 38 and "35.07" in waiting["belum"]
    published = publish(rt, "2026-04-30T00:00:00+07:00")
    assert published["status"] == "terbit" and not published["ditandatangani"]
