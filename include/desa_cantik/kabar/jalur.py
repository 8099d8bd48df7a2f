"""Ways to deliver one message to one address: Apprise (e-mail, Telegram, WhatsApp gateways, Slack, webhooks from
one URL scheme), SMTP (stdlib, the fallback), and a folder of ``.eml`` files (the embedded demo).

Each way's URL comes from an environment variable named in config/kabar.yaml (a secret never sits in git); a way
whose variable is unset is not there. A way that fails raises ``KirimGagal`` with a short reason that names no
secret: the sender then tries the channel's next way, and failing all, the message waits for its next attempt.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, unquote, urlparse

from .aturan import KanalKabar

DARI = "kabar@desacantik.invalid"  # the sender's address when the URL names none
NAMA_DARI = "Desa Cantik"
TIMEOUT_S = 10.0
# Apprise narrates each delivery at INFO and logs its failures itself (its URLs may hold a token): ours says what failed
logging.getLogger("apprise").setLevel(logging.CRITICAL)


class KirimGagal(RuntimeError):
    """One way failed to deliver; the message is a short reason with no secret."""


class Jalur(Protocol):
    nama: str

    def kirim(self, alamat: str, subjek: str, isi: str) -> None: ...


def surel(subjek: str, isi: str, dari: str, ke: str) -> MIMEText:
    """A plain-text e-mail (UTF-8), as the SMTP and folder ways send it (the compat32 classes: the default policy's
    header parsing cost 3 ms a message, most of a drain)."""
    msg = MIMEText(isi, "plain", "utf-8")
    # a Header, not its encoded text: folded knowing the "Subject: " before it (else the value starts with a fold,
    # read back as a leading space)
    msg["Subject"] = Header(subjek, "utf-8", header_name="Subject")  # type: ignore[assignment]
    msg["From"], msg["To"] = formataddr((NAMA_DARI, dari)), ke
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain=dari.partition("@")[2] or None)
    return msg


@dataclass
class JalurApprise:
    """An Apprise URL; ``{alamat}`` in it is the account's address (a recipient, a chat id, a phone, a whole URL)."""

    url: str
    nama: str = "apprise"

    def kirim(self, alamat: str, subjek: str, isi: str) -> None:
        import apprise

        url = self.url.replace("{alamat}", alamat if self.url.strip() == "{alamat}" else quote(alamat, safe="@+"))
        ap = apprise.Apprise()
        if not ap.add(url):
            raise KirimGagal(f"URL Apprise tidak dikenali (skema {url.split('://', 1)[0]}://)")
        if not ap.notify(title=subjek, body=isi, body_format=apprise.NotifyFormat.TEXT):
            raise KirimGagal(f"Apprise ({url.split('://', 1)[0]}://) tidak berhasil mengirim")


@lru_cache(maxsize=1)
def _ehlo() -> str:
    import socket

    return socket.gethostname() or "localhost"


@dataclass
class JalurSmtp:
    """``smtp://[user:pass@]host:port?dari=...&tls=starttls|ssl``: one connection per message (a digest is one)."""

    url: str
    nama: str = "smtp"

    def kirim(self, alamat: str, subjek: str, isi: str) -> None:
        u = urlparse(self.url)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        tls = q.get("tls", "ssl" if u.scheme == "smtps" else "")
        host, port = u.hostname or "localhost", u.port or (465 if tls == "ssl" else 25)
        msg = surel(subjek, isi, q.get("dari", DARI), alamat)
        try:
            # EHLO's name given, not looked up: smtplib's getfqdn() is a reverse DNS query per connection
            if tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, local_hostname=_ehlo(), timeout=TIMEOUT_S,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, local_hostname=_ehlo(), timeout=TIMEOUT_S)
            with smtp:
                if tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if u.username:
                    smtp.login(unquote(u.username), unquote(u.password or ""))
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise KirimGagal(f"SMTP {host}:{port}: {type(exc).__name__}") from None


@dataclass
class JalurBerkas:
    """A folder: each message one ``.eml`` file, named by time and account (the embedded demo's outbox)."""

    folder: str
    nama: str = "berkas"

    def kirim(self, alamat: str, subjek: str, isi: str) -> None:
        import time

        folder = Path(self.folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            base = f"{time.strftime('%Y%m%dT%H%M%S')}-{''.join(c if c.isalnum() else '_' for c in alamat)[:60]}"
            n = 0
            while (path := folder / f"{base}-{n:03d}.eml").exists():
                n += 1
            path.write_bytes(bytes(surel(subjek, isi, DARI, alamat)))
        except OSError as exc:
            raise KirimGagal(f"folder kabar tidak dapat ditulis: {type(exc).__name__}") from None


MAKERS: dict[str, Callable[[str], Jalur]] = {"apprise": JalurApprise, "smtp": JalurSmtp, "berkas": JalurBerkas}


def jalur_kanal(kanal: KanalKabar, env: dict[str, str] | None = None,
                extra: dict[str, str] | None = None) -> list[Jalur]:
    """A channel's ways whose variable is set, in order. ``extra``: values the caller found elsewhere for a
    variable that is unset (in Airflow, the SMTP provider's connection for the SMTP way)."""
    env = dict(os.environ if env is None else env)
    found: list[Jalur] = []
    for kind, var in kanal.jalur:
        value = env.get(var) or (extra or {}).get(var) or ""
        if value:
            found.append(MAKERS[kind](value))
    return found
