"""The 360 slice's orchestration as controllers receive it by dependency injection
(``review_service`` in a handler's parameters): closing, reopening and releasing a cycle
(:mod:`server.reviews.releases`) and reading its frozen results
(:mod:`server.reviews.results`)."""

from __future__ import annotations

from server.reviews import releases, releases_repository, results

__all__ = ["ReviewService"]


class ReviewService:
    """Releases and released results of 360 cycles."""

    close = staticmethod(releases_repository.close)
    reopen = staticmethod(releases.reopen)
    release = staticmethod(releases.release)
    waiting = staticmethod(releases_repository.waiting)
    list_releases = staticmethod(releases.list_releases)
    released_subject = staticmethod(releases.released_subject)
    released_reliability = staticmethod(releases.released_reliability)
    report_dict = staticmethod(results.report_dict)
    report_labels = staticmethod(results.report_labels)
    competency_names = staticmethod(results.competency_names)
