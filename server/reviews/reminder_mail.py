"""The reminder e-mail a rater receives, in the rater's language, promising only what the
report does with that rater's group (the same sentences as the rater page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["reminder_mail"]


def reminder_mail(
    rater: dict[str, Any],
    subject: str,
    cycle: str,
    link: str,
    *,
    gettext: Callable[[str], str],
    threshold: int,
) -> tuple[str, str]:
    """``(subject line, body)`` of one rater's reminder, in the language of ``gettext``."""
    _ = gettext
    if rater["group"] == "self":
        promise = _(
            "Your ratings are shown in your report as you give them, beside how the others "
            "see you; your comments are shown apart, as your own."
        )
    elif rater["group"] == "manager":
        promise = _(
            "As the manager, your ratings are shown in the report in a column of the "
            "managers' own, whatever their number: they are not anonymous. Your comments are "
            "listed with the other raters' comments, without your name."
        )
    else:
        promise = _(
            "Your ratings are shown only together with those of other raters, at least "
            "%(k)s at a time, and never who gave which. A group with fewer than %(k)s raters "
            "is not shown on its own: its ratings then count only among all raters together, "
            "if there are at least %(k)s of them, or not at all."
        ) % {"k": threshold}
    heading = _("Reminder: your feedback for %(name)s") % {"name": subject}
    body = "\n\n".join(
        [
            _("Hello %(name)s,") % {"name": rater["name"]},
            _("please give your feedback on %(name)s in “%(cycle)s” here:")
            % {"name": subject, "cycle": cycle}
            + "\n"
            + link,
            promise,
        ]
    )
    return heading, body + "\n"
