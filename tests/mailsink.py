"""A real SMTP server for tests (aiosmtpd in a thread), whose mail the tests read.

``with MailSink() as sink:`` listens on a free port (``sink.url`` for ``SMTP_URL``) and
keeps every message it accepts (``sink.messages``, parsed). ``sink.refuse(code)`` makes it
answer the next DATA commands with an error (451: try later; 550: refused for good), and
``sink.delay`` holds each DATA for that many seconds (a slow server, to kill a worker
mid-batch).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["MailSink", "link_in"]

_LINK = re.compile(r"https?://\S+/(take|rate|nominate|key|expert)/[A-Za-z0-9_-]+")


def link_in(message: EmailMessage, kind: str = "") -> str:
    """The first respondent link (``/take/…``, ``/rate/…``, …) in the text part."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    for found in _LINK.finditer(text):
        if not kind or found.group(1) == kind:
            return found.group(0)
    raise AssertionError(f"no {kind or 'respondent'} link in:\n{text}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailSink:
    """An SMTP server on 127.0.0.1 that stores what it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.delay = 0.0
        self._refusals: list[int] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def refuse(self, code: int, times: int = 1) -> None:
        """Answer the next ``times`` DATA commands with ``code``."""
        with self._lock:
            self._refusals += [code] * times

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            if self._refusals:
                code = self._refusals.pop(0)
                return f"{code} refused by the test"
            self.envelopes.append(envelope)
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
            )
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages to ``address``, in the order received."""
        return [m for m in list(self.messages) if address in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages have arrived; all of them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            time.sleep(0.05)
        return list(self.messages)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
