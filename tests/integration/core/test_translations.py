"""Every text that the sources mark for translation is translated in ru, sv and nb.

The messages are extracted here with Babel's API and the project's ``babel.cfg`` (the same
as ``pybabel extract -F babel.cfg -k N_ -k gettext``), so a new ``_("...")`` in a template or
a new ``N_("...")`` in Python fails this test until the catalogues are updated and
translated (see ``server/locale/README.md``).
"""

from __future__ import annotations

import gettext
import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from server.core.vocabulary import LANGUAGES
from server.web.i18n import DEFAULT, LOCALES

ROOT = Path(__file__).resolve().parents[3]
TRANSLATED = sorted(lang for lang in LANGUAGES if lang != DEFAULT)
# one %-conversion: %(name)s, %(lo)d, %s, or a literal %%
CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


@cache
def extracted() -> dict[str, set[str]]:
    """msgid -> the files it comes from, for every message the sources mark."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    out: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, strip_comment_tags=True
    ):
        # a plural message (ngettext) is one catalogue entry, keyed by its singular
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            out.setdefault(msgid, set()).add(filename)
    return out


@cache
def catalogue(lang: str) -> Catalog:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def conversions(text: str) -> list[str]:
    return sorted(CONVERSION.findall(text))


def test_extraction_covers_the_reports_and_pages() -> None:
    files = {f for where in extracted().values() for f in where}
    for expected in (
        "reports/templates/hiring_report.html",
        "reports/templates/review_subject.html",
        "reports/templates/idp.html",
        "reports/hiring.py",
        "reports/review360.py",
        "server/templates/take/done.html",
        "server/templates/rate/form.html",
        "server/respondent/take_pages.py",
        "server/sjt/schemas.py",
        "server/core/i18n_words.py",
    ):
        assert expected in files, f"babel.cfg does not extract {expected}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_extracted_message_is_translated(lang: str) -> None:
    cat = catalogue(lang)
    missing = sorted(
        f"{msgid!r} ({', '.join(sorted(where))})"
        for msgid, where in extracted().items()
        if cat.get(msgid) is None
        or not (
            cat.get(msgid).string
            if isinstance(cat.get(msgid).string, str)
            else all(cat.get(msgid).string)
        )
    )
    assert not missing, f"{len(missing)} untranslated in {lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_no_fuzzy_or_empty_entries(lang: str) -> None:
    bad = [
        m.id
        for m in catalogue(lang)
        if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string)))
    ]
    assert not bad, f"fuzzy or empty in {lang}: {bad}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_match(lang: str) -> None:
    """Same %(name)s conversions and %% escapes as the msgid, and no stray %.

    Templates use jinja2's newstyle gettext, which always applies ``%`` formatting, so a
    lone ``%`` in a translation would break the page.
    """
    bad = []
    for m in catalogue(lang):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = conversions(ids[0])
        for s in strings:
            if conversions(s) != want or s.count("%") != ids[0].count("%"):
                bad.append(f"{ids[0]!r} -> {s!r}")
    assert not bad, f"placeholder mismatch in {lang}:\n" + "\n".join(bad)


def _jinja_parts(text: str) -> list[str]:
    """The variables and blocks of a jinja2 text, in order, spaces normalised."""
    return [" ".join(p.split()) for p in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", text)]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_compiles_and_formats(lang: str) -> None:
    cat = catalogue(lang)
    errors = [(m.id, [str(e) for e in errs]) for m, errs in cat.check()]
    assert not errors, errors
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    t = gettext.GNUTranslations(buf)
    for m in cat:
        if not m.id or isinstance(m.id, tuple):
            continue
        text = t.gettext(m.id)
        assert text == m.string
        if "{{" in m.id or "{%" in m.id:
            # a message's default text (server/outbox/templates.py) is a jinja2 template,
            # never %-formatted: its translation keeps every variable and every block
            assert _jinja_parts(text) == _jinja_parts(m.id), (m.id, text)
            continue
        names = set(re.findall(r"%\(([^)]+)\)", m.id))
        # as jinja2's newstyle gettext does: always %-format (an empty dict when no names)
        text % {n: 1 for n in names}
