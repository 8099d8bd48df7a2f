"""BagIt bags and Ed25519 signatures: the signed packages between tiers (kabupaten/kota → provinsi → pusat).

A tier publishes its delivery package as a BagIt bag (RFC 8493, sha256 manifests any archive tool can
verify) whose ``bag-info.txt`` names the cycle, tier, row counts and creation time, and signs the bag's
tag manifest with its own Ed25519 key. The tier above keeps a registry of its children's public keys
(``kunci_publik/{kode}.pub`` in its key folder); on collection it verifies checksums and signature, and a
tampered, unsigned, unknown-sender or incomplete package is refused with a reason, never merged.

Each bag names the release that wrote it and its package format (``Versi-Rilis``, ``Versi-Format-Paket``; the formats
and what changed between them: ``FORMATS``). A tier reads its own format and the one before; a newer one is refused
with both versions named.

A received bag is verified in memory, never written to disk: every path is checked before anything else
(relative, inside the bag, no ``..``, no backslash, no empty segment, no control character, not too
long), the signature over ``tagmanifest-sha256.txt`` first, then the checksums that chain from it to every
payload file. Whatever a package's bytes do to a parser becomes a refusal reason, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from . import __version__

RELEASE = __version__  # the release that writes this tier's bags (``Versi-Rilis``)

SIGNATURE = "tanda-tangan-ed25519.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
MANIFEST = "manifest-sha256.txt"
BAG_INFO = "bag-info.txt"
TAG_FILES = ("bagit.txt", BAG_INFO, MANIFEST)  # what the tag manifest must cover
PAYLOAD = "data/"
MAX_PATH = 255  # characters of a path inside the bag
MAX_FILES = 1000  # a package holds about a dozen files
SENDER_CODE = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")  # a Kemendagri region code
_MANIFEST_LINE = re.compile(r"([0-9a-fA-F]{64})[ \t]+(\S.*)")


# --- formats -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageFormat:
    number: int
    release: str  # the first release that writes it
    changes: str  # from the format before it


# Every format a release of this project has written, oldest first: the one home of the package format. A tier writes
# the last and reads ``READABLE_FORMATS`` (its own and the one before, so a province upgraded before its kabupaten/kota
# keeps accepting them); a newer format is refused naming both versions, an older one naming the release to move to.
# A new format: a row here, and in ``_as_current`` how a bag of the format before reads as this one.
FORMATS = (
    PackageFormat(1, "0.1.0", "the first (release 0.1.0, commit e32b6bd): bag-info.txt names Siklus, Tingkat, "
                              "Kode-Wilayah, Dibuat-Pada, Versi-Standar and Jumlah-Baris, Bagging-Date is the run's day "
                              "(Dibuat-Pada's date); no Versi-Rilis and no Versi-Format-Paket (no field: format 1)"),
    PackageFormat(2, "0.2.0", "bag-info.txt adds Versi-Rilis, Versi-Format-Paket and Tanggal-Siklus (the run's day); "
                              "Bagging-Date becomes the day the bag was built; data/ unchanged (the same files, the same "
                              "columns of komponen_desa.csv), so a format 1 bag needs no conversion of its payload"),
)
FORMAT = FORMATS[-1].number  # what this release writes
READABLE_FORMATS = (FORMAT - 1, FORMAT)
FORMAT_FIELD = "Versi-Format-Paket"
RELEASE_FIELD = "Versi-Rilis"
_RELEASE_TEXT = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]{0,31}")  # a release as a reason or a page may show it


# --- keys --------------------------------------------------------------------------------------------


def generate_key(folder: Path, kode: str) -> tuple[Path, Path]:
    """A new Ed25519 key pair for a tier: ``{kode}.key`` (private, 0600) and ``{kode}.pub``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    priv = folder / f"{kode}.key"
    pub = folder / f"{kode}.pub"
    priv.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    priv.chmod(0o600)
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv, pub


def _sign(private_key: Path, data: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_key.read_bytes(), password=None)
    return base64.b64encode(key.sign(data)).decode()  # type: ignore[call-arg, union-attr]


