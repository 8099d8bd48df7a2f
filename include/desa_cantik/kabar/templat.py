"""Messages people read: the templates in ``templat/*.txt`` (Jinja, plain text), first line ``Subjek: ...``, then
the body, the page link first. Whatever a template writes passes ``pii.mask_text``: a NIK never leaves in clear."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .aturan import TEMPLAT

if TYPE_CHECKING:
    from jinja2 import Environment, Template

SUBJEK = "Subjek:"
MAX_SUBJEK = 150
PREFIX_SUBJEK = "[Desa Cantik] "


@lru_cache(maxsize=1)
def _env() -> Environment:
    from jinja2 import Environment, StrictUndefined

    # plain text, never HTML: nothing is escaped, and an unknown name fails the render (a test catches it)
    return Environment(autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # noqa: S701


@lru_cache(maxsize=32)
def _parts(templat: str) -> tuple[Template, Template]:
    """A template file's subject line and body, each its own template (a block tag ending the subject line would
    otherwise swallow the line break)."""
    first, _, body = (TEMPLAT / f"{templat}.txt").read_text(encoding="utf-8").partition("\n")
    if not first.startswith(SUBJEK):
        raise ValueError(f"templat {templat}.txt: baris pertama harus '{SUBJEK} ...'")
    return _env().from_string(first.removeprefix(SUBJEK)), _env().from_string(body)


def tulis(templat: str, **konteks: object) -> tuple[str, str]:
    """A template's subject and body, every NIK masked, the subject one short line."""
    from ..pii import mask_text

    head, tail = _parts(templat)
    body = tail.render(**konteks)
    subjek = " ".join(head.render(**konteks).split())
    if len(subjek) > MAX_SUBJEK:
        subjek = subjek[: MAX_SUBJEK - 1] + "…"
    isi = "\n".join(line.rstrip() for line in body.strip("\n").splitlines())
    return PREFIX_SUBJEK + (mask_text(subjek) or ""), (mask_text(isi) or "") + "\n"


def singkat(text: str, limit: int = 300) -> str:
    """A free text (an error, a rule's message) as one short line: never a stack trace, never a NIK."""
    from ..pii import mask_text

    line = " ".join((text or "").strip().splitlines()[0].split()) if (text or "").strip() else ""
    line = mask_text(line) or ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
