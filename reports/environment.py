"""The jinja2 Environment of the reports: autoescaped, with the report stylesheet inline.

Reports are standalone documents: the same HTML is served, downloaded and printed to PDF,
so the stylesheet is embedded. The server allows exactly that ``<style>`` element through
its Content-Security-Policy by hash (:data:`STYLE_HASH`); no script runs in a report.
Translations (a ``gettext`` object) are passed in by the caller, so this package holds no
catalogue and reads no files at request time beyond its templates.
"""

from __future__ import annotations

import base64
import gettext
import hashlib
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports.sentences import say

TEMPLATES = Path(__file__).parent / "templates"
CSS = (Path(__file__).parent / "static" / "report.css").read_text(encoding="utf-8")
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (
    "default-src 'none'; img-src 'self' data:; "
    f"style-src '{STYLE_HASH}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _number(value: float | None, digits: int = 2) -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:.{digits}f}"


def _coefficient(value: float | None) -> str:
    """A reliability-style coefficient as psychologists print it: .87, −.12."""
    if value is None or value != value:
        return "–"
    text = f"{value:.2f}"
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


@cache
def report_environment(translations: gettext.NullTranslations | None = None) -> Environment:
    """The environment for ``translations`` (English when None), cached per catalogue."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations or gettext.NullTranslations(), newstyle=True
    )
    env.globals["report_css"] = Markup(CSS)
    env.filters["num"] = _number
    env.filters["coef"] = _coefficient
    catalogue = translations or gettext.NullTranslations()
    # a plan's generated sentences in the reader's language (the coach's edits as written)
    env.globals["say"] = lambda text, sentence: say(text, sentence, catalogue)
    return env
