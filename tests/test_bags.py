"""Packages across servers: BagIt + Ed25519; tampered, unsigned, unknown-sender and incomplete refused."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from desa_cantik.bags import MANIFEST, SIGNATURE, TAGMANIFEST, BagIdentity, bag_info, check_bag, generate_key, make_bag

IDENTITY: BagIdentity = {"siklus": "desa-cantik/2025/kabupaten/35.72", "tingkat": "kabupaten", "kode_wilayah": "35.72",
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
    generate_key(rt.settings.kunci, "35")
    coordinate(rt)
    waiting = publish(rt, "2026-04-30T00:00:00+07:00", wait_for_all=True)
    assert waiting["status"] == "menunggu" and len(waiting["belum"]) == 38 and "35.07" in waiting["belum"]
    published = publish(rt, "2026-04-30T00:00:00+07:00")
    assert published["status"] == "terbit" and published["ditandatangani"]


def test_a_tier_without_its_key_publishes_nothing(tmp_path: Path) -> None:
    """Never an unsigned package: publishing refuses to start, says why in Indonesian, writes nothing."""
    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publish import TanpaKunci, publish
    from desa_cantik.cycle.runtime import Runtime

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi",
                           "DESA_CANTIK_WILAYAH": "35"})
    coordinate(rt)
    for wait in (False, True):
        with pytest.raises(TanpaKunci, match=r"Kunci tanda tangan tingkat ini tidak ditemukan: .*35\.key.*keygen"):
            publish(rt, "2026-04-30T00:00:00+07:00", wait_for_all=wait)
    assert rt.store.list("publikasi/") == []
    generate_key(rt.settings.kunci, "35")
    published = publish(rt, "2026-04-30T00:00:00+07:00")
    assert published["status"] == "terbit" and published["ditandatangani"]


def test_a_built_package_says_when_it_was_bagged_and_which_run_made_it(tmp_path: Path) -> None:
    """``Bagging-Date`` is the day the bag was built (today, in the tier's zone); the run's own date is
    ``Tanggal-Siklus`` (a run at 00:30 WIB on 1 April is still 31 March in UTC), its full time ``Dibuat-Pada`` (the
    version)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from desa_cantik.cycle.coordinate import coordinate
    from desa_cantik.cycle.publish import publish
    from desa_cantik.cycle.runtime import Runtime
    from desa_cantik.storage import layout

    rt = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path), "DESA_CANTIK_TINGKAT": "provinsi",
                           "DESA_CANTIK_WILAYAH": "35"})
    generate_key(rt.settings.kunci, "35")
    coordinate(rt)
    run = "2026-03-31T17:30:00+00:00"  # a run at 00:30 WIB on 1 April
    published = publish(rt, run)
    assert published["status"] == "terbit"
    today = datetime.now(ZoneInfo(rt.daftar.zona_waktu)).date().isoformat()
    raw = rt.store.get(f"{layout.publication(rt.tahun, '35', published['versi'])}/bag-info.txt").decode()
    info = dict(line.split(": ", 1) for line in raw.splitlines())
    assert info["Bagging-Date"] == today, info
    assert info["Tanggal-Siklus"] == "2026-04-01", info
    assert info["Dibuat-Pada"] == run and published["versi"] == "20260331T173000Z", info


# --- hostile bags: paths confined to the bag, any malformed byte a refusal, nothing written to disk ------


