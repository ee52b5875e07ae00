"""The development slice's service as handlers receive it: ``plan_service: Plans`` in a
handler's parameters, provided by ``server.app`` (one instance per request)."""

from __future__ import annotations

from litestar.di import NamedDependency

from server.development.service import PlanService

__all__ = ["Plans", "provide_plan_service"]

Plans = NamedDependency[PlanService]


def provide_plan_service() -> PlanService:
    return PlanService()
