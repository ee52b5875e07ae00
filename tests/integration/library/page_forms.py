"""Helpers for the staff page tests: forms read and posted the way a browser does.

Forms are posted as ``application/x-www-form-urlencoded`` with the CSRF token read from the
page; ``browser_form`` parses a rendered form and sends every successful control (empty
text inputs included, the selected option of every select, checked boxes only), exactly
what a browser puts on the wire.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
from litestar.testing import AsyncTestClient

from tests.conftest import PASSWORD

FORM = "application/x-www-form-urlencoded"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# ---- helpers ---------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "the page has no hidden _csrf_token input"
    return found.group(1)


async def page_token(client: AsyncTestClient, path: str = "/app") -> str:
    """Open a page (which also sets the CSRF cookie) and read the form's CSRF token."""
    r = await client.get(path, follow_redirects=False)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return csrf_token(r.text)


def set_cookies(r: httpx.Response) -> list[str]:
    return r.headers.get_list("set-cookie")


def session_set_cookie(r: httpx.Response) -> str | None:
    return next((c for c in set_cookies(r) if c.startswith("engine_session=")), None)


def location(r: httpx.Response) -> str:
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    return r.headers["location"]


async def form_login(
    client: AsyncTestClient, email: str, password: str = PASSWORD, next: str = "/app"
) -> httpx.Response:
    """Open /login and submit its form, as a person at a browser would."""
    page = await client.get("/login", params={"next": next})
    assert page.status_code == 200
    return await client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "_csrf_token": csrf_token(page.text),
            "next": next,
        },
        follow_redirects=False,
    )


async def competencies(client: AsyncTestClient, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/v1/competencies", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()


async def competency(client: AsyncTestClient, key: str) -> dict[str, Any]:
    items = {c["key"]: c for c in (await competencies(client))["items"]}
    assert key in items, f"competency {key!r} not found; have {sorted(items)}"
    return items[key]


async def role(client: AsyncTestClient, key: str) -> dict[str, Any]:
    r = await client.get("/api/v1/roles", params={"limit": 500})
    assert r.status_code == 200, r.text
    items = {x["key"]: x for x in r.json()["items"]}
    assert key in items, f"role {key!r} not found; have {sorted(items)}"
    return items[key]


def card(html: str, name: str) -> str:
    """The library card (``<li class="card">``) of the competency called ``name``."""
    for body in re.findall(r'<li class="card">(.*?)</li>', html, re.S):
        if re.search(rf">{re.escape(name)}</a>", body):
            return body
    raise AssertionError(f"no card for {name!r} on the page")


def listed_names(html: str) -> list[str]:
    """Competency names shown as library cards."""
    return re.findall(r'<li class="card">\s*<h3><a href="[^"]*">([^<]*)</a>', html)


class _Forms(HTMLParser):
    """Collects every form and the name/value pairs a browser would submit for it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append([a["name"], a.get("value", "on")])
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form["fields"].append([a["name"], a.get("value", "")])
        elif tag == "select" and "name" in a:
            self._select = {"name": a["name"], "options": []}
        elif tag == "option" and self._select is not None:
            self._close_option()
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and "name" in a:
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            self._select["options"].append(self._option)
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            options = self._select["options"]
            chosen = next((o for o in options if o["selected"]), options[0] if options else None)
            if chosen is not None:
                value = chosen["value"]
                if value is None:
                    value = " ".join(chosen["text"].split())
                self._form["fields"].append([self._select["name"], value])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append([self._textarea["name"], self._textarea["text"]])
            self._textarea = None
        elif tag == "form":
            self._form = None


def browser_form(html: str, action: str) -> list[list[str]]:
    """The fields a browser would submit from the form posting to ``action``."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return form["fields"]
    raise AssertionError(
        f"no form posting to {action!r}; have {[f['action'] for f in parser.forms]}"
    )


def set_field(fields: list[list[str]], name: str, value: str, nth: int = 0) -> None:
    """Type ``value`` into the ``nth`` control called ``name``."""
    matches = [f for f in fields if f[0] == name]
    assert len(matches) > nth, f"the form has {len(matches)} {name!r} controls"
    matches[nth][1] = value


def field_values(fields: list[list[str]], name: str) -> list[str]:
    return [v for n, v in fields if n == name]


async def post_fields(
    client: AsyncTestClient, action: str, fields: list[list[str]]
) -> httpx.Response:
    return await client.post(
        action,
        content=urlencode([(n, v) for n, v in fields]),
        headers={"content-type": FORM},
        follow_redirects=False,
    )


def error_items(html: str) -> list[str]:
    """The error box's items as ``path: message`` (the page shows the field's label; the
    item's ``data-field`` names the path)."""
    box = re.search(r'<div class="error" role="alert" id="form-errors">(.*?)</div>', html, re.S)
    assert box, "the page shows no error box"
    items = []
    for path, body in re.findall(r'<li data-field="([^"]*)">(.*?)</li>', box.group(1), re.S):
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", body))
        items.append(f"{html_lib.unescape(path)}: {text.split(': ', 1)[-1]}")
    return items


def error_labels(html: str) -> list[str]:
    """The error box's items as a person reads them (``label: message``)."""
    box = re.search(r'<div class="error" role="alert" id="form-errors">(.*?)</div>', html, re.S)
    assert box, "the page shows no error box"
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", body))
        for body in re.findall(r"<li[^>]*>(.*?)</li>", box.group(1), re.S)
    ]


def new_competency_form(token: str, indicators: bool = True, **overrides: Any) -> dict[str, Any]:
    """A filled-in "New competency" form; repeated rows are lists of column values.

    ``indicators=False`` leaves the indicator rows empty (as a person who skips them would).
    """
    data: dict[str, Any] = {
        "_csrf_token": token,
        "key": "active_listening",
        "name": "Active listening",
        "area": "",
        "definition": "Listens to the whole request before answering.",
        "benefit": "Fewer repeat contacts caused by misunderstandings.",
        "select_for": "on",
        "develop": "on",
        "indicator_key": ["", ""],
        "indicator_text": [
            "Sums up the request in own words before solving it.",
            "Talks over the customer to save time.",
        ],
        "indicator_polarity": ["present", "absent"],
        "measure_name": ["Listen-in score", "First contact resolution"],
        "measure_kind": ["observation", "kpi"],
        "measure_description": ["Team lead listens to five calls.", "Share solved at once."],
        "activity_kind": ["training", "coaching"],
        "activity_module": ["call_control", "telephone_technique"],
        "activity_title": ["Call control module", "Listening drill"],
        "activity_description": ["Questioning techniques.", "Weekly replay of two calls."],
    }
    if not indicators:
        data.update(indicator_key=["", ""], indicator_text=["", ""])
    data.update(overrides)
    return data
