"""Rules a plan edited by a coach must keep (the same rules the generator follows)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from assessments.competency import Competency, Role
from assessments.development.idp import DevelopmentPlan, Priority
from assessments.errors import Problem

MAX_PRIORITIES = 3


def plan_problems(
    plan: DevelopmentPlan, role: Role, competencies: Sequence[Competency]
) -> list[Problem]:
    """Every way ``plan`` breaks the plan rules, each with its path (empty when none).

    Rules: at most three priorities; each is a *develop* competency of the role (select-for
    competencies are notes for the manager, never goals), at most once; each has a goal,
    at least one activity and starts before it ends; measures are reviewed within or after
    the priority's window; the plan is for ``role``.
    """
    found: list[Problem] = []
    if plan.role != role.key:
        found.append(Problem("plan.role", f"the plan is for role {role.key!r}, not {plan.role!r}"))
    if len(plan.priorities) > MAX_PRIORITIES:
        found.append(
            Problem(
                "plan.priorities",
                f"at most {MAX_PRIORITIES} priorities at a time, got {len(plan.priorities)}",
            )
        )
    develop = {c.key for c in competencies if c.develop}
    required = {r.competency for r in role.competencies}
    seen: set[str] = set()
    for i, p in enumerate(plan.priorities):
        at = f"plan.priorities[{i}]"
        if p.competency not in required:
            found.append(
                Problem(f"{at}.competency", f"{p.competency!r} is not a competency of the role")
            )
        elif p.competency not in develop:
            found.append(
                Problem(
                    f"{at}.competency",
                    f"{p.competency!r} is select-for only: it belongs in the manager notes",
                )
            )
        if p.competency in seen:
            found.append(Problem(f"{at}.competency", f"{p.competency!r} is listed twice"))
        seen.add(p.competency)
        if not p.goal.strip():
            found.append(Problem(f"{at}.goal", "a priority needs a goal"))
        if not p.activities:
            found.append(Problem(f"{at}.activities", "a priority needs at least one activity"))
        for j, a in enumerate(p.activities):
            if not a.title.strip():
                found.append(Problem(f"{at}.activities[{j}].title", "must not be empty"))
        if p.end <= p.start:
            found.append(Problem(f"{at}.end", f"must be after start ({p.start.isoformat()})"))
        for j, m in enumerate(p.measures):
            if m.review_date < p.start:
                found.append(
                    Problem(
                        f"{at}.measures[{j}].review_date",
                        f"must not be before the priority starts ({p.start.isoformat()})",
                    )
                )
    return found


def rerank(priorities: Sequence[Priority]) -> tuple[Priority, ...]:
    """``priorities`` after an edit: ``rank`` by need again (1 = highest need; ties keep
    the earlier rank, then the order given), listed in schedule order (start date, then
    rank), as the generator lists them."""
    order = sorted(
        range(len(priorities)),
        key=lambda i: (-round(priorities[i].need, 9), priorities[i].rank or 99, i),
    )
    ranked = [priorities[i] for i in order]
    out = [dataclasses.replace(p, rank=n) for n, p in enumerate(ranked, 1)]
    return tuple(sorted(out, key=lambda p: (p.start, p.rank)))
