"""Hostile packages at an upper tier: every one refused with its reason, nothing merged, nothing crashes.

Province 35 collects from Kabupaten Malang (35.07) on the embedded deployment (SQLite + a folder store;
an in-memory store with S3 key semantics where a case needs keys a folder cannot hold: absolute paths,
``..``, backslashes). Each case: a good version is accepted first; the hostile package is refused with
a specific reason in ``pengiriman_paket``; the components stay those of the good version; nothing is
written outside the stores; the gate finishes; and a later legitimate resend is accepted and used.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desa_cantik.bags import MANIFEST, SIGNATURE, TAGMANIFEST, BagIdentity, bag_info, generate_key, make_bag
from desa_cantik.cycle.handoff import Validated
from desa_cantik.cycle.packages import deliveries
from desa_cantik.cycle.runtime import Runtime
from desa_cantik.findings import DITERIMA, DITOLAK
from desa_cantik.storage import NotFound, ObjectInfo, layout
from desa_cantik.storage.rows import Delivery

from .conftest import TAHUN
from .stages import gate_and_store

KODE = "35.07"
GOOD = "20260401T000000Z"  # accepted before each hostile package
HOSTILE = "20260402T000000Z"
RESEND = "20260403T000000Z"  # the legitimate resend after it
ROWS = pd.DataFrame({"kode_desa": ["35.07.01.2001", "35.07.01.2002"],
                     "indikator": ["jumlah_penduduk", "prevalensi_stunting"],
                     "pembilang": [100.0, 3.0], "penyebut": [1.0, 40.0]})
RUN = "uji__paket-jahat"


class MemoryStore:
    """An object store with S3 key semantics: a key is any string, kept verbatim (MinIO, S3, moto)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(key)  # the stores' one contract (storage.objects)
        return self.objects[key]

    def list(self, prefix: str) -> list[ObjectInfo]:
        when = datetime(2026, 4, 3, tzinfo=UTC)
        return [ObjectInfo(k, len(v), when) for k, v in sorted(self.objects.items()) if k.startswith(prefix)]

    def exists(self, key: str) -> bool:
        return key in self.objects

    def location(self, key: str) -> str:
        return f"mem://{key}"


@pytest.fixture
def tiers(tmp_path: Path) -> tuple[Runtime, Runtime]:
    return kabupaten_and_province(tmp_path)


def kabupaten_and_province(tmp_path: Path) -> tuple[Runtime, Runtime]:
    """Kabupaten Malang and its province, the province holding Malang's public key."""
    child = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "kab"), "DESA_CANTIK_WILAYAH": KODE})
    prov = Runtime.from_env({"DESA_CANTIK_HOME": str(tmp_path / "prov"), "DESA_CANTIK_TINGKAT": "provinsi",
                             "DESA_CANTIK_WILAYAH": "35"})
    _, pub = generate_key(child.settings.kunci, KODE)
    (prov.settings.kunci / "kunci_publik").mkdir(parents=True)
    (prov.settings.kunci / "kunci_publik" / f"{KODE}.pub").write_bytes(pub.read_bytes())
    return child, prov


