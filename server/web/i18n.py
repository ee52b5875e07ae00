"""Languages of the respondent pages: Babel catalogues, jinja2's i18n extension (newstyle).

The catalogues (``server/locale/<lang>/LC_MESSAGES/messages.po``) are compiled in memory at
start-up, so no build step is needed. English is the source language and the fallback.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment
from litestar import Response

from server.core.vocabulary import LANGUAGES
from server.web.catalogues import DEFAULT, LOCALES, translations
from server.web.environment import environment

__all__ = [
    "DEFAULT",
    "LOCALES",
    "environment_for",
    "negotiate",
    "respondent_page",
    "translations",
]


@cache
def environment_for(lang: str) -> Environment:
    """An overlay of the shared environment with ``lang``'s translations installed."""
    env = environment().overlay(extensions=["jinja2.ext.i18n"])
    env.globals = dict(env.globals)  # an overlay shares its parent's globals dict otherwise
    # type-ignore reason: added by jinja2's i18n extension at run time
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
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


def respondent_page(template: str, lang: str, status: int = 200, **context: Any) -> Response[str]:
    """A page reached by a link (candidate, rater, subject, expert) in ``lang``: never
    cached, and no referrer (the link is a key)."""
    html = environment_for(lang).get_template(template).render(lang=lang, **context)
    return Response(
        html,
        status_code=status,
        media_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
