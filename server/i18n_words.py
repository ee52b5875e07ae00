"""Rater status words, shown through gettext (``_(o.status)``) on the rater page."""


def N_(s: str) -> str:
    return s


STATUS_WORDS = (N_("invited"), N_("started"), N_("submitted"), N_("nominated"))
