"""Real receivers for the notification tests: an SMTP server in the test process (aiosmtpd) and a local HTTP
receiver standing in for a webhook channel. Both on loopback; both keep what they received for the test to read."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Surat:
    """One mail as the SMTP server received it."""

    dari: str
    ke: list[str]
    pesan: EmailMessage

    @property
    def subjek(self) -> str:
        return str(self.pesan["Subject"])

    @property
    def isi(self) -> str:
        part = self.pesan.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class KotakSurat:
    """An SMTP server on loopback that keeps every mail (``aiosmtpd``)."""

    port: int
    surat: list[Surat] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.surat.append(Surat(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"

    def untuk(self, alamat: str) -> list[Surat]:
        return [s for s in self.surat if alamat in s.ke]


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[KotakSurat]:
    from aiosmtpd.controller import Controller

    box = KotakSurat(port or free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def apprise_mailto(port: int) -> str:
    """Apprise's e-mail URL for a plain SMTP server on loopback (no TLS, no login), to the account's address."""
    return f"mailto://127.0.0.1:{port}?from=kabar@desacantik.invalid&to={{alamat}}&mode=insecure&format=text"


@dataclass
class Webhook:
    port: int
    diterima: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (path, JSON body)


@contextmanager
def webhook_server() -> Iterator[Webhook]:
    """A local HTTP receiver: each POST's path and JSON body kept (Apprise's ``json://``)."""
    hook = Webhook(free_port())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hook.diterima.append((self.path, json.loads(body or b"{}")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, _format: str, *_args: Any) -> None:  # quiet
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
