"""The one jinja2 Environment of the server's pages (autoescape on: free text is untrusted)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup

from reports.environment import _coefficient, _number
from reports.markers import N_
from server.core.vocabulary import LANGUAGES
from server.web.catalogues import translations
from server.web.problem_words import problem_filter

TEMPLATES = Path(__file__).parents[1] / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Staff pages: ``_``/``gettext``/``ngettext`` translate into the page's ``lang`` (set by
    # ``page_context``), newstyle like the respondent pages: ``_("%(n)s done", n=3)``.
    # (functions only: adding jinja2's i18n extension here would bind its
    # ``install_gettext_translations`` to this environment, and the respondent pages'
    # overlays in server.web.i18n would then install their catalogues into this one)
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.filters["problem"] = problem_filter
    # figures as the reports print them: 4.40, rwg .85 (the same functions)
    env.filters["num"] = _number
    env.filters["coef"] = _coefficient
    env.filters["pct"] = _percent
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["flag_labels"] = {"select_for": N_("Select for"), "develop": N_("Develop")}
    return env


def _percent(share: float | None) -> str:
    """A share 0..1 as a whole percentage: 0.667 -> "67 %"."""
    if share is None or share != share:
        return "–"
    return f"{round(share * 100)} %"


def _catalogue(context: Context) -> Any:
    return translations(str(context.get("lang") or "en"))


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    text = _catalogue(context).gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = _catalogue(context).ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(environment())
