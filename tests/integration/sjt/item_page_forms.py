"""Helpers of the item bank page tests: the editor's fields as a browser posts them."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')

EN = {
    "context": "A customer calls for the third time about a late delivery.",
    "stem": "What do you do?",
    "options": [
        "Apologise and track the parcel while they wait.",
        "Tell them to wait another week.",
        "Transfer them to a colleague.",
        "Offer a refund at once.",
    ],
}
SV = {
    "context": "En kund ringer för tredje gången om en försenad leverans.",
    "stem": "Vad gör du?",
    "options": [
        "Be om ursäkt och spåra paketet medan kunden väntar.",
        "Be kunden vänta en vecka till.",
        "Koppla samtalet till en kollega.",
        "Erbjud återbetalning direkt.",
    ],
}


async def csrf(client: AsyncTestClient, path: str = "/app/sjt/items/new") -> str:
    r = await client.get(path, follow_redirects=False)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    found = CSRF_RE.search(r.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def item_form(
    token: str,
    *,
    key: str = "late_delivery",
    en: dict[str, Any] | None = None,
    sv: dict[str, Any] | None = None,
    competencies: tuple[str, ...] = ("customer_orientation",),
    status: str = "draft",
    option_keys: tuple[str, ...] = ("",) * 6,
) -> list[tuple[str, str]]:
    """The editor's fields in the order the page sends them (six option rows per language)."""
    en = EN if en is None else en
    fields: list[tuple[str, str]] = [("_csrf_token", token), ("key", key), ("status", status)]
    fields += [("competencies", c) for c in competencies]
    fields += [("formats", f) for f in ("rate", "most_least", "rank")]
    fields += [("option_key", k) for k in option_keys]
    for lang, texts in (("en", en), ("sv", sv or {}), ("nb", {}), ("ru", {})):
        fields.append((f"context_{lang}", texts.get("context", "")))
        fields.append((f"stem_{lang}", texts.get("stem", "")))
        opts = list(texts.get("options", []))
        opts += [""] * (6 - len(opts))
        fields += [(f"option_{lang}", o) for o in opts]
    return fields


def location_id(response: Any) -> int:
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    found = re.search(r"/(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


async def post_form(client: AsyncTestClient, path: str, fields: list[tuple[str, str]]) -> Any:
    """POST urlencoded fields (repeated names kept in order), as a browser does."""
    from urllib.parse import urlencode

    return await client.post(
        path,
        content=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
