"""Every page speaks the viewer's language: no untranslated message, no internal identifier.

The demo data is loaded, every gettext result is wrapped in markers (⟦…⟧), and the staff
pages reachable from ``/app`` are crawled as each staff role with the language set to
Swedish, as are the respondent pages of a fresh candidate and rater. A text a person sees
passes when it is made of

- marked text (it came from the catalogues),
- data (a value stored in the database: names, library content, comments; stored keys
  such as ``customer_orientation`` do not count as data, they are identifiers),
- numbers, dates, e-mail addresses, links, language names and a few symbols of the trade
  (``UTC``, ``ICC``, ``SD``...).

Anything else, such as an English word written straight into a template, a month name
formatted in English or ``direct_report``, fails with the page and the text.
"""

from __future__ import annotations

import contextlib
import gettext
import json
import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from litestar.testing import AsyncTestClient
from piccolo.table import Table

import server.tables as tables
from server.core.vocabulary import LANGUAGES
from server.sjt import repository as sjt_repo
from server.web import i18n
from tests.conftest import PASSWORD, TABLES_IN_INSERT_ORDER, make_user
from tests.demo_copy import DemoCopy

LANG = "sv"
OPEN, CLOSE = "\u27e6", "\u27e7"
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
COLLAPSED = "\u2058"  # what a catalogue message becomes once checked
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
HARMLESS = re.compile(
    r"https?://\S+|/[\w/.?=&%-]+|[\w.+-]+@[\w-]+(\.[\w-]+)+|"  # links, paths, e-mail
    r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?|"  # dates and times
    r"[-+−]?\d[\d\s.,:/%]*|"  # numbers, ratios, percentages
    r"\b(UTC|ICC|CVR|SD|SE|SEM|CI|PDF|CSV|HTML|JSON|API|SJT|IDP|KPI|n|N|k|r|rwg|α|ω)\b"
)
SEPARATORS = re.compile(r"[,;:·|()\[\]–—•×…/\"'«»“”‘’?!.%=<>+*#№›‹]+|\s-\s")
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp"}
SHOWN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
# staff pages: at most this many addresses of one shape (digits replaced) are read
PER_SHAPE = 2
MAX_PAGES = 250


VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Texts(HTMLParser):
    """Visible text nodes and the shown attributes of an HTML page.

    Text inside an element declared in another language (``lang="en"`` on a Swedish page:
    the English template a mail editor edits, its preview) is kept apart in ``foreign``:
    it is meant to be in that language, and is checked only for identifiers.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.foreign: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._open: list[tuple[str, bool]] = []  # (tag, inside another language)

    def _inside_foreign(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        values = dict(attrs)
        lang = values.get("lang")
        foreign = self._inside_foreign() if lang is None else lang.split("-")[0] != LANG
        if tag not in VOID_TAGS:
            self._open.append((tag, foreign))
        out = self.foreign if foreign else self.texts
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                out.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            out.append(str(values["value"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1
        for n in range(len(self._open) - 1, -1, -1):
            if self._open[n][0] == tag:
                del self._open[n:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            (self.foreign if self._inside_foreign() else self.texts).append(data)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)  # a JSON column, as Piccolo returns it
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


async def _data() -> set[str]:
    """Every text stored in the database, except keys (identifiers, never shown)."""
    found: set[str] = set()
    for table in vars(tables).values():
        if not (isinstance(table, type) and issubclass(table, Table) and table is not Table):
            continue
        for row in await table.select():
            for column, value in row.items():
                if column == "key" or column.endswith(("_key", "_hash", "key_method")):
                    continue
                for text in _strings(value):
                    text = " ".join(text.split())
                    if text and not SNAKE.fullmatch(text):
                        found.add(text)
    return found


def _pairs(value: Any, found: dict[str, str]) -> None:
    """English texts that have a (different) Swedish translation: ``found[english] = sv``."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        swedish = value.get("translations")
        if isinstance(swedish, str):
            with contextlib.suppress(ValueError):
                swedish = json.loads(swedish)
        swedish = swedish.get(LANG) if isinstance(swedish, dict) else None
        if isinstance(swedish, str) and isinstance(value.get("text"), str):
            swedish = {"text": swedish}
        if isinstance(swedish, dict):
            for field, text in swedish.items():
                english = value.get(field)
                if isinstance(english, str) and isinstance(text, str) and text and english:
                    english = " ".join(english.split())
                    if english != " ".join(text.split()):
                        found[english] = text
        for v in value.values():
            _pairs(v, found)
    elif isinstance(value, list):
        for v in value:
            _pairs(v, found)


async def _english_content() -> set[str]:
    """Stored English texts that exist in Swedish too: shown on a Swedish page, they are
    content left in the wrong language."""
    found: dict[str, str] = {}
    for table in vars(tables).values():
        if isinstance(table, type) and issubclass(table, Table) and table is not Table:
            for row in await table.select():
                _pairs(dict(row), found)
    return set(found)