def _when(versi: str) -> str:
    return datetime.strptime(versi, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()


def signed(child: Runtime, versi: str, rows: pd.DataFrame = ROWS, csv: bytes | None = None, dibuat_pada: str | None = None,
           without_components: bool = False) -> dict[str, bytes]:
    """A package signed with the child's real key, as ``publish`` builds it (or with lying contents)."""
    payload = {"komponen_desa.csv": rows.to_csv(index=False).encode() if csv is None else csv, "manifest.json": b"{}\n"}
    if without_components:
        del payload["komponen_desa.csv"]
    identity: BagIdentity = {"siklus": f"desa-cantik/{TAHUN}/kabupaten/{KODE}", "tingkat": "kabupaten", "kode_wilayah": KODE,
                "dibuat_pada": dibuat_pada or _when(versi), "versi_standar": "1"}
    return make_bag(payload, bag_info(identity, {}), child.settings.kunci / f"{KODE}.key")


def resigned(child: Runtime, bag: dict[str, bytes]) -> dict[str, bytes]:
    """The bag's tag manifest recomputed and signed again with the child's real key (a lying child)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key((child.settings.kunci / f"{KODE}.key").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    tags = "".join(f"{hashlib.sha256(bag[n]).hexdigest()} {n}\n" for n in ("bag-info.txt", "bagit.txt", MANIFEST))
    return {**bag, TAGMANIFEST: tags.encode(), SIGNATURE: base64.b64encode(key.sign(tags.encode())) + b"\n"}


def deliver(prov: Runtime, bag: dict[str, bytes], versi: str, kode: str = KODE) -> None:
    for name, data in bag.items():
        prov.store.put(f"{layout.package_inbox(TAHUN, kode, versi)}/{name}", data)


def gate(rt: Runtime) -> list[Validated]:
    return gate_and_store(rt, RUN)


def components(rt: Runtime) -> list[tuple[str, str, float, float, str]]:
    c = rt.warehouse.components(TAHUN)
    return list(zip(c["kode_desa"], c["indikator"], c["pembilang"], c["penyebut"], c["versi"], strict=True))


def _files_under(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the cases: each delivers one hostile package and says which reason it must get ---------------------

Send = Callable[[Runtime, Runtime, Path], None]


@dataclass(frozen=True)
class Case:
    name: str
    send: Send
    reason: tuple[str, ...]  # every fragment must be in the stored reason
    memory_store: bool = False  # keys a folder cannot hold: an S3-semantics store


def _with(extra: dict[str, bytes]) -> Send:
    """The good package plus files the listing names (an attacker adds objects under the version)."""
    def send(child: Runtime, prov: Runtime, outside: Path) -> None:
        bag = {**signed(child, HOSTILE), **{k.replace("{luar}", str(outside)): v for k, v in extra.items()}}
        deliver(prov, bag, HOSTILE)
    return send


def _symlink_out(child: Runtime, prov: Runtime, outside: Path) -> None:
    deliver(prov, signed(child, HOSTILE), HOSTILE)
    target = outside / "rahasia.csv"
    target.write_bytes(ROWS.assign(pembilang=9e8).to_csv(index=False).encode())
    link = Path(prov.store.location(f"{layout.package_inbox(TAHUN, KODE, HOSTILE)}/data/komponen_desa.csv"))
    link.unlink()
    link.symlink_to(target)


def _bag_edit(edit: Callable[[Runtime, dict[str, bytes]], dict[str, bytes]], versi: str = HOSTILE) -> Send:
    def send(child: Runtime, prov: Runtime, outside: Path) -> None:
        deliver(prov, edit(child, signed(child, versi)), versi)
    return send


def _as(versi: str, folder: str | None = None, dibuat_pada: str | None = None) -> Send:
    """A package signed at ``versi`` (or ``dibuat_pada``), placed under the folder ``folder`` (or ``versi``)."""
    def send(child: Runtime, prov: Runtime, outside: Path) -> None:
        deliver(prov, signed(child, versi, dibuat_pada=dibuat_pada), folder or versi)
    return send


def _rows(rows: pd.DataFrame | None = None, csv: bytes | None = None, without: bool = False) -> Send:
    """A package signed with the child's real key whose components lie."""
    def send(child: Runtime, prov: Runtime, outside: Path) -> None:
        deliver(prov, signed(child, HOSTILE, rows if rows is not None else ROWS, csv=csv, without_components=without),
                HOSTILE)
    return send


def _replay(child: Runtime, prov: Runtime, outside: Path) -> None:
    """The good version's files, copied byte for byte under a version from the future."""
    for obj in prov.store.list(f"{layout.package_inbox(TAHUN, KODE, GOOD)}/"):
        prov.store.put(obj.key.replace(GOOD, "20990101T000000Z"), prov.store.get(obj.key))


def _older(child: Runtime, prov: Runtime, outside: Path) -> None:
    deliver(prov, signed(child, "20260331T000000Z"), "20260331T000000Z")


def _manifest_lines(text: bytes) -> Callable[[Runtime, dict[str, bytes]], dict[str, bytes]]:
    return lambda child, bag: resigned(child, {**bag, MANIFEST: bag[MANIFEST] + text})


CASES = [
    Case("absolute-path", _with({"{luar}/jahat.csv": b"x"}), ("nama berkas tidak sah", "jalur absolut"), True),
    Case("dotdot-path", _with({"data/../../../../luar/jahat.csv": b"x"}), ("nama berkas tidak sah", "'..'"), True),
    Case("backslash-path", _with({"data\\..\\..\\jahat.csv": b"x"}), ("garis miring terbalik",), True),
    Case("control-char-path", _with({"data/ja\nhat.csv": b"x"}), ("karakter kendali",), True),
    Case("overlong-path", _with({"data/" + "a" * 300: b"x"}), ("lebih dari 255 karakter",), True),
    Case("empty-segment-path", _with({"data//jahat.csv": b"x"}), ("segmen kosong",), True),
    Case("unknown-tag-file", _with({"fetch.txt": b"http://contoh.invalid/x 1 data/x\n"}), ("berkas tak dikenal",)),
    Case("unlisted-payload-file", _with({"data/tambahan.csv": b"x\n"}), ("tidak tercantum di manifest",)),
    Case("symlink-out-of-store", _symlink_out, ("tidak lengkap", "data/komponen_desa.csv tidak ada")),  # never listed
    Case("non-utf8-signature", _bag_edit(lambda _c, b: {**b, SIGNATURE: b"\xff\xfe\x00\x81"}),
         ("tanda tangan tidak terbaca",)),
    Case("bad-base64-signature", _bag_edit(lambda _c, b: {**b, SIGNATURE: b"bukan base64!!\n"}),
         ("tanda tangan tidak sah",)),
    Case("malformed-manifest-line", _bag_edit(_manifest_lines(b"bukan baris manifest\n")), ("bukan 'checksum jalur'",)),
    Case("manifest-names-absolute-path", _bag_edit(_manifest_lines(b"0" * 64 + b"  /etc/passwd\n")), ("jalur absolut",)),
    Case("manifest-names-missing-file", _bag_edit(_manifest_lines(b"0" * 64 + b"  data/hilang.csv\n")),
         ("tidak lengkap", "data/hilang.csv")),
    Case("non-utf8-bag-info", _bag_edit(lambda c, b: resigned(c, {**b, "bag-info.txt": b"Siklus: \xff\n"})),
         ("bag-info.txt bukan teks UTF-8",)),
    Case("missing-components-file", _rows(without=True), ("tidak berisi data/komponen_desa.csv",)),
    Case("components-not-csv", _rows(csv=b"\xff\xfe\x00\x00 biner"), ("komponen_desa.csv tidak terbaca",)),
    Case("components-empty-file", _rows(csv=b""), ("komponen_desa.csv tidak terbaca",)),
    Case("missing-kode-desa-column", _rows(ROWS.rename(columns={"kode_desa": "desa"})),
         ("PKT-01", "kolom wajib 'kode_desa' tidak ada")),
    Case("replay-under-2099", _replay, ("20990101T000000Z tidak sama dengan waktu tanda tangan",)),
    Case("signed-in-the-future", _as("20990101T000000Z"), ("dari masa depan",)),
    Case("folder-not-signed-time", _as(HOSTILE, folder="20260402T000001Z"), ("tidak sama dengan waktu tanda tangan",)),
    Case("no-timezone", _as(HOSTILE, dibuat_pada="2026-04-02T00:00:00"), ("tanpa zona waktu",)),
    Case("older-after-newer", _older, ("lebih lama dari versi 20260401T000000Z",)),
    Case("malformed-version-folder", _as(HOSTILE, folder="terbaru"), ("nama folder kiriman tidak sah",)),
    Case("minus-1e300", _rows(ROWS.assign(pembilang=[-1e300, 3.0])), ("PKT-06: 1 baris pembilang",)),
    Case("nan", _rows(ROWS.assign(pembilang=[np.nan, 3.0])), ("PKT-05: 1 baris pembilang kosong",)),
    Case("inf", _rows(ROWS.assign(penyebut=[1.0, np.inf])), ("PKT-06: 1 baris penyebut",)),
    Case("1e12", _rows(ROWS.assign(pembilang=[1e12, 3.0])), ("PKT-06: 1 baris pembilang",)),
    Case("not-a-number", _rows(ROWS.assign(pembilang=["banyak", "3"])), ("PKT-05: 1 baris pembilang",)),
    Case("total-with-denominator", _rows(ROWS.assign(penyebut=[7.0, 40.0])), ("PKT-07: 1 baris",)),
    Case("outside-senders-region", _rows(ROWS.assign(kode_desa=["35.08.01.2001", "35.07.01.2002"])),
         ("PKT-03: 1 baris kode_desa di luar wilayah 35.07",)),
    Case("not-a-desa-of-the-region", _rows(ROWS.assign(kode_desa=["35.07.01.9999", "35.07.01.2002"])),
         ("PKT-03: 1 baris",)),
    Case("empty-kode-desa", _rows(ROWS.assign(kode_desa=[None, "35.07.01.2002"])), ("PKT-02: 1 baris kode_desa kosong",)),
    Case("unknown-indicator", _rows(ROWS.assign(indikator=["jumlah_tuyul", "prevalensi_stunting"])),
         ("PKT-04: 1 baris",)),
    Case("duplicate-keys", _rows(pd.concat([ROWS, ROWS.iloc[:1]], ignore_index=True)), ("PKT-08: 2 baris",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_package_is_refused_and_a_later_resend_is_used(case: Case, tiers: tuple[Runtime, Runtime],
                                                               tmp_path: Path) -> None:
    child, prov = tiers
    if case.memory_store:
        prov.store = MemoryStore()
    deliver(prov, signed(child, GOOD), GOOD)
    assert [v["status"] for v in gate(prov)] == [{DITERIMA: 1}]
    good = components(prov)
    assert {c[4] for c in good} == {GOOD}
    outside = tmp_path / "luar"
    outside.mkdir()
    case.send(child, prov, outside)
    before = _files_under(outside)  # what the case itself put there (a link's target)

    validated = gate(prov)  # the batch finishes: no exception
    assert [v["status"] for v in validated] == [{DITOLAK: 1}]
    sent = prov.warehouse.deliveries(TAHUN)
    [refused] = sent[sent["status"] == DITOLAK].to_dict("records")
    for fragment in case.reason:
        assert fragment in refused["alasan"], refused["alasan"]
    assert list(validated[0]["alasan"].values()) == [refused["alasan"]]
    assert components(prov) == good, "a refused package changes nothing"
    assert _files_under(outside) == before, "nothing written outside the stores"
    assert gate(prov) == [], "judged once"

    deliver(prov, signed(child, RESEND, ROWS.assign(pembilang=[200.0, 4.0])), RESEND)
    assert [v["status"] for v in gate(prov)] == [{DITERIMA: 1}]
    assert [(c[2], c[4]) for c in components(prov)] == [(200.0, RESEND), (4.0, RESEND)], "the resend is used"
    used = deliveries(prov, 5).set_index("kode_wilayah").loc[KODE]
    assert used["versi_dipakai"] == RESEND and used["ditolak"] == 1


def test_a_replay_accepted_before_the_fix_no_longer_freezes_the_child(tiers: tuple[Runtime, Runtime]) -> None:
    """A warehouse that already accepted a 2099 replay: the next legitimate version is still used."""
    child, prov = tiers
    deliver(prov, signed(child, GOOD), GOOD)
    gate(prov)
    prov.warehouse.record_delivery(Delivery(tahun=TAHUN, kode_pengirim=KODE, versi="20990101T000000Z",
                                            diterima_pada="2026-04-01T00:00:00+00:00", status=DITERIMA, alasan=None,
                                            kunci_arsip="x", baris_komponen=2, run_id="lama"))
    deliver(prov, signed(child, RESEND, ROWS.assign(pembilang=[200.0, 4.0])), RESEND)
    assert [v["status"] for v in gate(prov)] == [{DITERIMA: 1}]
    assert {c[4] for c in components(prov)} == {RESEND}
    assert deliveries(prov, 5).set_index("kode_wilayah").loc[KODE, "versi_dipakai"] == RESEND


def test_a_link_out_of_the_folder_store_is_neither_read_nor_archived(tiers: tuple[Runtime, Runtime], tmp_path: Path) -> None:
    child, prov = tiers
    outside = tmp_path / "luar"
    outside.mkdir()
    _symlink_out(child, prov, outside)
    [validated] = gate(prov)
    assert validated["status"] == {DITOLAK: 1}
    archived = {o.key for o in prov.store.list(layout.package_archive(TAHUN, KODE, HOSTILE) + "/")}
    assert archived and not any(k.endswith("komponen_desa.csv") for k in archived)
    assert b"900000000" not in b"".join(prov.store.get(k) for k in archived)


def test_a_linked_version_folder_is_not_followed(tiers: tuple[Runtime, Runtime], tmp_path: Path) -> None:
    """A version folder that is a link to a folder outside the store: the folder store does not list it."""
    child, prov = tiers
    elsewhere = tmp_path / "luar" / HOSTILE
    for name, data in signed(child, HOSTILE).items():
        (elsewhere / name).parent.mkdir(parents=True, exist_ok=True)
        (elsewhere / name).write_bytes(data)
    link = Path(prov.store.location(layout.package_inbox(TAHUN, KODE, HOSTILE)))
    link.parent.mkdir(parents=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    assert gate(prov) == []
    assert prov.warehouse.deliveries(TAHUN).empty and prov.warehouse.components(TAHUN).empty


def test_a_reason_counts_what_a_full_gx_run_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package suite runs for counts alone (GX ``BASIC``): every reason is the one a full (``COMPLETE``) run
    gives, rule by rule and count by count."""
    from desa_cantik import quality
    from desa_cantik.cycle.packages import content_problem
    from desa_cantik.regions import desa_table

    desa = desa_table(KODE)["kode_desa"].tolist()
    inds = ["jumlah_penduduk", "prevalensi_stunting", "rasio_jenis_kelamin"]
    good = pd.DataFrame({"kode_desa": np.repeat(desa, len(inds)), "indikator": inds * len(desa),
                         "pembilang": 50.0, "penyebut": np.tile([1.0, 40.0, 90.0], len(desa))})
    every = np.arange(len(good))
    frames = [good, good.drop(columns=["penyebut"]), good.iloc[:0], pd.concat([good, good.iloc[:4]], ignore_index=True),
              good.assign(kode_desa=good["kode_desa"].where(every % 11 > 0), indikator=good["indikator"].where(
                  every % 13 > 0, "tidak_ada"), pembilang=good["pembilang"].where(every % 17 > 0, -1.0),
                  penyebut=good["penyebut"].where(every % 19 > 0, np.inf)),
              good.assign(kode_desa=good["kode_desa"].where(every % 7 > 0, "35.08.01.2001"), penyebut=2.0)]
    counted = [content_problem(f, KODE) for f in frames]
    full = quality.run_suite
    monkeypatch.setattr(quality, "run_suite", lambda *a, counts_only=False, **k: full(*a, **k))  # noqa: ARG005
    assert counted == [content_problem(f, KODE) for f in frames]
    assert counted[0] is None and all(counted[1:2] + counted[3:]), counted
