"""The staff HTML pages, used the way a browser uses them.

Everything goes through the real app and the real database: the test client's cookie jar
keeps the CSRF and session cookies, forms are posted as ``application/x-www-form-urlencoded``
with the CSRF token read from the page, and results are checked both on the pages and
through the JSON API.

Where a test submits an editor form "as a browser would", it parses the rendered form and
sends every successful control (empty text inputs included, the selected option of every
select, checked boxes only), exactly what a browser puts on the wire.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.bootstrap import DEMO_LIBRARY
from server.settings import get_settings
from tests.conftest import PASSWORD, login, make_user

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
    """The ``<li>`` texts of the editor's error box (``path: message``)."""
    box = re.search(r'<div class="error" role="alert" id="form-errors">(.*?)</div>', html, re.S)
    assert box, "the page shows no error box"
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", li))
        for li in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
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


# ---- anonymous visitors and the login form ---------------------------------------------


async def test_app_without_session_redirects_to_login(client: AsyncTestClient) -> None:
    r = await client.get("/app", follow_redirects=False)
    target = urlsplit(location(r))
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": ["/app"]}
    assert session_set_cookie(r) is None


async def test_deep_link_without_session_keeps_path_and_query_in_next(
    client: AsyncTestClient,
) -> None:
    r = await client.get("/app?flag=develop&lang=ru", follow_redirects=False)
    target = urlsplit(location(r))
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/app?flag=develop&lang=ru"]


async def test_login_page_shows_form_with_csrf_token(client: AsyncTestClient) -> None:
    r = await client.get("/login", params={"next": "/app"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<form method="post" action="/login">' in r.text
    token = csrf_token(r.text)
    assert len(token) > 64
    assert client.cookies.get("engine_csrf"), "the login page must set the CSRF cookie"
    assert 'name="email"' in r.text and 'type="password"' in r.text
    assert '<input type="hidden" name="next" value="/app">' in r.text
    # not logged in: no logout form, no user badge
    assert 'action="/logout"' not in r.text


async def test_login_page_drops_foreign_next(client: AsyncTestClient) -> None:
    r = await client.get("/login", params={"next": "https://evil.example/"})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert '<input type="hidden" name="next" value="/app">' in r.text


async def test_login_through_form_sets_session_and_redirects_to_next(
    client: AsyncTestClient,
) -> None:
    email = await make_user("recruiter")
    r = await form_login(client, email, next="/app?flag=develop")
    assert location(r) == "/app?flag=develop"
    cookie = session_set_cookie(r)
    assert cookie is not None, set_cookies(r)
    attributes = [p.strip().lower() for p in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert client.cookies.get("engine_session")
    # the session works: the library page opens and names the user
    page = await client.get("/app", follow_redirects=False)
    assert page.status_code == 200
    assert email in page.text
    assert '<span class="badge">recruiter</span>' in page.text


async def test_login_with_wrong_password_shows_error_and_sets_no_session(
    client: AsyncTestClient,
) -> None:
    email = await make_user("admin")
    r = await form_login(client, email, password="not the password")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert '<p class="error" role="alert" id="login-error">Wrong e-mail or password</p>' in r.text
    assert f'value="{email}"' in r.text, "the e-mail stays filled in"
    assert "not the password" not in r.text, "the password is never echoed"
    assert session_set_cookie(r) is None
    assert client.cookies.get("engine_session") is None
    after = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(after)).path == "/login"


async def test_login_with_unknown_email_looks_like_wrong_password(
    client: AsyncTestClient,
) -> None:
    r = await form_login(client, "nobody@test.example")
    assert r.status_code == 401
    assert "Wrong e-mail or password" in r.text
    assert session_set_cookie(r) is None


async def test_login_post_without_csrf_token_is_refused(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    await client.get("/login")  # the CSRF cookie is there, the form field is not
    assert client.cookies.get("engine_csrf")
    r = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/app"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "CSRF" in r.text
    assert session_set_cookie(r) is None
    assert client.cookies.get("engine_session") is None


async def test_login_post_with_forged_csrf_token_is_refused(client: AsyncTestClient) -> None:
    email = await make_user("admin")
    token = await page_token(client, "/login")
    forged = ("0" if token[0] != "0" else "1") + token[1:]
    r = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/app", "_csrf_token": forged},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert session_set_cookie(r) is None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/app", "/\\evil.example", "javascript:alert(1)"],
)
async def test_login_never_redirects_off_site(client: AsyncTestClient, target: str) -> None:
    email = await make_user("admin")
    r = await form_login(client, email, next=target)
    assert location(r) == "/app"
    assert session_set_cookie(r) is not None


async def test_logout_ends_the_session(client: AsyncTestClient) -> None:
    email = await make_user("coach")
    r = await form_login(client, email)
    stolen = client.cookies.get("engine_session")
    assert stolen
    token = await page_token(client, "/app")
    r = await client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert location(r) == "/login"
    cleared = session_set_cookie(r)
    assert cleared is not None and "max-age=0" in cleared.lower(), set_cookies(r)
    again = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(again)).path == "/login"
    # the old token is closed on the server, not just forgotten by the browser
    client.cookies.set("engine_session", stolen)
    replay = await client.get("/app", follow_redirects=False)
    assert urlsplit(location(replay)).path == "/login"