def _verify(public_key: bytes, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is the Ed25519 signature of ``data`` under a PEM public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(public_key)
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


# --- bags --------------------------------------------------------------------------------------------


def path_problem(name: str) -> str | None:
    """Why a path named by a package cannot be a file inside the bag (None: it can)."""
    if not name:
        return "nama kosong"
    if len(name) > MAX_PATH:
        return f"lebih dari {MAX_PATH} karakter"
    if not name.isprintable():
        return "berisi karakter kendali atau tak tercetak"
    if "\\" in name:
        return "berisi garis miring terbalik"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "jalur absolut"
    segments = name.split("/")
    if any(s in (".", "..") for s in segments):
        return "berisi segmen '.' atau '..'"
    if "" in segments:
        return "berisi segmen kosong"
    return None


def make_bag(files: dict[str, bytes], info: dict[str, str], private_key: Path | None) -> dict[str, bytes]:
    """The package's files as a signed BagIt bag: relative path -> bytes (payload under ``data/``)."""
    import bagit

    for name in files:
        if (problem := path_problem(name)) is not None:
            raise ValueError(f"nama berkas paket tidak sah: {name!r} ({problem})")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bag"
        root.mkdir()
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        bagit.make_bag(str(root), bag_info=info, checksums=["sha256"])
        if private_key is not None:
            manifest = (root / TAGMANIFEST).read_bytes()
            (root / SIGNATURE).write_text(_sign(private_key, manifest) + "\n")
        bag = {}
        for p in sorted(root.rglob("*")):
            if p.is_file():  # bagit moves the payload under data/ unchanged: the caller's bytes, not a second copy
                rel = p.relative_to(root).as_posix()
                name = rel.removeprefix(PAYLOAD)
                bag[rel] = files[name] if rel.startswith(PAYLOAD) and name in files else p.read_bytes()
        return bag


@dataclass(frozen=True)
class BagRelease:
    """What wrote a bag: its package format and the release (a format 1 bag does not say: its format's release)."""

    format: int
    release: str


@dataclass
class BagCheck:
    ok: bool
    reason: str | None
    info: dict[str, str]  # the bag's ``bag-info.txt``, read as this release's format
    payload: dict[str, bytes]
    release: BagRelease | None = None  # known once the signature holds


class BagProblem(Exception):
    """Why a received bag is refused (an Indonesian reason, stored in ``pengiriman_paket.alasan``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _shown(name: str) -> str:
    """A name from a package, safe and short enough for a reason."""
    return repr(name[:80] + ("…" if len(name) > 80 else ""))


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise BagProblem(f"paket rusak: {name} bukan teks UTF-8") from None


def _check_names(files: dict[str, bytes]) -> None:
    """Every path relative and inside the bag, and only the files a bag of this project holds."""
    if len(files) > MAX_FILES:
        raise BagProblem(f"paket berisi {len(files)} berkas (paling banyak {MAX_FILES})")
    known = {*TAG_FILES, TAGMANIFEST, SIGNATURE}
    for name in sorted(files):
        if (problem := path_problem(name)) is not None:
            raise BagProblem(f"nama berkas tidak sah di paket: {_shown(name)} ({problem})")
        if name not in known and not name.startswith(PAYLOAD):
            raise BagProblem(f"berkas tak dikenal di paket: {_shown(name)} (hanya berkas tag BagIt dan data/...)")


def _check_signature(public_key: Path, files: dict[str, bytes], sender: str) -> None:
    try:
        signature = files[SIGNATURE].decode("ascii").strip()
    except UnicodeDecodeError:
        raise BagProblem("tanda tangan tidak terbaca (bukan teks base64)") from None
    try:
        key = public_key.read_bytes()
        valid = _verify(key, files[TAGMANIFEST], signature)
    except ValueError:  # the registry's key file itself is not a PEM public key
        raise BagProblem(f"kunci publik {sender} di registri rusak") from None
    if not valid:
        raise BagProblem(f"tanda tangan tidak sah untuk pengirim {sender}")


def _manifest(name: str, files: dict[str, bytes]) -> dict[str, str]:
    """``path -> sha256`` of a manifest; a line that is not ``checksum path`` refuses the bag."""
    if name not in files:
        raise BagProblem(f"paket tidak lengkap: {name} tidak ada")
    entries: dict[str, str] = {}
    for n, line in enumerate(_text(name, files[name]).splitlines(), start=1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.fullmatch(line.rstrip())
        if match is None:
            raise BagProblem(f"paket rusak: baris {n} {name} bukan 'checksum jalur'")
        path = re.sub("%0D", "\r", re.sub("%0A", "\n", match[2], flags=re.I), flags=re.I)  # RFC 8493 §2.1.3
        if (problem := path_problem(path)) is not None:
            raise BagProblem(f"paket rusak: {name} menyebut jalur tidak sah {_shown(path)} ({problem})")
        if path in entries:
            raise BagProblem(f"paket rusak: {_shown(path)} tercantum dua kali di {name}")
        entries[path] = match[1].lower()
    return entries


def _check_digests(name: str, entries: dict[str, str], files: dict[str, bytes], covers: Callable[[str], bool]) -> None:
    for path, digest in entries.items():
        if not covers(path):
            raise BagProblem(f"paket rusak: {name} menyebut {_shown(path)}")
        if path not in files:
            raise BagProblem(f"paket tidak lengkap: {path} tidak ada")
        if hashlib.sha256(files[path]).hexdigest() != digest:
            raise BagProblem(f"paket rusak: checksum {path} tidak cocok")


def _tags(name: str, files: dict[str, bytes]) -> dict[str, str]:
    """A tag file (``Label: value``, folded lines continue a value); a repeated label refuses the bag."""
    tags: dict[str, str] = {}
    label = None
    for line in _text(name, files[name]).splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and label is not None:
            tags[label] += " " + line.strip()
            continue
        label, sep, value = line.partition(":")
        label = label.strip()
        if not sep or not label:
            raise BagProblem(f"paket rusak: baris {_shown(line)} di {name} bukan 'Label: nilai'")
        if label in tags:
            raise BagProblem(f"paket rusak: label {_shown(label)} tercantum dua kali di {name}")
        tags[label] = value.strip()
    return tags


def _check_declarations(files: dict[str, bytes], payload: dict[str, str], info: dict[str, str]) -> None:
    """``bagit.txt`` declares a BagIt bag in UTF-8; ``Payload-Oxum``, when given, matches the payload."""
    declared = _tags("bagit.txt", files)
    if declared.get("BagIt-Version") not in ("0.97", "1.0") or \
            declared.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        raise BagProblem("paket rusak: bagit.txt bukan deklarasi BagIt 0.97/1.0 UTF-8")
    oxum = info.get("Payload-Oxum")
    if oxum is not None and oxum != f"{sum(len(files[p]) for p in payload)}.{len(payload)}":
        raise BagProblem(f"paket rusak: Payload-Oxum {_shown(oxum)} tidak cocok dengan isi data/")


def _verified_info(files: dict[str, bytes], sender: str, registry: Path) -> dict[str, str]:
    """Names, signature, tag manifest, payload manifest, in that order; the bag's ``bag-info.txt``."""
    if not SENDER_CODE.fullmatch(sender):
        raise BagProblem(f"kode pengirim {_shown(sender)} tidak sah")
    pub = registry / f"{sender}.pub"
    if not pub.is_file():
        raise BagProblem(f"pengirim {sender} tidak terdaftar (kunci publik tidak ada di registri)")
    _check_names(files)
    if SIGNATURE not in files:
        raise BagProblem("paket tidak bertanda tangan")
    if TAGMANIFEST not in files:
        raise BagProblem(f"paket tidak lengkap: {TAGMANIFEST} tidak ada")
    _check_signature(pub, files, sender)
    tags = _manifest(TAGMANIFEST, files)
    _check_digests(TAGMANIFEST, tags, files, lambda p: p in TAG_FILES)
    for name in TAG_FILES:
        if name not in files:
            raise BagProblem(f"paket tidak lengkap: {name} tidak ada")
        if name not in tags:
            raise BagProblem(f"paket rusak: {name} tidak tercantum di {TAGMANIFEST}")
    payload = _manifest(MANIFEST, files)
    _check_digests(MANIFEST, payload, files, lambda p: p.startswith(PAYLOAD))
    unlisted = sorted(n for n in files if n.startswith(PAYLOAD) and n not in payload)
    if unlisted:
        raise BagProblem(f"paket rusak: {_shown(unlisted[0])} tidak tercantum di {MANIFEST}")
    info = _tags(BAG_INFO, files)
    _check_declarations(files, payload, info)
    return info


def check_bag(files: dict[str, bytes], sender: str, registry: Path) -> BagCheck:
    """Verify a received bag in memory: complete and untampered (sha256), signed by a registered sender.

    Nothing is written to disk. Any problem, including bytes no parser expects, is a refusal with its
    reason; the payload (paths under ``data/`` without the prefix) is returned only for a sound bag.
    """
    try:
        info = _verified_info(files, sender, registry)
        release = bag_release(info)
    except BagProblem as exc:
        return BagCheck(False, exc.reason, {}, {})
    except Exception as exc:  # a package is data: whatever its bytes do to a parser is a refusal, never a crash
        return BagCheck(False, f"paket rusak: {type(exc).__name__}: {str(exc)[:200]}", {}, {})
    if (problem := format_problem(release)) is not None:  # before reading any field a newer format may have changed
        return BagCheck(False, problem, info, {}, release)
    info = _as_current(info, release)
    if info.get("Kode-Wilayah") != sender:
        return BagCheck(False, f"paket menyatakan wilayah {info.get('Kode-Wilayah')}, dikirim oleh {sender}", info, {},
                        release)
    payload = {k.removeprefix(PAYLOAD): v for k, v in files.items() if k.startswith(PAYLOAD)}
    return BagCheck(True, None, info, payload, release)


def bag_release(info: dict[str, str]) -> BagRelease:
    """The format and release a bag's ``bag-info.txt`` names; no ``Versi-Format-Paket`` is format 1."""
    raw = info.get(FORMAT_FIELD)
    if raw is None:
        return BagRelease(FORMATS[0].number, FORMATS[0].release)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4 or int(raw) < 1:
        raise BagProblem(f"paket rusak: {FORMAT_FIELD} {_shown(raw)} bukan nomor format (bilangan bulat positif)")
    number = int(raw)
    said = info.get(RELEASE_FIELD, "")
    known = {f.number: f.release for f in FORMATS}
    return BagRelease(number, said if _RELEASE_TEXT.fullmatch(said) else known.get(number, "tidak diketahui"))


def format_problem(found: BagRelease, readable: tuple[int, ...] = READABLE_FORMATS, release: str = RELEASE
                   ) -> str | None:
    """Why this tier cannot read a bag of ``found``'s format (None: it can), naming both sides' versions."""
    if found.format in readable:
        return None
    package, own = f"versi {found.format} (rilis {found.release})", f"format {max(readable)}, rilis {release}"
    if found.format > max(readable):
        return (f"Paket berformat {package} lebih baru dari yang dapat dibaca tingkat ini ({own}): perbarui deployment "
                "tingkat ini.")
    first = next((f.release for f in FORMATS if f.number == min(readable)), release)
    return (f"Paket berformat {package} lebih lama dari yang dapat dibaca tingkat ini ({own}; paling lama format "
            f"{min(readable)}): perbarui deployment tingkat pengirim ke rilis {first} atau sesudahnya.")


def _as_current(info: dict[str, str], found: BagRelease) -> dict[str, str]:
    """A readable bag's ``bag-info.txt`` as this release's format names it (the payload is the same in both)."""
    if found.format == 1:  # format 1's Bagging-Date was the run's day, what format 2 calls Tanggal-Siklus
        return {**info, "Tanggal-Siklus": info.get("Tanggal-Siklus", info.get("Bagging-Date", ""))}
    return info


def read_release(bag_info_txt: bytes) -> BagRelease | None:
    """The release of an archived bag as a page shows it (None: its ``bag-info.txt`` does not say it readably)."""
    try:
        return bag_release(_tags(BAG_INFO, {BAG_INFO: bag_info_txt}))
    except BagProblem:
        return None


class BagIdentity(TypedDict):
    """What ``bag-info.txt`` names of the package's identity (``publishing.CycleIdentity``)."""

    siklus: str
    tingkat: str
    kode_wilayah: str
    versi_standar: str
    dibuat_pada: str  # ISO time of the run that built the package


def bag_info(identity: BagIdentity, rows: dict[str, int], built: datetime | None = None) -> dict[str, str]:
    """``bag-info.txt``: the release and package format that wrote it (``FORMATS``), and two dates, each named for
    what it is.

    ``Bagging-Date`` (BagIt's field) is the day the bag was built: ``built``, now when not given. ``Tanggal-Siklus``
    is the day of the cycle's run that made the package (its logical date: the close at the Daftar Data deadline, or
    a later correction run), and ``Dibuat-Pada`` that run's full time, the package's version (signed; the tier above
    checks its folder against it). Both days are read in ``built``'s time zone (the tier's, from ``publish``).
    """
    built = built or datetime.now(UTC)
    run = datetime.fromisoformat(identity["dibuat_pada"])
    info = {
        "Source-Organization": f"Pemerintah {identity['tingkat']} {identity['kode_wilayah']}",
        "Bag-Group-Identifier": identity["siklus"],
        "Bagging-Date": built.date().isoformat(),
        "Tanggal-Siklus": (run.astimezone(built.tzinfo) if run.tzinfo and built.tzinfo else run).date().isoformat(),
        "Siklus": identity["siklus"],
        "Tingkat": identity["tingkat"],
        "Kode-Wilayah": identity["kode_wilayah"],
        "Dibuat-Pada": identity["dibuat_pada"],
        "Versi-Standar": identity["versi_standar"],
        "Jumlah-Baris": json.dumps(rows, sort_keys=True),
        RELEASE_FIELD: RELEASE,
        FORMAT_FIELD: str(FORMAT),
    }
    return info
