"""Sending e-mail through the server named by the ``SMTP_URL`` setting (no HTTP)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

__all__ = ["send"]


def send(smtp_url: str, sender: str, messages: list[tuple[str, str, str]]) -> list[bool]:
    """Send (to, subject, body) e-mails through ``smtp://host:port`` (``smtps://`` for TLS).

    Returns whether each message was accepted by the server; a server that cannot be
    reached accepts none (nothing raised: the caller keeps the old links of the others).
    """
    parts = urlsplit(smtp_url)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    sent = [False] * len(messages)
    try:
        with cls(parts.hostname or "localhost", parts.port or 25, timeout=30) as smtp:
            if parts.username:
                smtp.login(parts.username, parts.password or "")
            for n, (to, subject, body) in enumerate(messages):
                msg = EmailMessage()
                msg["From"] = sender
                msg["To"] = to
                # a header never carries a line break, whatever a stored name holds
                msg["Subject"] = " ".join(subject.split())
                msg.set_content(body)
                try:
                    smtp.send_message(msg)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError):
                    continue
                sent[n] = True
    except (OSError, smtplib.SMTPException):
        pass
    return sent