# ---- the library pages -----------------------------------------------------------------


async def test_library_lists_competencies_with_flags(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    r = await recruiter.get("/app")
    assert r.status_code == 200
    html = r.text
    names = listed_names(html)
    assert len(names) == 14
    assert 'Competencies <span class="muted">(14)</span>' in html
    assert names[:3] == ["Customer orientation", "Results orientation", "Stress resistance"]
    select_only = card(html, "Customer orientation")
    assert 'class="flag select"' in select_only and ">Select for</span>" in select_only
    assert 'class="flag develop"' not in select_only
    develop_only = card(html, "Communication")
    assert 'class="flag develop"' in develop_only and ">Develop</span>" in develop_only
    assert 'class="flag select"' not in develop_only
    both = card(html, "Stress resistance")
    assert 'class="flag select"' in both and 'class="flag develop"' in both
    assert "5 indicators · 3 measures · 3 activities" in select_only
    # areas and roles
    assert "<h3>Service Delivery</h3>" in html
    for name in ("Customer service operator", "Merchant support agent", "Team lead"):
        assert f">{name}</a>" in html
    # a recruiter is not offered the editor
    assert "/app/competencies/new" not in html


async def test_library_filter_select_for(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"flag": "select_for"})
    assert r.status_code == 200
    names = listed_names(r.text)
    assert "Customer orientation" in names
    assert "Communication" not in names
    assert ">Communication</a>" not in r.text
    assert set(names) == {
        "Customer orientation",
        "Results orientation",
        "Stress resistance",
        "Tolerance",
        "Service standards",
        "Crisis composure",
    }
    assert 'value="select_for" checked' in r.text


async def test_library_filter_develop(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"flag": "develop"})
    assert r.status_code == 200
    names = listed_names(r.text)
    assert "Communication" in names and "Stress resistance" in names
    assert "Customer orientation" not in names and "Crisis composure" not in names
    assert len(names) == 11


async def test_library_rejects_unknown_flag(recruiter: AsyncTestClient) -> None:
    r = await recruiter.get("/app", params={"flag": "everything"})
    assert r.status_code == 400


async def test_library_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"lang": "ru"})
    assert r.status_code == 200
    html = r.text
    names = listed_names(html)
    assert "Клиентоориентированность" in names
    assert "Коммуникация" in names
    assert "Customer orientation" not in html
    assert "Искренне стремится помочь каждому клиенту" in html
    assert "<h3>Обслуживание клиентов</h3>" in html
    assert ">Оператор службы поддержки клиентов</a>" in html
    assert '<html lang="ru">' in html
    assert '<option value="ru" selected>' in html
    # links keep the language
    assert re.search(r'href="/app/competencies/\d+\?lang=ru">Клиентоориентированность<', html)


