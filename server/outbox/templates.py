"""The words of each message: a subject and a body per kind, in the person's language.

A template is jinja2 text with the variables of its kind (:data:`VARIABLES`), such as
``{{ name }}`` and ``{{ link }}``. The defaults are catalogue messages, so each language
has its own; staff may replace the subject and the body of a kind per vacancy or cycle
and language (``settings["mail"][kind][lang]``); the messages to job-analysis experts
have their defaults only (a study has no settings to keep other texts in). Staff text is
rendered in jinja2's sandbox, checked when saved (:func:`check`): only the kind's
variables, no syntax errors.

The HTML part is made from the rendered text (escaped, paragraphs, the link as a link),
so the two parts always say the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from assessments.errors import Problem
from reports.markers import N_
from server.core.mail import header_text
from server.core.vocabulary import MessageKind

__all__ = [
    "DEFAULTS",
    "LINK_SHOWN",
    "VARIABLES",
    "Rendered",
    "check",
    "chosen",
    "render",
]


class _MailSandbox(SandboxedEnvironment):
    """jinja2's sandbox, also refusing products and powers that would make a huge value
    (``{{ "x" * 10**9 }}`` in a staff-written text would otherwise fill the worker's
    memory); each text is filled in with sample values before it is saved, so such a
    text is refused then."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        numbers = all(isinstance(x, int | float) for x in (left, right))
        if operator == "**" and (not numbers or abs(right) > 64 or abs(left) > 10**6):
            raise SecurityError("powers are limited in a message's text")
        if operator == "*" and not numbers:
            times = right if isinstance(right, int) else left
            if isinstance(times, int) and times > 100:
                raise SecurityError("repetitions are limited in a message's text")
        return super().call_binop(context, operator, left, right)


_ENV = _MailSandbox(autoescape=False, keep_trailing_newline=True)


@lru_cache(maxsize=512)
def _template(source: str) -> Template:
    """A compiled template (each text compiled once per process, not once per message)."""
    return _ENV.from_string(source)


LINK_SHOWN = N_("[the person's own link]")
"""What staff see instead of a respondent's link in a message (the link is theirs alone)."""

VARIABLES: dict[MessageKind, dict[str, str]] = {
    MessageKind.CANDIDATE_INVITATION: {
        "name": N_("the candidate's name"),
        "vacancy": N_("the vacancy's name"),
        "link": N_("the candidate's own link to the test"),
        "minutes": N_("the time allowed, in minutes"),
        "closes": N_("the last day the test can be taken (empty if none)"),
    },
    MessageKind.CANDIDATE_REMINDER: {
        "name": N_("the candidate's name"),
        "vacancy": N_("the vacancy's name"),
        "link": N_("the candidate's own link to the test"),
        "minutes": N_("the time allowed, in minutes"),
        "closes": N_("the last day the test can be taken (empty if none)"),
    },
    MessageKind.CANDIDATE_RECEIPT: {
        "name": N_("the candidate's name"),
        "vacancy": N_("the vacancy's name"),
        "submitted": N_("when the answers were submitted"),
        "answered": N_("how many scenarios were answered"),
    },
    MessageKind.RATER_INVITATION: {
        "name": N_("the rater's name"),
        "subject": N_("the name of the person to give feedback on"),
        "cycle": N_("the 360 cycle's name"),
        "link": N_("the rater's own link to the form"),
        "closes": N_("the last day to answer (empty if none)"),
        "promise": N_("what the report does with this rater's answers"),
    },
    MessageKind.RATER_REMINDER: {
        "name": N_("the rater's name"),
        "subject": N_("the name of the person to give feedback on"),
        "cycle": N_("the 360 cycle's name"),
        "link": N_("the rater's own link to the form"),
        "closes": N_("the last day to answer (empty if none)"),
        "promise": N_("what the report does with this rater's answers"),
    },
    MessageKind.NOMINATION_INVITATION: {
        "name": N_("the name of the person reviewed"),
        "cycle": N_("the 360 cycle's name"),
        "link": N_("their own link to propose raters"),
        "closes": N_("the last day of the cycle (empty if none)"),
    },
    MessageKind.COACH_NOTICE: {
        "name": N_("the coach's name"),
        "cycle": N_("the 360 cycle's name"),
        "news": N_("what happened (a group reached the threshold, the cycle can be released)"),
        "link": N_("the cycle's page"),
    },
    MessageKind.EXPERT_INVITATION: {
        "name": N_("the expert's name"),
        "role": N_("the name of the role studied"),
        "study": N_("the job-analysis study's name"),
        "link": N_("the expert's own link to their page"),
        "facilitator": N_("who runs the study (empty if nobody is named)"),
    },
    MessageKind.EXPERT_RATING: {
        "name": N_("the expert's name"),
        "role": N_("the name of the role studied"),
        "study": N_("the job-analysis study's name"),
        "link": N_("the expert's own link to their page"),
        "facilitator": N_("who runs the study (empty if nobody is named)"),
        "competencies": N_("how many competencies the draft model has"),
    },
}

