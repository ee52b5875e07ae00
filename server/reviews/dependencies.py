"""The reviews slice's service as handlers receive it: ``review_service: Reviews`` in a handler's
parameters, provided by ``server.app`` (one instance per request)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.reviews.service import ReviewService

__all__ = ["Reviews", "provide_review_service"]

Reviews = NamedDependency[ReviewService]


def provide_review_service() -> ReviewService:
    return ReviewService()
