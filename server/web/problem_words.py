"""The validation messages of ``server.core.validation`` in the page's language.

The API answers in English (a machine reads it); a page shows the same problem in its
reader's language. Each message the validator writes has one pattern here, with the
catalogue text it becomes; a message without a pattern is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from reports.markers import N_
from server.web.catalogues import translations

__all__ = ["problem_filter", "say_problem"]

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"must not be empty$", N_("must not be empty")),
        (r"must be at least (?P<n>\d+) characters$", N_("must be at least %(n)s characters")),
        (
            r"longer than (?P<n>\d+) characters \((?P<m>\d+)\)$",
            N_("at most %(n)s characters (this has %(m)s)"),
        ),
        (r"must be at least (?P<n>[-\d.]+)$", N_("must be at least %(n)s")),
        (r"must be greater than (?P<n>[-\d.]+)$", N_("must be greater than %(n)s")),
        (r"must be at most (?P<n>[-\d.]+)$", N_("must be at most %(n)s")),
        (r"must be less than (?P<n>[-\d.]+)$", N_("must be less than %(n)s")),
        (r"missing required field$", N_("is required")),
        (r"unknown field$", N_("is not a field of this form")),
        (r"expected an integer, got .*$", N_("must be a whole number")),
        (r"expected a (finite )?number, got .*$", N_("must be a number")),
        (r"expected true or false, got .*$", N_("must be yes or no")),
        (r"expected one of .*, got .*$", N_("is not one of the choices")),
        (r"fewer than (?P<n>\d+) items \((?P<m>\d+)\)$", N_("choose at least %(n)s")),
        (r"more than (?P<n>\d+) items \((?P<m>\d+)\)$", N_("choose at most %(n)s")),
        (r"(?P<value>.*) is not valid \((?P<what>.*)\)$", N_("%(value)s is not valid (%(what)s)")),
        # what server.outbox.templates.check and the mail template editor write
        (
            r"unknown variables: (?P<names>.*)$",
            N_("unknown variables: %(names)s (use only the variables listed)"),
        ),
        (
            r"line (?P<n>\d+): (?P<detail>.*)$",
            N_("line %(n)s: the template cannot be read (%(detail)s)"),
        ),
        (
            r"cannot be filled in: (?P<detail>.*)$",
            N_("cannot be filled in with sample values (%(detail)s)"),
        ),
    )
)


# What a pattern stands for (the ``description`` of the types in ``server.core.schemas``),
# marked here so that the "is not valid (...)" message says it in the reader's language.
_DESCRIPTIONS = frozenset(
    (
        N_("a stable key: lower-case letters, digits and underscores, first a letter"),
        N_("a name: no control, zero-width or bidirectional-override characters"),
        N_("a two-letter ISO 639-1 language code, e.g. ru"),
        N_("an e-mail address such as name@example.org"),
        N_("an option id"),
    )
)


def say_problem(message: str, gettext: Callable[[str], str]) -> str:
    """``message`` from the validator in the language of ``gettext`` (as it is if unknown)."""
    for pattern, text in _PATTERNS:
        found = pattern.match(message)
        if found:
            values = found.groupdict()
            if values.get("what") in _DESCRIPTIONS:
                values["what"] = gettext(values["what"])
            return gettext(text) % values
    return message


@pass_context
def problem_filter(context: Context, message: Any) -> str:
    """``{{ e.message | problem }}`` in a template: the message in the page's language."""
    return say_problem(str(message), translations(str(context.get("lang") or "en")).gettext)