DEFAULTS: dict[MessageKind, tuple[str, str]] = {
    MessageKind.CANDIDATE_INVITATION: (
        N_("Your invitation: {{ vacancy }}"),
        N_(
            "Hello {{ name }},\n\n"
            "thank you for applying for {{ vacancy }}. The next step is a short test of "
            "situations from the work: you choose how you would act. It takes about "
            "{{ minutes }} minutes, and you can take it on a phone or a computer.\n\n"
            "Your own link to the test:\n{{ link }}\n\n"
            "{% if closes %}Please take it by {{ closes }}.\n\n{% endif %}"
            "The link is yours alone: please do not pass it on."
        ),
    ),
    MessageKind.CANDIDATE_REMINDER: (
        N_("Reminder: your test for {{ vacancy }}"),
        N_(
            "Hello {{ name }},\n\n"
            "you have not finished your test for {{ vacancy }} yet."
            "{% if closes %} It can be taken until {{ closes }}.{% endif %} "
            "The answers you saved are kept; the link takes you back to where you were:\n"
            "{{ link }}"
        ),
    ),
    MessageKind.CANDIDATE_RECEIPT: (
        N_("We received your answers: {{ vacancy }}"),
        N_(
            "Hello {{ name }},\n\n"
            "thank you: your answers to the test for {{ vacancy }} were received on "
            "{{ submitted }} ({{ answered }} scenarios answered). There is nothing more for "
            "you to do now; we will contact you about the next step."
        ),
    ),
    MessageKind.RATER_INVITATION: (
        N_("Your feedback for {{ subject }}"),
        N_(
            "Hello {{ name }},\n\n"
            "{{ subject }} is being reviewed in “{{ cycle }}”, and your view is asked for. "
            "The form takes about fifteen minutes; every answer is saved as you give it, so "
            "you can stop and come back.\n\n"
            "Your own link to the form:\n{{ link }}\n\n"
            "{% if closes %}Please answer by {{ closes }}.\n\n{% endif %}"
            "{{ promise }}"
        ),
    ),
    MessageKind.RATER_REMINDER: (
        N_("Reminder: your feedback for {{ subject }}"),
        N_(
            "Hello {{ name }},\n\n"
            "please give your feedback on {{ subject }} in “{{ cycle }}” here:\n{{ link }}\n\n"
            "{% if closes %}The form is open until {{ closes }}.\n\n{% endif %}"
            "{{ promise }}"
        ),
    ),
    MessageKind.NOMINATION_INVITATION: (
        N_("Choose who gives you feedback: {{ cycle }}"),
        N_(
            "Hello {{ name }},\n\n"
            "you are being reviewed in “{{ cycle }}”. Please propose the colleagues whose "
            "feedback you would like (peers, people who report to you, customers); your "
            "coach approves each proposal before they are asked.\n\n"
            "Your own link:\n{{ link }}"
            "{% if closes %}\n\nThe cycle closes on {{ closes }}.{% endif %}"
        ),
    ),
    MessageKind.COACH_NOTICE: (
        N_("{{ cycle }}: {{ news }}"),
        N_("Hello {{ name }},\n\nin the 360 cycle “{{ cycle }}”: {{ news }}\n\n{{ link }}"),
    ),
    MessageKind.EXPERT_INVITATION: (
        N_("Your invitation: job analysis of the role “{{ role }}”"),
        N_(
            "Hello {{ name }},\n\n"
            "you know the role “{{ role }}” well, and we would like to learn from you. In "
            "the job-analysis study “{{ study }}”, people who hold the role, their managers "
            "and trainers answer one question:\n\n"
            "When someone in this role is at the top of their game, what do they do best?\n\n"
            "Please write your answers on cards on your own page: one behaviour or skill per "
            "card, in your own words; you may also pick cards from a list of competencies. "
            "It takes about fifteen minutes, and each card is saved as soon as you add it. "
            "Other experts do not see your cards, and the cards are sorted without your "
            "name.\n\n"
            "Your own link:\n{{ link }}\n\n"
            "{% if facilitator %}The study is run by {{ facilitator }}.\n\n{% endif %}"
            "The link is yours alone: please do not pass it on."
        ),
    ),
    MessageKind.EXPERT_RATING: (
        N_("The role “{{ role }}”: please rate the draft model"),
        N_(
            "Hello {{ name }},\n\n"
            "the cards of the job-analysis study “{{ study }}” have been sorted into a draft "
            "model of the role “{{ role }}”. Please rate each of its competencies on your "
            "page: how important it is, how often it is needed, whether it is needed from "
            "the first day, whether it can be learned on the job in the first months, and "
            "whether it is essential to the work. Choose “cannot say” when you do not know. "
            "Every answer is saved as you give it.\n\n"
            "Competencies to rate: {{ competencies }}\n\n"
            "Your own link:\n{{ link }}\n\n"
            "Nobody else sees your ratings: the facilitator sees only figures over all "
            "experts.\n\n"
            "{% if facilitator %}The study is run by {{ facilitator }}.\n\n{% endif %}"
            "The link is yours alone: please do not pass it on."
        ),
    ),
}