def _identifier(text: str) -> bool:
    """Whether a visible text shows an internal identifier such as ``direct_report``."""
    visible = HARMLESS.sub(" ", text.replace(OPEN, " ").replace(CLOSE, " "))
    return bool(SNAKE.search(visible))


def _offending(text: str, data: set[str], english: set[str] = frozenset()) -> str | None:
    """What in ``text`` (catalogue messages already collapsed to ``COLLAPSED``) is neither
    from the catalogue, data nor harmless (None when all is well)."""
    text = " ".join(text.split())
    if not re.search(r"[^\W\d_]", text.replace(COLLAPSED, " ")):
        return None
    # segments between a page's own separators (breadcrumbs, "a · b", catalogue messages)
    # are whole stored texts, or else looked at piece by piece
    for segment in re.split(f"[{COLLAPSED}›‹·|]", text):
        if _segment_offends(segment.strip(), data, english):
            return text
    return None


def _segment_offends(segment: str, data: set[str], english: set[str]) -> bool:
    if not re.search(r"[^\W\d_]{2,}", HARMLESS.sub(" ", segment)):
        return False
    if segment in english:
        return True
    if segment in data:
        return False
    shortened = segment.removesuffix("...").removesuffix("…").strip()
    if shortened != segment and any(d.startswith(shortened) for d in data):
        return False  # a stored text cut short for a list
    for piece in SEPARATORS.split(segment):
        piece = piece.strip()
        if not re.search(r"[^\W\d_]{2,}", HARMLESS.sub(" ", piece)):
            continue
        if piece in english:
            return True
        if piece in data or piece in LANGUAGES.values() or piece.lower() in LANGUAGES:
            continue
        if any(d.startswith(piece) or piece in d for d in data if len(piece) > 3):
            continue  # part of a stored text split at a comma or shortened with "…"
        return True
    return False


