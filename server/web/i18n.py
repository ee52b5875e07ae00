"""Languages of the respondent pages: Babel catalogues, jinja2's i18n extension (newstyle).

The catalogues (``server/locale/<lang>/LC_MESSAGES/messages.po``) are compiled in memory at
start-up, so no build step is needed. English is the source language and the fallback.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from server.core.vocabulary import LANGUAGES
from server.web.environment import environment

LOCALES = Path(__file__).parents[1] / "locale"
DEFAULT = "en"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def environment_for(lang: str) -> Environment:
    """An overlay of the shared environment with ``lang``'s translations installed."""
    env = environment().overlay()
    # An overlay shares its parent's globals dict, and both ``overlay(extensions=...)`` and
    # the inherited ``install_gettext_translations`` write into the *parent's* globals: the
    # staff pages then spoke the last respondent's language. So: copy the globals first and
    # install through the overlay's own copy of the i18n extension (bound to the overlay).
    env.globals = dict(env.globals)
    i18n: Any = env.extensions["jinja2.ext.InternationalizationExtension"]
    i18n._install(translations(lang), newstyle=True)
    env.globals["_"] = env.globals["gettext"]
    env.globals["LANGUAGES"] = LANGUAGES
    return env


def negotiate(accept_language: str, allowed: list[str]) -> str:
    """The best of ``allowed`` for an ``Accept-Language`` header (``nb``/``no`` both Bokmål)."""
    best: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        lang = "nb" if lang in ("no", "nn") else lang
        if lang in allowed and q > 0:
            best.append((-q, n, lang))
    if best:
        return sorted(best)[0][2]
    return DEFAULT if DEFAULT in allowed else allowed[0]
