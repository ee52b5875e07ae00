"""The hiring slice's service as handlers receive it: ``hiring_service: Hiring`` in a handler's
parameters, provided by ``server.app`` (one instance per request)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.hiring.service import HiringService

__all__ = ["Hiring", "provide_hiring_service"]

Hiring = NamedDependency[HiringService]


def provide_hiring_service() -> HiringService:
    return HiringService()