@dataclass(frozen=True)
class Rendered:
    """A message as sent: subject on one line, plain text, and the same as HTML."""

    subject: str
    text: str
    html: str


def chosen(
    kind: MessageKind, lang: str, settings: Mapping[str, Any], gettext: Callable[[str], str]
) -> tuple[str, str]:
    """The subject and body templates of ``kind`` in ``lang``: the vacancy's or cycle's own
    (``settings["mail"]``) where set, else the default in that language."""
    own = ((settings.get("mail") or {}).get(kind) or {}).get(lang) or {}
    subject, body = DEFAULTS[kind]
    return (own.get("subject") or gettext(subject), own.get("body") or gettext(body))


_URL = re.compile(r"https?://[^\s<>\"]+")


def _html(text: str, lang: str) -> str:
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.split("\n"):
            parts, at = [], 0
            for found in _URL.finditer(line):
                parts.append(escape(line[at : found.start()]))
                url = found.group(0)
                parts.append(Markup('<a href="{0}">{0}</a>').format(url))
                at = found.end()
            parts.append(escape(line[at:]))
            lines.append(Markup("").join(parts))
        paragraphs.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    body = Markup("\n").join(paragraphs)
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">\n'
        f"{body}\n</body></html>\n"
    )


def render(
    kind: MessageKind,
    lang: str,
    values: Mapping[str, Any],
    settings: Mapping[str, Any],
    gettext: Callable[[str], str],
) -> Rendered:
    """The message of ``kind`` for one person (``values``: the kind's variables)."""
    subject_t, body_t = chosen(kind, lang, settings, gettext)
    known = {k: values.get(k, "") for k in VARIABLES[kind]}
    subject = header_text(_template(subject_t).render(known))
    text = _template(body_t).render(known).strip() + "\n"
    return Rendered(subject=subject, text=text, html=_html(text, lang))


def check(kind: MessageKind, subject: str, body: str) -> list[Problem]:
    """Problems of staff-written templates: syntax errors and unknown variables."""
    found = []
    for field, text in (("subject", subject), ("body", body)):
        if not text.strip():
            continue
        try:
            names = meta.find_undeclared_variables(_ENV.parse(text))
        except TemplateSyntaxError as exc:
            found.append(Problem(field, f"line {exc.lineno}: {exc.message}"))
            continue
        unknown = sorted(names - set(VARIABLES[kind]))
        if unknown:
            found.append(Problem(field, "unknown variables: " + ", ".join(unknown)))
    if len(subject) > 200:
        found.append(Problem("subject", f"longer than 200 characters ({len(subject)})"))
    if len(body) > 10_000:
        found.append(Problem("body", f"longer than 10000 characters ({len(body)})"))
    return found