def _resigned(priv: Path, bag: dict[str, bytes]) -> dict[str, bytes]:
    """Tag manifest recomputed and signed with the sender's real key: a registered sender that lies."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(priv.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    tags = "".join(f"{hashlib.sha256(bag[n]).hexdigest()} {n}\n" for n in ("bag-info.txt", "bagit.txt", MANIFEST)).encode()
    return {**bag, TAGMANIFEST: tags, SIGNATURE: base64.b64encode(key.sign(tags)) + b"\n"}


Bag = dict[str, bytes]
HOSTILE: list[tuple[str, Callable[[Bag, Path], Bag], str]] = [
    ("absolute-path", lambda b, p: {**b, str(p / "luar" / "jahat.txt"): b"x"}, "jalur absolut"),
    ("dotdot", lambda b, _p: {**b, "data/../../luar/jahat.txt": b"x"}, "'..'"),
    ("backslash", lambda b, _p: {**b, "data\\jahat.txt": b"x"}, "garis miring terbalik"),
    ("nul", lambda b, _p: {**b, "data/ja\x00hat.txt": b"x"}, "karakter kendali"),
    ("too-long", lambda b, _p: {**b, "data/" + "a" * 400: b"x"}, "lebih dari 255"),
    ("empty-segment", lambda b, _p: {**b, "data//x": b"x"}, "segmen kosong"),
    ("fetch-txt", lambda b, _p: {**b, "fetch.txt": b"http://x 1 data/x\n"}, "berkas tak dikenal"),
    ("unlisted-payload", lambda b, _p: {**b, "data/tambahan.csv": b"x"}, "tidak tercantum di manifest"),
    ("signature-not-utf8", lambda b, _p: {**b, SIGNATURE: b"\xff\xfe\x81"}, "tanda tangan tidak terbaca"),
    ("signature-not-base64", lambda b, _p: {**b, SIGNATURE: b"%%%\n"}, "tanda tangan tidak sah"),
    ("signature-short", lambda b, _p: {**b, SIGNATURE: b"AAAA\n"}, "tanda tangan tidak sah"),
    ("signature-empty", lambda b, _p: {**b, SIGNATURE: b""}, "tanda tangan tidak sah"),
    ("manifest-garbage", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, MANIFEST: b"\x00\x01 bukan manifest\n"}),
     "bukan 'checksum jalur'"),
    ("manifest-not-utf8", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, MANIFEST: b"\xff\n"}), "bukan teks UTF-8"),
    ("manifest-dotdot", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, MANIFEST: b"0" * 64 + b" data/../x\n"}),
     "jalur tidak sah"),
    ("manifest-names-tag-file", lambda b, p: _resigned(p / "kab" / "35.72.key", {
        **b, MANIFEST: b[MANIFEST] + hashlib.sha256(b["bagit.txt"]).hexdigest().encode() + b"  bagit.txt\n"}),
     "manifest-sha256.txt menyebut"),
    ("manifest-duplicate", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, MANIFEST: b[MANIFEST] * 2}), "dua kali"),
    ("bag-info-duplicate-label", lambda b, p: _resigned(p / "kab" / "35.72.key", {
        **b, "bag-info.txt": b["bag-info.txt"] + b"Kode-Wilayah: 35.76\n"}), "dua kali"),
    ("bag-info-no-colon", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, "bag-info.txt": b"tanpa titik dua\n"}),
     "bukan 'Label: nilai'"),
    ("payload-oxum", lambda b, p: _resigned(p / "kab" / "35.72.key", {
        **b, "bag-info.txt": b["bag-info.txt"].replace(b"Payload-Oxum: ", b"Payload-Oxum: 9")}), "Payload-Oxum"),
    ("bagit-txt", lambda b, p: _resigned(p / "kab" / "35.72.key", {**b, "bagit.txt": b"BagIt-Version: 9\n"}), "bagit.txt"),
    ("no-tag-manifest", lambda b, _p: {k: v for k, v in b.items() if k != TAGMANIFEST}, "tidak lengkap"),
    ("no-bag-info", lambda b, _p: {k: v for k, v in b.items() if k != "bag-info.txt"}, "tidak lengkap: bag-info.txt"),
]


@pytest.mark.parametrize(("mutate", "reason"), [(m, r) for _, m, r in HOSTILE], ids=[n for n, _, _ in HOSTILE])
def test_hostile_bags_are_refused_without_touching_the_disk(keys: tuple[Path, Path], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           mutate: Callable[[Bag, Path], Bag], reason: str) -> None:
    priv, registry = keys
    bag = mutate(make_bag(PAYLOAD, bag_info(IDENTITY, {"komponen_desa.csv": 1}), priv), tmp_path)

    def no_disk(*args: object, **kwargs: object) -> None:
        raise AssertionError("check_bag wrote to disk")

    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_disk)
    monkeypatch.setattr(Path, "write_bytes", no_disk)
    monkeypatch.setattr(Path, "mkdir", no_disk)
    check = check_bag(bag, "35.72", registry)
    assert not check.ok and check.payload == {}
    assert reason in (check.reason or ""), check.reason
    assert not (tmp_path / "luar").exists()


@pytest.mark.parametrize("sender", ["../35.72", "35.72/..", "", "35.72\x00", "x" * 40])
def test_a_sender_that_is_not_a_region_code_is_refused(keys: tuple[Path, Path], sender: str) -> None:
    priv, registry = keys
    check = check_bag(make_bag(PAYLOAD, bag_info(IDENTITY, {}), priv), sender, registry)
    assert not check.ok and "kode pengirim" in (check.reason or "")


def test_a_broken_registry_key_is_a_refusal_not_a_crash(keys: tuple[Path, Path]) -> None:
    priv, registry = keys
    (registry / "35.72.pub").write_bytes(b"-----BEGIN PUBLIC KEY-----\nrusak\n-----END PUBLIC KEY-----\n")
    check = check_bag(make_bag(PAYLOAD, bag_info(IDENTITY, {}), priv), "35.72", registry)
    assert not check.ok and "kunci publik 35.72" in (check.reason or "")


def test_make_bag_refuses_a_path_outside_the_bag(keys: tuple[Path, Path], tmp_path: Path) -> None:
    priv, _ = keys
    with pytest.raises(ValueError, match="tidak sah"):
        make_bag({str(tmp_path / "luar.csv"): b"x"}, bag_info(IDENTITY, {}), priv)
    assert not (tmp_path / "luar.csv").exists()


# --- formats: a tier reads its own package format and the one before, and refuses a newer one naming both ---------


def _format_1_info(rows: dict[str, int]) -> dict[str, str]:
    """``bag-info.txt`` as release 0.1.0 (e32b6bd, ``tiers.bag_info``) wrote it: no release, no format field, and
    ``Bagging-Date`` the run's day."""
    import json

    return {"Source-Organization": "Pemerintah kabupaten 35.72", "Bag-Group-Identifier": IDENTITY["siklus"],
            "Bagging-Date": IDENTITY["dibuat_pada"][:10], "Siklus": IDENTITY["siklus"], "Tingkat": "kabupaten",
            "Kode-Wilayah": "35.72", "Dibuat-Pada": IDENTITY["dibuat_pada"], "Versi-Standar": IDENTITY["versi_standar"],
            "Jumlah-Baris": json.dumps(rows, sort_keys=True)}


