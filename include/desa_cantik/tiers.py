"""Tiers: desa → kabupaten/kota → provinsi → pusat, each on its own server, connected by signed packages.

A tier publishes its delivery package as a BagIt bag (RFC 8493, sha256 manifests any archive tool can
verify) whose ``bag-info.txt`` names the cycle, tier, row counts and creation time, and signs the bag's
tag manifest with its own Ed25519 key. The tier above keeps a registry of its children's public keys
(``kunci_publik/{kode}.pub`` in its key folder); on collection it verifies checksums and signature, and a
tampered, unsigned, unknown-sender or incomplete package is refused with a reason, never merged.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIGNATURE = "tanda-tangan-ed25519.txt"
PACKAGE_INBOX = "paket"  # masuk/{tahun}/paket/{kode_pengirim}/{versi}/...


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
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(public_key)
    try:
        key.verify(base64.b64decode(signature), data)  # type: ignore[call-arg, union-attr]
    except (InvalidSignature, ValueError):
        return False
    return True


# --- bags --------------------------------------------------------------------------------------------


def make_bag(files: dict[str, bytes], info: dict[str, str], private_key: Path | None) -> dict[str, bytes]:
    """The package's files as a signed BagIt bag: relative path -> bytes (payload under ``data/``)."""
    import bagit

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bag"
        root.mkdir()
        for name, data in files.items():
            (root / name).write_bytes(data)
        bagit.make_bag(str(root), bag_info=info, checksums=["sha256"])
        if private_key is not None:
            manifest = (root / "tagmanifest-sha256.txt").read_bytes()
            (root / SIGNATURE).write_text(_sign(private_key, manifest) + "\n")
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class BagCheck:
    ok: bool
    reason: str | None
    info: dict[str, Any]
    payload: dict[str, bytes]


def check_bag(files: dict[str, bytes], sender: str, registry: Path) -> BagCheck:
    """Verify a received bag: complete and untampered (BagIt sha256), signed by a registered sender."""
    import bagit

    pub = registry / f"{sender}.pub"
    if not pub.is_file():
        return BagCheck(False, f"pengirim {sender} tidak terdaftar (kunci publik tidak ada di registri)", {}, {})
    if SIGNATURE not in files:
        return BagCheck(False, "paket tidak bertanda tangan", {}, {})
    if "tagmanifest-sha256.txt" not in files:
        return BagCheck(False, "paket tidak lengkap: tagmanifest-sha256.txt tidak ada", {}, {})
    if not _verify(pub.read_bytes(), files["tagmanifest-sha256.txt"], files[SIGNATURE].decode().strip()):
        return BagCheck(False, f"tanda tangan tidak sah untuk pengirim {sender}", {}, {})
    tmp = Path(tempfile.mkdtemp())
    try:
        for name, data in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        try:
            bag = bagit.Bag(str(tmp))
            bag.validate()
        except bagit.BagError as exc:
            return BagCheck(False, f"paket rusak atau tidak lengkap: {str(exc)[:300]}", {}, {})
        info = dict(bag.info)
        if info.get("Kode-Wilayah") != sender:
            return BagCheck(False, f"paket menyatakan wilayah {info.get('Kode-Wilayah')}, dikirim oleh {sender}", info, {})
        payload = {k.removeprefix("data/"): v for k, v in files.items() if k.startswith("data/")}
        return BagCheck(True, None, info, payload)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bag_info(identity: dict[str, Any], rows: dict[str, int]) -> dict[str, str]:
    info = {
        "Source-Organization": f"Pemerintah {identity['tingkat']} {identity['kode_wilayah']}",
        "Bag-Group-Identifier": identity["siklus"],
        "Bagging-Date": identity["dibuat_pada"][:10],
        "Siklus": identity["siklus"],
        "Tingkat": identity["tingkat"],
        "Kode-Wilayah": identity["kode_wilayah"],
        "Dibuat-Pada": identity["dibuat_pada"],
        "Versi-Standar": identity["versi_standar"],
        "Jumlah-Baris": json.dumps(rows, sort_keys=True),
    }
    return info
