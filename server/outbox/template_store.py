"""Storing the mail templates of a vacancy or a cycle (``settings["mail"]``, JSON).

The vacancy's and the cycle's other settings are kept as they are: the settings are read
and written back in one write transaction.
"""

from __future__ import annotations

from typing import Any, Literal

from server.core.db import loads, write_transaction
from server.core.errors import NotFound
from server.tables import Campaign, Review

__all__ = ["Owner", "load_settings", "save_mail"]

Owner = Literal["campaign", "review"]
_TABLES: dict[str, Any] = {"campaign": Campaign, "review": Review}


async def load_settings(owner: Owner, ident: int) -> dict[str, Any]:
    """The whole ``settings`` of the vacancy or cycle."""
    table = _TABLES[owner]
    row = await table.select(table.settings).where(table.id == ident).first()
    if row is None:
        raise NotFound.of(owner, ident)
    return dict(loads(row["settings"]) or {})


async def save_mail(owner: Owner, ident: int, mail: dict[str, Any]) -> dict[str, Any]:
    """Replace ``settings["mail"]`` (kind -> language -> subject and body); returns what
    was there before."""
    table = _TABLES[owner]
    async with write_transaction():
        row = await table.select(table.settings).where(table.id == ident).first()
        if row is None:
            raise NotFound.of(owner, ident)
        settings = dict(loads(row["settings"]) or {})
        before = dict(settings.get("mail") or {})
        if mail:
            settings["mail"] = mail
        else:
            settings.pop("mail", None)
        await table.update({table.settings: settings}).where(table.id == ident)
    return before