def test_bags_of_format_1_and_format_2_both_verify(keys: tuple[Path, Path]) -> None:
    from desa_cantik import __version__
    from desa_cantik.bags import FORMAT, FORMATS, READABLE_FORMATS, BagRelease

    assert FORMAT == 2 and READABLE_FORMATS == (1, 2) and [f.number for f in FORMATS] == [1, 2]
    priv, registry = keys
    old = check_bag(make_bag(PAYLOAD, _format_1_info({"komponen_desa.csv": 1}), priv), "35.72", registry)
    assert old.ok, old.reason
    assert old.release == BagRelease(1, "0.1.0")
    assert old.info["Tanggal-Siklus"] == "2026-03-31", "read as format 2 names it: the run's day"
    assert old.payload == PAYLOAD
    new = check_bag(make_bag(PAYLOAD, bag_info(IDENTITY, {"komponen_desa.csv": 1}), priv), "35.72", registry)
    assert new.ok, new.reason
    assert new.release == BagRelease(2, __version__)
    assert new.info["Versi-Format-Paket"] == "2" and new.info["Versi-Rilis"] == __version__ == "0.2.0"
    assert new.payload == old.payload


def test_a_newer_format_is_refused_naming_both_versions(keys: tuple[Path, Path]) -> None:
    from desa_cantik.bags import BagRelease

    priv, registry = keys
    info = {**bag_info(IDENTITY, {"komponen_desa.csv": 1}), "Versi-Format-Paket": "3", "Versi-Rilis": "0.4.0"}
    check = check_bag(make_bag(PAYLOAD, info, priv), "35.72", registry)  # signed by the child: only the format is wrong
    assert not check.ok and check.payload == {}
    assert check.reason == ("Paket berformat versi 3 (rilis 0.4.0) lebih baru dari yang dapat dibaca tingkat ini "
                            "(format 2, rilis 0.2.0): perbarui deployment tingkat ini.")
    assert check.release == BagRelease(3, "0.4.0")
    tampered = make_bag(PAYLOAD, info, priv)
    tampered["data/komponen_desa.csv"] += b"35.72.01.1002,jumlah_penduduk,1,1\n"
    assert "checksum" in (check_bag(tampered, "35.72", registry).reason or ""), "the signature and checksums first"


def test_an_older_format_than_a_tier_reads_names_the_release_to_move_to() -> None:
    from desa_cantik.bags import BagRelease, format_problem

    assert format_problem(BagRelease(1, "0.1.0")) is None and format_problem(BagRelease(2, "0.2.0")) is None
    reason = format_problem(BagRelease(1, "0.1.0"), readable=(2, 3), release="0.3.0")
    assert reason == ("Paket berformat versi 1 (rilis 0.1.0) lebih lama dari yang dapat dibaca tingkat ini (format 3, "
                      "rilis 0.3.0; paling lama format 2): perbarui deployment tingkat pengirim ke rilis 0.2.0 atau "
                      "sesudahnya.")


@pytest.mark.parametrize("field", ["dua", "2.0", "0", "-1", "٣", "99999"])
def test_a_format_field_that_is_not_a_format_number_is_refused(keys: tuple[Path, Path], field: str) -> None:
    priv, registry = keys
    info = {**bag_info(IDENTITY, {}), "Versi-Format-Paket": field}
    check = check_bag(make_bag(PAYLOAD, info, priv), "35.72", registry)
    assert not check.ok and (check.reason or "").startswith("paket rusak: Versi-Format-Paket"), check.reason


def test_the_release_a_page_shows_comes_from_the_archived_bag_info(keys: tuple[Path, Path]) -> None:
    from desa_cantik.bags import BagRelease, read_release

    priv, _ = keys
    assert read_release(make_bag(PAYLOAD, bag_info(IDENTITY, {}), priv)["bag-info.txt"]) == BagRelease(2, "0.2.0")
    assert read_release(make_bag(PAYLOAD, _format_1_info({}), priv)["bag-info.txt"]) == BagRelease(1, "0.1.0")
    odd = {**bag_info(IDENTITY, {}), "Versi-Rilis": "<script>"}
    assert read_release(make_bag(PAYLOAD, odd, priv)["bag-info.txt"]) == BagRelease(2, "0.2.0"), "its format's release"
    assert read_release(b"\xff\xfe") is None and read_release(b"Versi-Format-Paket: x\n") is None
