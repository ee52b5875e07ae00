"""Stored words shown through gettext (``_(word)``): rater statuses, staff roles."""

from reports.markers import N_

STATUS_WORDS = (N_("invited"), N_("started"), N_("submitted"), N_("nominated"))

ROLE_WORDS = (N_("admin"), N_("recruiter"), N_("coach"))

# an SJT response format, as pages name it (item bank, vacancy forms)
FORMAT_WORDS = {
    "rate": N_("Rate each option"),
    "most_least": N_("Most and least effective"),
    "rank": N_("Rank the options"),
}
