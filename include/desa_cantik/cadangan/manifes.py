"""What a backup says about itself: ``cadangan.json`` (release, date, sizes, every table's rows and fingerprint)
and ``SHA256SUMS`` over every file, in ``sha256sum``'s own format (``sha256sum -c SHA256SUMS`` checks a backup
anywhere, without this project); and the tier's keys, copied as they are."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import TypedDict

from .basis_data import FaktaBasisData
from .objek import CadanganRusak, Ringkas

SUMS = "SHA256SUMS"
FACTS = "cadangan.json"
KEYS = "kunci"
FORMAT = 1


class Fakta(TypedDict):
    format: int
    rilis: str  # desa_cantik.__version__, with its git commit when run from a checkout
    dibuat: str  # ISO-8601 UTC
    tingkat: str
    wilayah: str
    gudang: FaktaBasisData
    airflow: FaktaBasisData | None  # None: no Airflow metadata database in this environment
    objek: Ringkas
    kunci: list[str]  # the key folder's files (the tier's key pair, kunci_publik/ of the children)
    berkas: dict[str, int]  # the dumps and lists -> bytes
    detik: dict[str, float]  # how long each part took


def release() -> str:
    """``desa_cantik.__version__``, with the git commit when the code runs from a checkout (not in the image)."""
    from .. import __version__
    from ..config import PROJECT_ROOT

    git = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                         check=False, timeout=10) if (PROJECT_ROOT / ".git").exists() else None
    return f"{__version__} ({git.stdout.strip()})" if git is not None and git.returncode == 0 else __version__


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != SUMS and not p.name.endswith(".tmp"))


def write_sums(folder: Path) -> None:
    lines = [f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in _files(folder)]
    (folder / SUMS).write_text("".join(lines), encoding="utf-8")


def check_sums(folder: Path) -> list[str]:
    """Every file listed, present and unchanged, and nothing unlisted: what ``sha256sum -c`` says, in Indonesian."""
    try:
        text = (folder / SUMS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{folder / SUMS} tidak ada: cadangan belum selesai dibuat, atau bukan cadangan Desa Cantik"]
    listed = {name: digest for digest, _, name in (line.partition("  ") for line in text.splitlines() if line)}
    problems = []
    for name, digest in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: hilang")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: isinya berubah (sha256 tidak cocok)")
    problems += [f"{p.relative_to(folder).as_posix()}: tidak tercatat di {SUMS}" for p in _files(folder)
                 if p.relative_to(folder).as_posix() not in listed]
    return problems


def read_facts(folder: Path) -> Fakta:
    try:
        found: Fakta = json.loads((folder / FACTS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CadanganRusak(f"{folder / FACTS} tidak ada: folder ini bukan cadangan Desa Cantik") from None
    if found.get("format") != FORMAT:
        raise CadanganRusak(f"Format cadangan {found.get('format')!r} tidak dikenal rilis ini (format {FORMAT}).")
    return found


def write_facts(folder: Path, fakta: Fakta) -> None:
    (folder / FACTS).write_text(json.dumps(fakta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def save_keys(source: Path, folder: Path) -> list[str]:
    """The key folder's regular files (symbolic links are not followed), private ones kept 0600."""
    names = []
    if source.is_dir():
        for p in sorted(source.rglob("*")):
            if p.is_file() and not p.is_symlink():
                rel = p.relative_to(source).as_posix()
                target = folder / KEYS / rel
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                target.write_bytes(p.read_bytes())
                target.chmod(0o600)
                names.append(rel)
    return names


def load_keys(folder: Path, dest: Path) -> tuple[int, int]:
    """The keys back in place: (written, already there). A different key under the same name stops the restore
    before anything is written: a tier keeps its identity, and its key is never overwritten."""
    source = folder / KEYS
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []
    same = 0
    for p in files:
        target = dest / p.relative_to(source)
        if target.exists():
            if target.read_bytes() != p.read_bytes():
                raise CadanganRusak(f"Kunci lain sudah ada di {target}: kunci tingkat ini tidak ditimpa. Pindahkan kunci itu "
                                    "bila memang kunci cadangan yang dipakai, lalu ulangi.")
            same += 1
    for p in files:
        target = dest / p.relative_to(source)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.write_bytes(p.read_bytes())
            target.chmod(0o600 if target.suffix == ".key" else 0o644)
    return len(files) - same, same
