"""Rater status words, shown through gettext (``_(o.status)``) on the rater page."""

from reports.markers import N_

STATUS_WORDS = (N_("invited"), N_("started"), N_("submitted"), N_("nominated"))