async def test_competency_page_shows_indicators_measures_activities_and_roles(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    c = await competency(recruiter, "customer_orientation")
    r = await recruiter.get(f"/app/competencies/{c['id']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Customer orientation</h1>" in html
    assert "Sincerely wants to help every customer" in html
    assert 'class="flag select"' in html and 'class="flag develop"' not in html
    # indicators, with their polarity
    assert (
        '<li class="present"><span class="pol">Shows</span> Offers help on their own '
        "initiative instead of waiting for the customer to request each step.</li>"
    ) in html
    assert (
        '<li class="absent"><span class="pol">Warning sign</span> Handles the contact as a '
        "ticket to close rather than as a person who needs help.</li>"
    ) in html
    # measures
    assert '<strong>Transactional NPS (tNPS)</strong> <span class="badge">kpi</span>' in html
    assert "<strong>Observation of remarks about customers</strong>" in html
    # activities, with the catalogue module
    assert "<strong>Welcoming team climate</strong>" in html
    assert '<span class="badge">on the job</span>' in html
    assert "module 1: Attitudes, strategy, core values and work environment" in html
    # roles that require it, with weight and level
    assert re.search(r">Customer service operator</a></td><td>1\.5</td><td>4</td>", html), (
        "cs_operator requires it at weight 1.5, level 4"
    )
    assert re.search(r">Merchant support agent</a></td><td>1\.0</td><td>4</td>", html)
    assert ">Team lead</a>" not in html
    # language switch offered; a recruiter gets no Edit button
    assert 'href="?lang=ru"' in html
    assert f"/app/competencies/{c['id']}/edit" not in html


async def test_competency_page_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    c = await competency(recruiter, "customer_orientation")
    r = await recruiter.get(f"/app/competencies/{c['id']}", params={"lang": "ru"})
    assert r.status_code == 200
    assert "<h1>Клиентоориентированность</h1>" in r.text
    assert "По собственной инициативе предлагает помощь" in r.text
    assert "<strong>Транзакционный NPS (tNPS)</strong>" in r.text
    assert "<strong>Доброжелательная атмосфера в команде</strong>" in r.text
    assert "Offers help on their own initiative" not in r.text


async def test_missing_competency_page_is_404(recruiter: AsyncTestClient) -> None:
    r = await recruiter.get("/app/competencies/999999")
    assert r.status_code == 404


async def test_role_page_lists_its_competencies(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    cs = await role(recruiter, "cs_operator")
    r = await recruiter.get(f"/app/roles/{cs['id']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Customer service operator</h1>" in html
    assert "Answers private customers by phone" in html
    rows = re.findall(r'<tr><td><a href="/app/competencies/\d+">([^<]+)</a></td>', html)
    assert rows == [
        "Customer orientation",
        "Stress resistance",
        "Tolerance",
        "Results orientation",
        "Empathy",
        "Communication",
        "Solution focus",
        "Telephone technique",
        "Call control",
        "Product and business knowledge",
    ]
    assert "Coaching others" not in html
    first = html[html.index(">Customer orientation</a>") :].split("</tr>")[0]
    assert "<td>1.5</td>" in first and 'aria-label="level 4 of 5"' in first
    assert 'class="flag select"' in first


async def test_role_page_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    cs = await role(recruiter, "team_lead")
    r = await recruiter.get(f"/app/roles/{cs['id']}", params={"lang": "ru"})
    assert r.status_code == 200
    assert "<h1>Руководитель группы</h1>" in r.text
    assert ">Развитие сотрудников</a>" in r.text
    assert ">Coaching others</a>" not in r.text


# ---- the editor: who may use it ----------------------------------------------------------


async def test_recruiter_cannot_open_the_editor(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    c = await competency(recruiter, "communication")
    for path in ("/app/competencies/new", f"/app/competencies/{c['id']}/edit", "/app/roles/new"):
        r = await recruiter.get(path, follow_redirects=False)
        assert r.status_code == 403, path
        assert "Only admins may do this (you are recruiter)" in r.text


async def test_recruiter_cannot_post_to_the_editor(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    token = await page_token(recruiter)
    before = (await competencies(recruiter))["total"]
    r = await recruiter.post(
        "/app/competencies", data=new_competency_form(token), follow_redirects=False
    )
    assert r.status_code == 403
    assert "Only admins" in r.text
    assert (await competencies(recruiter))["total"] == before
    keys = {c["key"] for c in (await competencies(recruiter))["items"]}
    assert "active_listening" not in keys

    c = await competency(recruiter, "communication")
    r = await recruiter.post(
        f"/app/competencies/{c['id']}",
        data=new_competency_form(token, key="communication", name="Hijacked"),
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert (await competency(recruiter, "communication"))["name"] == "Communication"

    r = await recruiter.post(
        f"/app/competencies/{c['id']}/delete", data={"_csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 403
    assert (await competency(recruiter, "communication"))["id"] == c["id"]


async def test_anonymous_post_to_the_editor_goes_to_login(client: AsyncTestClient) -> None:
    token = await page_token(client, "/login")
    r = await client.post(
        "/app/competencies", data=new_competency_form(token), follow_redirects=False
    )
    assert urlsplit(location(r)).path == "/login"
    await login(client, "admin")
    assert (await competencies(client))["total"] == 0


async def test_editor_post_without_csrf_token_is_refused(admin: AsyncTestClient) -> None:
    await page_token(admin)  # the CSRF cookie is set, but the form field is left out
    data = new_competency_form("")
    del data["_csrf_token"]
    r = await admin.post("/app/competencies", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert (await competencies(admin))["total"] == 0


# ---- the editor: creating ----------------------------------------------------------------


async def test_admin_creates_competency_through_the_form(admin: AsyncTestClient) -> None:
    page = await admin.get("/app/competencies/new")
    assert page.status_code == 200
    assert '<form method="post" action="/app/competencies" class="editor">' in page.text
    assert 'href="/app/competencies/new"' in (await admin.get("/app")).text

    r = await admin.post(
        "/app/competencies",
        data=new_competency_form(csrf_token(page.text)),
        follow_redirects=False,
    )
    target = location(r)
    assert re.fullmatch(r"/app/competencies/\d+", target), target

    listed = await competencies(admin, flag="select_for")
    assert [c["key"] for c in listed["items"]] == ["active_listening"]
    created = listed["items"][0]
    assert target == f"/app/competencies/{created['id']}"
    assert created["name"] == "Active listening"
    assert created["definition"] == "Listens to the whole request before answering."
    assert created["benefit"] == "Fewer repeat contacts caused by misunderstandings."
    assert created["select_for"] is True and created["develop"] is True
    assert created["area"] is None
    assert [(i["text"], i["polarity"]) for i in created["indicators"]] == [
        ("Sums up the request in own words before solving it.", "present"),
        ("Talks over the customer to save time.", "absent"),
    ]
    assert all(i["key"] for i in created["indicators"]), "keys are assigned on save"
    assert [(m["name"], m["kind"], m["description"]) for m in created["measures"]] == [
        ("Listen-in score", "observation", "Team lead listens to five calls."),
        ("First contact resolution", "kpi", "Share solved at once."),
    ]
    assert [
        (a["kind"], a["module"], a["title"], a["description"]) for a in created["activities"]
    ] == [
        ("training", "call_control", "Call control module", "Questioning techniques."),
        ("coaching", "telephone_technique", "Listening drill", "Weekly replay of two calls."),
    ]

    shown = await admin.get(target)
    assert shown.status_code == 200
    assert "<h1>Active listening</h1>" in shown.text
    assert "Talks over the customer to save time." in shown.text
    assert "module 3: Call control" in shown.text


async def test_admin_creates_competency_in_an_area_with_one_flag(
    admin: AsyncTestClient, demo_library: None
) -> None:
    token = await page_token(admin, "/app/competencies/new")
    data = new_competency_form(token, indicators=False, area="service_delivery")
    del data["select_for"]  # only "Develop" ticked
    r = await admin.post("/app/competencies", data=data, follow_redirects=False)
    assert re.fullmatch(r"/app/competencies/\d+", location(r))
    created = await competency(admin, "active_listening")
    assert created["area"] == "service_delivery"
    assert created["select_for"] is False and created["develop"] is True
    assert created["indicators"] == []
    assert [m["name"] for m in created["measures"]] == [
        "Listen-in score",
        "First contact resolution",
    ]
    select_keys = {c["key"] for c in (await competencies(admin, flag="select_for"))["items"]}
    assert "active_listening" not in select_keys


@pytest.mark.parametrize(
    ("overrides", "drop", "field", "message"),
    [
        ({"name": ""}, (), "name", "must not be empty"),
        ({"name": "   "}, (), "name", "must not be empty"),
        ({}, ("select_for", "develop"), "select_for", "must be select_for, develop, or both"),
        ({"key": "Bad Key!"}, (), "key", "'Bad Key!'"),
        ({"key": ""}, (), "key", "must not be empty"),
        ({"definition": ""}, (), "definition", "must not be empty"),
        ({"definition": "x" * 301}, (), "definition", "longer than 300 characters"),
        ({"area": "no_such_area"}, (), "area", "unknown area 'no_such_area'"),
    ],
)
async def test_invalid_form_is_refused_with_field_errors(
    admin: AsyncTestClient,
    overrides: dict[str, str],
    drop: tuple[str, ...],
    field: str,
    message: str,
) -> None:
    token = await page_token(admin, "/app/competencies/new")
    # indicator rows left empty: a new indicator row hits a separate bug (see the create tests)
    data = new_competency_form(token, indicators=False, **overrides)
    for name in drop:
        del data[name]
    r = await admin.post("/app/competencies", data=data, follow_redirects=False)
    assert r.status_code == 422, r.text[:500]
    assert "Nothing was saved." in r.text
    errors = error_items(r.text)
    assert any(e.startswith(f"{field}:") and message in e for e in errors), errors
    # the form comes back filled in, so nothing typed is lost
    assert '<form method="post" action="/app/competencies" class="editor">' in r.text
    assert 'value="Listen-in score"' in r.text
    assert 'value="Weekly replay of two calls."' in r.text
    assert (await competencies(admin))["total"] == 0


async def test_form_with_indicators_but_no_flag_is_refused_with_422(
    admin: AsyncTestClient,
) -> None:
    """The "at least one flag" rule is reported on the page, also when indicators are filled in."""
    token = await page_token(admin, "/app/competencies/new")
    data = new_competency_form(token)
    del data["select_for"], data["develop"]
    r = await admin.post("/app/competencies", data=data, follow_redirects=False)
    assert r.status_code == 422, r.text[:300]
    errors = error_items(r.text)
    assert any(e.startswith("select_for:") and "develop, or both" in e for e in errors), errors
    assert (await competencies(admin))["total"] == 0


async def test_invalid_form_marks_the_field_invalid(admin: AsyncTestClient) -> None:
    token = await page_token(admin, "/app/competencies/new")
    r = await admin.post(
        "/app/competencies", data=new_competency_form(token, name=""), follow_redirects=False
    )
    assert r.status_code == 422
    name_input = re.search(r'<input id="name"[^>]*>', r.text)
    assert name_input and 'aria-invalid="true"' in name_input.group(0)
    key_input = re.search(r'<input id="key"[^>]*>', r.text)
    assert key_input and "aria-invalid" not in key_input.group(0)
    assert 'value="active_listening"' in key_input.group(0)


async def test_invalid_form_reports_every_problem_at_once(admin: AsyncTestClient) -> None:
    """Empty name, bad key and no flag in one submission: all three are listed."""
    token = await page_token(admin, "/app/competencies/new")
    data = new_competency_form(token, indicators=False, name="", key="Bad Key!")
    del data["select_for"], data["develop"]
    r = await admin.post("/app/competencies", data=data, follow_redirects=False)
    assert r.status_code == 422
    fields = {e.split(":", 1)[0] for e in error_items(r.text)}
    assert fields == {"name", "key", "select_for"}, error_items(r.text)
    assert (await competencies(admin))["total"] == 0


async def test_duplicate_key_is_refused_on_the_key_field(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = (await competencies(admin))["total"]
    token = await page_token(admin, "/app/competencies/new")
    r = await admin.post(
        "/app/competencies",
        data=new_competency_form(token, indicators=False, key="communication"),
        follow_redirects=False,
    )
    assert r.status_code == 422
    errors = error_items(r.text)
    assert any(e.startswith("key:") and "already exists" in e for e in errors), errors
    assert (await competencies(admin))["total"] == before
    assert (await competency(admin, "communication"))["name"] == "Communication"


async def test_new_form_rows_keep_their_own_values_when_a_description_is_left_empty(
    admin: AsyncTestClient,
) -> None:
    """A person fills two measures, leaving the first description empty, as a browser sends it.

    Each description must stay on its own row.
    """
    page = await admin.get("/app/competencies/new")
    fields = browser_form(page.text, "/app/competencies")
    set_field(fields, "key", "patience")
    set_field(fields, "name", "Patience")
    set_field(fields, "definition", "Stays calm with slow or confused callers.")
    set_field(fields, "measure_name", "Average handling time", 0)
    set_field(fields, "measure_kind", "kpi", 0)
    set_field(fields, "measure_description", "", 0)
    set_field(fields, "measure_name", "Caller feedback", 1)
    set_field(fields, "measure_kind", "survey", 1)
    set_field(fields, "measure_description", "Asked after the call.", 1)
    assert field_values(fields, "develop") == ["on"], "the new form ticks Develop by default"
    r = await post_fields(admin, "/app/competencies", fields)
    assert re.fullmatch(r"/app/competencies/\d+", location(r)), r.text[:500]
    created = await competency(admin, "patience")
    assert [(m["name"], m["kind"], m["description"]) for m in created["measures"]] == [
        ("Average handling time", "kpi", ""),
        ("Caller feedback", "survey", "Asked after the call."),
    ]


async def test_new_form_indicator_rows_keep_their_polarity_when_a_row_is_skipped(
    admin: AsyncTestClient,
) -> None:
    """Indicator rows 1 and 3 filled, row 2 left empty: row 3 keeps its own polarity."""
    page = await admin.get("/app/competencies/new")
    fields = browser_form(page.text, "/app/competencies")
    set_field(fields, "key", "patience")
    set_field(fields, "name", "Patience")
    set_field(fields, "definition", "Stays calm with slow or confused callers.")
    set_field(fields, "indicator_text", "Repeats an explanation calmly.", 0)
    set_field(fields, "indicator_polarity", "present", 0)
    set_field(fields, "indicator_text", "Sighs audibly at slow callers.", 2)
    set_field(fields, "indicator_polarity", "absent", 2)
    r = await post_fields(admin, "/app/competencies", fields)
    assert re.fullmatch(r"/app/competencies/\d+", location(r)), r.text[:500]
    created = await competency(admin, "patience")
    assert [(i["text"], i["polarity"]) for i in created["indicators"]] == [
        ("Repeats an explanation calmly.", "present"),
        ("Sighs audibly at slow callers.", "absent"),
    ]


# ---- the editor: editing -----------------------------------------------------------------


async def test_edit_form_is_filled_in(admin: AsyncTestClient, demo_library: None) -> None:
    c = await competency(admin, "customer_orientation")
    r = await admin.get(f"/app/competencies/{c['id']}/edit")
    assert r.status_code == 200
    fields = browser_form(r.text, f"/app/competencies/{c['id']}")
    assert field_values(fields, "key") == ["customer_orientation"]
    assert field_values(fields, "name") == ["Customer orientation"]
    assert field_values(fields, "area") == ["service_delivery"]
    assert field_values(fields, "select_for") == ["on"]
    assert field_values(fields, "develop") == []
    assert field_values(fields, "indicator_key") == ["i1", "i2", "i3", "i4", "i5", "", "", ""]
    assert field_values(fields, "indicator_polarity")[:5] == [
        "present",
        "present",
        "present",
        "absent",
        "absent",
    ]
    assert field_values(fields, "activity_module") == ["", "", "attitudes_values", "", ""]
    # a delete form is offered
    assert f'action="/app/competencies/{c["id"]}/delete"' in r.text


async def test_edit_through_form_changes_texts_and_keeps_translations(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = await competency(admin, "customer_orientation")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    set_field(fields, "name", "Customer focus")
    set_field(fields, "indicator_text", "Offers help without being asked.", 0)
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert location(r) == f"/app/competencies/{before['id']}"

    after = await competency(admin, "customer_orientation")
    assert after["id"] == before["id"]
    assert after["name"] == "Customer focus"
    assert after["indicators"][0]["text"] == "Offers help without being asked."
    # Russian texts of the competency and of its indicators are kept
    assert after["translations"] == before["translations"]
    assert after["translations"]["ru"]["name"] == "Клиентоориентированность"
    assert [i["key"] for i in after["indicators"]] == ["i1", "i2", "i3", "i4", "i5"]
    assert [i["translations"] for i in after["indicators"]] == [
        i["translations"] for i in before["indicators"]
    ]
    ru = await admin.get("/api/v1/competencies", params={"lang": "ru", "limit": 500})
    localized = {c["key"]: c for c in ru.json()["items"]}["customer_orientation"]
    assert localized["name"] == "Клиентоориентированность"
    assert localized["indicators"][0]["text"].startswith("По собственной инициативе")
    shown = await admin.get(f"/app/competencies/{before['id']}", params={"lang": "ru"})
    assert "<h1>Клиентоориентированность</h1>" in shown.text
    assert "<h1>Customer focus</h1>" in (await admin.get(f"/app/competencies/{before['id']}")).text


async def test_edit_through_form_keeps_measure_and_activity_translations(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """The editor promises "Translations are kept as they are" - for measures and activities too."""
    before = await competency(admin, "customer_orientation")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    assert "Translations are kept as they are" in page.text
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    set_field(fields, "definition", "Wants to help every customer.")
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert location(r) == f"/app/competencies/{before['id']}"
    after = await competency(admin, "customer_orientation")
    assert after["definition"] == "Wants to help every customer."
    assert [m["translations"] for m in after["measures"]] == [
        m["translations"] for m in before["measures"]
    ]
    assert [a["translations"] for a in after["activities"]] == [
        a["translations"] for a in before["activities"]
    ]
    shown = await admin.get(f"/app/competencies/{before['id']}", params={"lang": "ru"})
    assert "<strong>Транзакционный NPS (tNPS)</strong>" in shown.text


async def test_saving_the_edit_form_unchanged_changes_nothing(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """Open the editor of a demo competency and press Save without touching anything."""
    before = await competency(admin, "customer_orientation")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert location(r) == f"/app/competencies/{before['id']}"
    after = await competency(admin, "customer_orientation")
    # the activity modules stay on their activities
    assert [(a["title"], a["module"]) for a in after["activities"]] == [
        ("Welcoming team climate", None),
        ("Follow-up on closed cases", None),
        ("Attitudes and core values module", "attitudes_values"),
    ]
    for part in ("name", "definition", "benefit", "indicators", "select_for", "develop"):
        assert after[part] == before[part], part


async def test_removing_an_indicator_keeps_the_others_intact(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """The form says "Leave a text empty to remove the row": do that for indicator 2."""
    before = await competency(admin, "customer_orientation")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    set_field(fields, "indicator_text", "", 1)
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert location(r) == f"/app/competencies/{before['id']}"
    after = await competency(admin, "customer_orientation")
    kept = [before["indicators"][n] for n in (0, 2, 3, 4)]
    assert [(i["key"], i["text"], i["polarity"]) for i in after["indicators"]] == [
        (i["key"], i["text"], i["polarity"]) for i in kept
    ]
    assert [i["translations"] for i in after["indicators"]] == [i["translations"] for i in kept]


async def test_adding_an_indicator_while_editing(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """Type a new indicator into the first empty row of the edit form and save."""
    before = await competency(admin, "customer_orientation")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    set_field(fields, "indicator_text", "Thanks the customer for their patience.", 5)
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert location(r) == f"/app/competencies/{before['id']}", r.text[:300]
    after = await competency(admin, "customer_orientation")
    assert len(after["indicators"]) == 6
    assert after["indicators"][:5] == before["indicators"]
    added = after["indicators"][5]
    assert added["text"] == "Thanks the customer for their patience."
    assert added["polarity"] == "present"
    assert added["key"] == "i6"


async def test_invalid_edit_changes_nothing(admin: AsyncTestClient, demo_library: None) -> None:
    before = await competency(admin, "communication")
    page = await admin.get(f"/app/competencies/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/competencies/{before['id']}")
    set_field(fields, "name", "")
    r = await post_fields(admin, f"/app/competencies/{before['id']}", fields)
    assert r.status_code == 422
    assert any(e.startswith("name:") for e in error_items(r.text))
    assert f'action="/app/competencies/{before["id"]}" class="editor"' in r.text
    assert await competency(admin, "communication") == before


# ---- the editor: deleting ----------------------------------------------------------------


async def test_deleting_a_competency_used_by_a_role_is_refused(
    admin: AsyncTestClient, demo_library: None
) -> None:
    c = await competency(admin, "customer_orientation")
    token = await page_token(admin, f"/app/competencies/{c['id']}/edit")
    r = await admin.post(
        f"/app/competencies/{c['id']}/delete",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 409
    errors = error_items(r.text)
    assert any(
        e.startswith("delete:") and "in use by roles: cs_operator, merchant_support" in e
        for e in errors
    ), errors
    still = await competency(admin, "customer_orientation")
    assert still == c
    assert (await admin.get(f"/app/competencies/{c['id']}")).status_code == 200


async def test_deleting_an_unused_competency(admin: AsyncTestClient, demo_library: None) -> None:
    created = await admin.post(
        "/api/v1/competencies",
        json={"key": "spare", "name": "Spare", "definition": "Unused.", "develop": True},
    )
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    before = (await competencies(admin))["total"]
    token = await page_token(admin, f"/app/competencies/{ident}/edit")
    r = await admin.post(
        f"/app/competencies/{ident}/delete", data={"_csrf_token": token}, follow_redirects=False
    )
    assert location(r) == "/app"
    assert (await competencies(admin))["total"] == before - 1
    assert (await admin.get(f"/app/competencies/{ident}")).status_code == 404


# ---- the role editor ---------------------------------------------------------------------


async def test_admin_creates_role_through_the_form(
    admin: AsyncTestClient, demo_library: None
) -> None:
    page = await admin.get("/app/roles/new")
    assert page.status_code == 200
    r = await admin.post(
        "/app/roles",
        data={
            "_csrf_token": csrf_token(page.text),
            "key": "chat_agent",
            "name": "Chat agent",
            "area": "service_delivery",
            "description": "Answers customers in the chat.",
            "req_competency": ["written_communication", "empathy"],
            "req_weight": ["2.0", "0.5"],
            "req_level": ["4", "2"],
        },
        follow_redirects=False,
    )
    target = location(r)
    assert re.fullmatch(r"/app/roles/\d+", target), target
    created = await role(admin, "chat_agent")
    assert created["area"] == "service_delivery"
    assert created["competencies"] == [
        {"competency": "written_communication", "weight": 2.0, "required_level": 4},
        {"competency": "empathy", "weight": 0.5, "required_level": 2},
    ]
    shown = await admin.get(target)
    assert "<h1>Chat agent</h1>" in shown.text
    assert ">Written communication</a>" in shown.text


async def test_role_form_with_bad_weight_and_level_is_refused(
    admin: AsyncTestClient, demo_library: None
) -> None:
    token = await page_token(admin, "/app/roles/new")
    r = await admin.post(
        "/app/roles",
        data={
            "_csrf_token": token,
            "key": "chat_agent",
            "name": "Chat agent",
            "req_competency": ["empathy"],
            "req_weight": ["abc"],
            "req_level": ["9"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 422
    errors = error_items(r.text)
    assert any(e.startswith("competencies[0].weight:") for e in errors), errors
    assert any(e.startswith("competencies[0].required_level:") for e in errors), errors
    r2 = await admin.get("/api/v1/roles", params={"limit": 500})
    assert "chat_agent" not in {x["key"] for x in r2.json()["items"]}


async def test_removing_a_role_requirement_keeps_the_other_weights(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """In the role editor choose "(none)" for the first competency and save."""
    before = await role(admin, "team_lead")
    page = await admin.get(f"/app/roles/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/roles/{before['id']}")
    assert field_values(fields, "req_competency")[0] == "coaching_others"
    set_field(fields, "req_competency", "", 0)
    r = await post_fields(admin, f"/app/roles/{before['id']}", fields)
    assert location(r) == f"/app/roles/{before['id']}"
    after = await role(admin, "team_lead")
    assert after["competencies"] == before["competencies"][1:]


# ---- escaping of stored text -------------------------------------------------------------


async def test_stored_markup_is_escaped_on_every_page(
    admin: AsyncTestClient, demo_library: None
) -> None:
    payload = {
        "key": "xss_probe",
        "name": XSS,
        "definition": f'{XSS} " onfocus="alert(2)',
        "benefit": f"</textarea>{XSS}",
        "select_for": True,
        "develop": True,
        "indicators": [{"text": XSS, "polarity": "present"}],
        "measures": [{"name": XSS, "kind": "kpi", "description": XSS}],
        "activities": [{"kind": "training", "title": XSS, "description": XSS}],
    }
    r = await admin.post("/api/v1/competencies", json=payload)
    assert r.status_code == 201, r.text
    ident = r.json()["id"]

    library = await admin.get("/app")
    assert library.status_code == 200
    assert XSS_ESCAPED in card(library.text, XSS_ESCAPED)
    assert "<script" not in library.text

    detail = await admin.get(f"/app/competencies/{ident}")
    assert detail.status_code == 200
    assert f"<h1>{XSS_ESCAPED}</h1>" in detail.text
    assert f"<title>{XSS_ESCAPED} · Assessment engine</title>" in detail.text
    assert f'<span class="pol">Shows</span> {XSS_ESCAPED}</li>' in detail.text
    assert "<script" not in detail.text
    assert 'onfocus="alert(2)"' not in detail.text

    edit = await admin.get(f"/app/competencies/{ident}/edit")
    assert edit.status_code == 200
    assert "<script" not in edit.text
    assert 'onfocus="alert(2)"' not in edit.text
    assert "&lt;/textarea&gt;" in edit.text
    # and the form carries the original text back unchanged
    fields = browser_form(edit.text, f"/app/competencies/{ident}")
    assert field_values(fields, "name") == [XSS]
    assert field_values(fields, "definition") == [payload["definition"]]
    assert field_values(fields, "benefit") == [payload["benefit"]]


async def test_markup_in_a_role_name_is_escaped(admin: AsyncTestClient, demo_library: None) -> None:
    r = await admin.post(
        "/api/v1/roles",
        json={
            "key": "xss_role",
            "name": XSS,
            "area": "service_delivery",
            "competencies": [{"competency": "empathy"}],
        },
    )
    assert r.status_code == 201, r.text
    for path in ("/app", f"/app/roles/{r.json()['id']}"):
        page = await admin.get(path)
        assert page.status_code == 200
        assert XSS_ESCAPED in page.text
        assert "<script" not in page.text, path


async def test_login_error_page_escapes_the_email(client: AsyncTestClient) -> None:
    r = await form_login(client, '"><script>alert(1)</script>@x.example')
    assert r.status_code == 401
    assert "<script" not in r.text
    assert "&#34;&gt;&lt;script&gt;" in r.text or "&quot;&gt;&lt;script&gt;" in r.text


# ---- security headers ----------------------------------------------------------------------


def _csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def _assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy")
    assert csp, f"{r.request.url} has no Content-Security-Policy"
    directives = _csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, csp
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, csp
    assert "*" not in scripts, csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert directives.get("object-src") == ["'none'"], csp
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("x-frame-options") == "DENY"


async def test_security_headers_on_login_pages(client: AsyncTestClient) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    _assert_security_headers(page)
    assert "<script" not in page.text, "the CSP forbids inline scripts, so the page has none"
    failed = await form_login(client, "nobody@test.example", password="wrong")
    assert failed.status_code == 401
    _assert_security_headers(failed)


async def test_security_headers_on_staff_pages(admin: AsyncTestClient, demo_library: None) -> None:
    c = await competency(admin, "customer_orientation")
    cs = await role(admin, "cs_operator")
    for path in (
        "/app",
        "/app?flag=select_for&lang=ru",
        f"/app/competencies/{c['id']}",
        f"/app/competencies/{c['id']}/edit",
        "/app/competencies/new",
        f"/app/roles/{cs['id']}",
        f"/app/roles/{cs['id']}/edit",
    ):
        r = await admin.get(path)
        assert r.status_code == 200, path
        _assert_security_headers(r)
    token = await page_token(admin, "/app/competencies/new")
    invalid = await admin.post(
        "/app/competencies", data=new_competency_form(token, name=""), follow_redirects=False
    )
    assert invalid.status_code == 422
    _assert_security_headers(invalid)


async def test_session_is_not_shared_between_browsers(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """A second browser without the cookie is sent to the login page."""
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        r = await other.get("/app", follow_redirects=False)
        assert urlsplit(location(r)).path == "/login"
        # and logging in there as a recruiter does not unlock the editor
        email = await make_user("recruiter", "second@test.example")
        await form_login(other, email)
        assert (await other.get("/app")).status_code == 200
        assert (await other.get("/app/competencies/new")).status_code == 403
    assert (await admin.get("/app/competencies/new")).status_code == 200


# ---- import from the library page -------------------------------------------------------


async def test_admin_imports_a_library_file_from_the_page(admin: AsyncTestClient) -> None:
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("library.yaml", DEMO_LIBRARY.read_bytes(), "application/yaml")},
    )
    assert r.status_code == 200, r.text[:500]
    assert "Imported library.yaml" in r.text and "14 competencies" in r.text
    assert (await competencies(admin, flag="select_for"))["total"] >= 3


async def test_invalid_import_file_lists_every_problem_and_changes_nothing(
    admin: AsyncTestClient,
) -> None:
    bad = (
        b"competencies:\n"
        b"  - {key: ok_one, name: Ok, definition: d, develop: true}\n"
        b"  - {key: Bad, name: '', definition: d, develop: true,"
        b" indicators: [{text: t, polarity: sideways}]}\n"
    )
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("bad.yaml", bad, "application/yaml")},
    )
    assert r.status_code == 422
    fields = {e.split(":", 1)[0] for e in error_items(r.text)}
    assert fields == {
        "competencies[1].key",
        "competencies[1].name",
        "competencies[1].indicators[0].polarity",
    }
    assert (await competencies(admin))["total"] == 0
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("broken.yaml", b"competencies: [unclosed", "application/yaml")},
    )
    assert r.status_code == 400 and "invalid YAML" in r.text


async def test_recruiter_cannot_import_from_the_page(recruiter: AsyncTestClient) -> None:
    token = await page_token(recruiter, "/app")
    assert 'action="/app/library/import"' not in (await recruiter.get("/app")).text
    r = await recruiter.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("x.yaml", b"competencies: []", "application/yaml")},
    )
    assert r.status_code == 403
