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
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports.figures import figure_row
from reports.sentences import say
from reports.textwidth import MARGIN, width_em

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


PRINT_TABLE_EM = 180 / 25.4 * 72 / 10.8
"""A printed table's width in its own em: the 180 mm between the page margins of
``report.css``, in the .9rem (10.8 pt) of a table."""


def _fixed_columns(
    heads: Sequence[str | tuple[str, float]], rest_em: float = 10.0
) -> list[float] | None:
    """Widths (em) of printed columns of figures, for a table laid out with ``table-layout:
    fixed`` (which spares WeasyPrint measuring every cell twice), or None when they would
    leave less than ``rest_em`` to the table's other columns (lay it out as usual then).

    A head is a label, or ``(label, em)`` when its figures need more than 3.2 em; each
    column gets the longest word of its head in bold or its figures, whichever is wider,
    and the cell's padding (1rem, about 1.2 em of a table's .9rem).
    """
    widths = []
    for head in heads:
        label, data = (head, 3.2) if isinstance(head, str) else head
        word = max((width_em(w, bold=True) for w in label.split()), default=0.0)
        widths.append(max(word * MARGIN, data) + 1.2)
    if sum(widths) + rest_em > PRINT_TABLE_EM:
        return None
    return [round(w, 2) for w in widths]  # em, printed with two decimals


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
    env.globals["fixed_columns"] = _fixed_columns
    env.globals["figure_row"] = figure_row
    catalogue = translations or gettext.NullTranslations()
    # a plan's generated sentences in the reader's language (the coach's edits as written)
    env.globals["say"] = lambda text, sentence: say(text, sentence, catalogue)
    return env
