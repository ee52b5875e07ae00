"""Rater groups in words: their names (:data:`GROUP_LABELS`, translated where shown) and
what the report does with a rater's answers, as the rater is told it (:func:`promises`): on
the rater's form (``/rate/{token}``) and in the rater's invitation and reminders. One copy of the
sentences, so the page and the mail always promise the same.

Every promise is what the aggregation does with that rater's group
(``assessments/survey360/aggregation.py``): self and manager are shown as given (not
anonymous); the other groups only ``threshold`` raters at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.markers import N_

__all__ = ["GROUP_LABELS", "promises"]

GROUP_LABELS = {
    "self": N_("Self"),
    "manager": N_("Manager"),
    "peer": N_("Peers"),
    "direct_report": N_("Direct reports"),
    "customer": N_("Customers"),
    "others": N_("Others"),
}

SELF = N_(
    "Your ratings are shown in your report as you give them, beside how the others see you; "
    "your comments are shown apart, as your own."
)
MANAGER = N_(
    "As the manager, your ratings are shown in the report in a column of the managers' own, "
    "whatever their number: they are not anonymous. Your comments are listed with the other "
    "raters' comments, without your name."
)
OTHERS = N_(
    "Your ratings are shown only together with those of other raters, at least %(k)s at a "
    "time, and never who gave which. A group with fewer than %(k)s raters is not shown on its "
    "own: its ratings then count only among all raters together, if there are at least %(k)s "
    "of them, or not at all."
)
COMMENTS = N_(
    "Your comments are shown as you write them, without your name or group: leave out "
    "anything that would tell who you are."
)


def promises(group: str, threshold: int, gettext: Callable[[str], str]) -> list[str]:
    """The sentences promised to a rater of ``group``, in the language of ``gettext``."""
    if group == "self":
        return [gettext(SELF)]
    if group == "manager":
        return [gettext(MANAGER)]
    return [gettext(OTHERS) % {"k": threshold}, gettext(COMMENTS)]
