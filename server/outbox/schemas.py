"""Request and response bodies of the mail templates API."""

from __future__ import annotations

from msgspec import Struct

from server.core.schemas import Base

__all__ = ["MailTemplates", "MailTemplatesIn", "MailText"]


class MailText(Base, omit_defaults=True):
    """A subject and a body (jinja2 text with the kind's variables); empty = the default."""

    subject: str = ""
    body: str = ""


class MailTemplatesIn(Base):
    """Every own template of a vacancy or cycle: kind -> language -> subject and body.
    What is left out (or empty) uses the default text in that language."""

    templates: dict[str, dict[str, MailText]]


class MailTemplates(Struct, kw_only=True):
    """The own templates, the defaults they replace, and the variables of each kind."""

    languages: list[str]
    templates: dict[str, dict[str, MailText]]
    defaults: dict[str, dict[str, MailText]]
    variables: dict[str, dict[str, str]]  # kind -> variable -> what it holds (English)
