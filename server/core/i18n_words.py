"""Stored words shown through gettext (``_(word)``): rater statuses, staff roles."""

from reports.markers import N_

STATUS_WORDS = (N_("invited"), N_("started"), N_("submitted"), N_("nominated"))

ROLE_WORDS = (N_("admin"), N_("recruiter"), N_("coach"))