async def _log_in(client: AsyncTestClient, role: str) -> None:
    r = await client.post(
        "/api/v1/auth/login", json={"email": f"{role}@test.example", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every translated message comes out between ⟦ and ⟧."""
    plain_gettext = gettext.GNUTranslations.gettext
    plain_ngettext = gettext.GNUTranslations.ngettext

    def mark_gettext(self: gettext.GNUTranslations, message: str) -> str:
        return OPEN + plain_gettext(self, message) + CLOSE

    def mark_ngettext(self: gettext.GNUTranslations, one: str, many: str, n: int) -> str:
        return OPEN + plain_ngettext(self, one, many, n) + CLOSE

    monkeypatch.setattr(gettext.GNUTranslations, "gettext", mark_gettext)
    monkeypatch.setattr(gettext.GNUTranslations, "ngettext", mark_ngettext)
    i18n.environment_for.cache_clear()
    yield
    i18n.environment_for.cache_clear()


# the whole demo, made once per process and copied (tests/demo_copy.py), with the file of
# demo links that the vacancy's loader writes
_DEMO = DemoCopy("users and the whole demo", TABLES_IN_INSERT_ORDER)
_DEMO_LINKS: dict[str, str] = {}


@pytest.fixture
async def demo(tmp_path: Path) -> Path:
    from server.bootstrap import DEMO_LIBRARY, import_file
    from server.demo import hiring, reviews
    from server.demo import job_analysis as demo_study

    async def load() -> None:
        for role in ("admin", "recruiter", "coach"):
            await make_user(role)
        await import_file(DEMO_LIBRARY)
        await demo_study.load(np.random.default_rng(17))
        await hiring.load(tmp_path)
        await reviews.load(np.random.default_rng(360))
        _DEMO_LINKS["text"] = (tmp_path / "demo-links.txt").read_text()

    await _DEMO.load(load)
    links = tmp_path / "demo-links.txt"
    if not links.exists():  # copied: the same rows, so the same links
        links.write_text(_DEMO_LINKS["text"])
    return tmp_path


def _problems(
    path: str, html: str, data: set[str], english: set[str]
) -> tuple[list[str], list[str]]:
    shown = _Texts()
    shown.feed(html)
    bad = [
        f"{path}: identifier in {t!r}"
        for t in shown.texts + shown.foreign
        if _identifier(t) and "{{" not in t and "{%" not in t  # a template's variables
    ]
    # A translated message may hold markup (``<span>3</span> of 39 answered``) and other
    # translated messages (group names in a sentence): what lies between the markers is
    # from the catalogue, whatever is inside, so it collapses, innermost first.
    collapsed, n = html, 1
    while n:
        collapsed, n = INNERMOST.subn(COLLAPSED, collapsed)
    parser = _Texts()
    parser.feed(collapsed)
    # an editor shows each language's text in that language's own field
    source = set() if re.search(r"/(edit|new)$", path.split("?")[0]) else english
    bad += [f"{path}: {t!r}" for t in parser.texts if _offending(t, data, source)]
    return list(dict.fromkeys(bad)), shown.links


async def _crawl(
    client: AsyncTestClient, data: set[str], english: set[str]
) -> tuple[list[str], int]:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(["/app"])
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        r = await client.get(path, follow_redirects=False)
        if r.status_code != 200 or not r.headers.get("content-type", "").startswith("text/html"):
            continue
        bad, links = _problems(path, r.text, data, english)
        problems.extend(bad)
        for link in links:
            link = link.split("#")[0]
            if not link.startswith("/app") or "format=" in link or link in seen:
                continue
            shape = _shape(link)
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return problems, len(seen)


@pytest.mark.parametrize("role", ["admin", "recruiter", "coach"])
async def test_staff_pages_show_only_catalogue_texts_and_data(
    client: AsyncTestClient, demo: Path, marked: None, role: str
) -> None:
    await _log_in(client, role)
    if role == "admin":
        # an edit, so that the audit log has more than page views to show
        competency = (await client.get("/api/v1/competencies")).json()["items"][0]
        body = {k: v for k, v in competency.items() if k != "id"}
        body["translations"] = {**body.get("translations", {}), "sv": {"name": "Kundfokus!"}}
        r = await client.put(f"/api/v1/competencies/{competency['id']}", json=body)
        assert r.status_code == 200, r.text
    client.cookies.set("lang", LANG)
    data = await _data()
    problems, pages = await _crawl(client, data, await _english_content())
    assert pages > 5, "the crawl found too few pages to mean anything"
    assert not problems, f"{len(problems)} texts on {pages} pages:\n" + "\n".join(problems[:60])


async def test_respondent_pages_show_only_catalogue_texts_and_data(
    client: AsyncTestClient, demo: Path, marked: None
) -> None:
    from server.demo.hiring import demo_link

    link = demo_link(demo)
    assert link
    await _log_in(client, "coach")
    cycle = (
        await client.post(
            "/api/v1/reviews",
            json={
                "name": "Höst",
                "role_id": (await client.get("/api/v1/reviews")).json()["items"][0]["role_id"],
                "languages": ["sv"],
            },
        )
    ).json()
    subject = (
        await client.post(
            f"/api/v1/reviews/{cycle['id']}/subjects",
            json={"name": "Maja Ek", "email": "maja.ek@example.com"},
        )
    ).json()
    rater = (
        await client.post(
            f"/api/v1/reviews/{cycle['id']}/subjects/{subject['id']}/raters",
            json={"name": "Kim Peer", "email": "kim.peer@example.com", "group": "peer"},
        )
    ).json()
    # a Swedish expert of a study at the cards step, and one of a study at the rate step
    role_id = (await client.get("/api/v1/reviews")).json()["items"][0]["role_id"]
    experts = []
    for name in ("Kort", "Bedömning"):
        study = (
            await client.post("/api/v1/job-analyses", json={"name": name, "role_id": role_id})
        ).json()
        expert = (
            await client.post(
                f"/api/v1/job-analyses/{study['id']}/experts",
                json={
                    "name": "Lo Berg",
                    "email": f"lo.{len(experts)}@example.com",
                    "kind": "incumbent",
                    "language": "sv",
                },
            )
        ).json()
        experts.append(expert["link"])
    token = experts[1].rsplit("/", 1)[-1]
    r = await client.post(f"/api/v1/expert/{token}/cards", json={"text": "Lyssnar klart"})
    assert r.status_code == 201, r.text
    sid = study["id"]
    assert (await client.patch(f"/api/v1/job-analyses/{sid}", json={"step": "sort"})).is_success
    draft = (
        await client.post(
            f"/api/v1/job-analyses/{sid}/competencies",
            json={"name": "Empati", "library_key": "empathy"},
        )
    ).json()
    await client.put(
        f"/api/v1/job-analyses/{sid}/cards/{r.json()['card']['id']}",
        json={"competency_id": draft["id"]},
    )
    assert (await client.patch(f"/api/v1/job-analyses/{sid}", json={"step": "rate"})).is_success
    client.cookies.clear()
    first_item = await tables.SjtItem.select(tables.SjtItem.id).first()
    assert first_item
    _, key_token = await sjt_repo.create_expert_link(
        name="Karin", email="", language="sv", item_ids=[first_item["id"]], invited_by=None
    )
    data, english = await _data(), await _english_content()
    problems: list[str] = []
    pages = [
        link.split("://", 1)[-1].split("/", 1)[-1],  # the candidate's welcome page
        rater["link"],
        subject["nomination_link"],
        f"/key/{key_token}",
        *experts,
    ]
    for path in pages:
        path = "/" + path.lstrip("/")
        r = await client.get(path, headers={"Accept-Language": "sv"})
        assert r.status_code == 200, (path, r.status_code)
        assert 'lang="sv"' in r.text, path
        problems += _problems(path, r.text, data, english)[0]
    assert not problems, "\n".join(problems[:60])
