"""Sending e-mail through the server named by the ``SMTP_URL`` setting (no HTTP).

The outbox worker opens one connection per batch (:func:`connect`) and hands it each
:class:`Letter` (:func:`deliver`). A refusal that will not change (a 5xx reply, an address
the server rejects) raises :class:`Refused`; anything else (no connection, a 4xx reply, a
timeout) raises :class:`Unavailable`, and the message is tried again later.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

__all__ = ["Letter", "Refused", "Unavailable", "connect", "deliver", "header_text"]

# control characters, zero-width characters and bidirectional overrides: never in a header
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


class Refused(Exception):
    """The mail server refused the message for good (it is not tried again)."""


class Unavailable(Exception):
    """The message could not be handed over now (it is tried again later)."""


@dataclass(frozen=True)
class Letter:
    """One e-mail: plain text and HTML parts, and its ``Message-ID`` (kept over tries)."""

    to_email: str
    to_name: str
    subject: str
    text: str
    html: str
    message_id: str


def header_text(value: str) -> str:
    """``value`` on one line: line breaks and hidden characters become spaces, so nothing a
    person typed (a name, a vacancy title) can start a header of its own."""
    return " ".join(_HIDDEN.sub(" ", value).split())


def connect(smtp_url: str, *, timeout: float = 30) -> smtplib.SMTP:
    """An open, logged-in connection to ``smtp://[user:password@]host:port`` (``smtps://``
    for TLS from the start, ``smtp+starttls://`` to upgrade). Raises :class:`Unavailable`."""
    parts = urlsplit(smtp_url)
    try:
        if parts.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                parts.hostname or "localhost", parts.port or 465, timeout=timeout
            )
        else:
            smtp = smtplib.SMTP(parts.hostname or "localhost", parts.port or 25, timeout=timeout)
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except (OSError, smtplib.SMTPException) as exc:
        raise Unavailable(f"cannot reach the mail server: {exc}") from None
    return smtp


def build(sender: str, letter: Letter) -> EmailMessage:
    """The MIME message: text with an HTML alternative, headers on one line each."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Address(display_name=header_text(letter.to_name), addr_spec=letter.to_email)
    msg["Subject"] = header_text(letter.subject)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = letter.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(letter.text)
    if letter.html:
        msg.add_alternative(letter.html, subtype="html")
    return msg


def deliver(smtp: smtplib.SMTP, sender: str, letter: Letter) -> None:
    """Hand ``letter`` to the server. Raises :class:`Refused` or :class:`Unavailable`."""
    try:
        msg = build(sender, letter)
    except (ValueError, IndexError) as exc:  # an address the header cannot hold
        raise Refused(f"the address cannot be written in a header: {exc}") from None
    try:
        smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values())
        if all(c >= 500 for c in codes):
            raise Refused(f"recipient refused: {detail}") from None
        raise Unavailable(f"recipient not accepted now: {detail}") from None
    except smtplib.SMTPResponseException as exc:
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        if 500 <= exc.smtp_code < 600:
            raise Refused(f"{exc.smtp_code} {reply}") from None
        raise Unavailable(f"{exc.smtp_code} {reply}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise Unavailable(f"the connection failed: {exc}") from None
