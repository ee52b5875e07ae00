"""What the rater page promises each group, and that the released report keeps it.

Self and manager ratings are shown as given (the manager's are not anonymous); peers,
direct reports and customers are shown only together, at least ``threshold`` at a time,
and a smaller group only within everyone else, or nowhere.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.reviews.test_reviews import answer_all, cycle, rater, release

pytestmark = pytest.mark.usefixtures("demo_library")

SELF = "Your ratings are shown in your report as you give them"
MANAGER = "they are not anonymous"
TOGETHER = "at least 3 at a time, and never who gave which"
SMALL_GROUP = "A group with fewer than 3 raters is not shown on its own"
COMMENTS_UNNAMED = "without your name or group"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


async def test_each_group_is_promised_what_its_report_does(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    tokens = {
        group: await rater(client, rid, sid, name, email, group)
        for group, name, email in (
            ("self", "Maria Berg", "maria@example.org"),
            ("manager", "Boss", "boss@example.org"),
            ("peer", "Pia", "pia@example.org"),
            ("direct_report", "Dan", "dan@example.org"),
            ("customer", "Cy", "cy@example.org"),
        )
    }
    coach = dict(client.cookies)
    client.cookies.clear()
    pages = {g: _text((await client.get(f"/rate/{t}")).text) for g, t in tokens.items()}
    client.cookies.update(coach)

    assert SELF in pages["self"]
    assert MANAGER in pages["manager"]
    for group in ("peer", "direct_report", "customer"):
        assert TOGETHER in pages[group] and SMALL_GROUP in pages[group], group
        assert COMMENTS_UNNAMED in pages[group], group
    # no group hears another group's promise
    for group, page in pages.items():
        assert "nobody sees your individual answers" not in page
        assert (MANAGER in page) == (group == "manager"), group
        assert (TOGETHER in page) == (group not in ("self", "manager")), group
        assert (SELF in page) == (group == "self"), group


async def test_the_released_report_keeps_each_promise(client: AsyncTestClient) -> None:
    """One manager (as given), two peers (too few: only within everyone else), three
    direct reports; the report shows exactly what each was told."""
    rid, sid = await cycle(client)
    plan = [
        ("manager", 5, "Boss"),
        ("peer", 2, "Pia"),
        ("peer", 2, "Per"),
        ("direct_report", 4, "Dan"),
        ("direct_report", 4, "Dag"),
        ("direct_report", 4, "Dora"),
    ]
    tokens = [
        (g, v, await rater(client, rid, sid, n, f"{n.lower()}@example.org", g)) for g, v, n in plan
    ]
    coach = dict(client.cookies)
    client.cookies.clear()
    for group, value, token in tokens:
        await answer_all(client, token, value, comment=f"note from a {group}")
    client.cookies.update(coach)
    await release(client, rid)
    report: dict[str, Any] = (
        await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")
    ).json()
    groups = report["groups"]
    # the manager: shown as given, in a column of its own
    assert groups["manager"]["n"] == 1
    for s in report["statements"]:  # every answer "5", reverse-keyed ones scored 1
        m = s["groups"]["manager"]
        assert (m["n"], m["mean"], m["distribution"]) == (
            1,
            1.0 if s["reverse"] else 5.0,
            [0, 0, 0, 0, 1],
        )
    # two peers: never on their own; counted only within "others" (at least 3 raters)
    assert "peer" not in groups and "peer" in report["suppressed_groups"]
    assert groups["others"]["n"] == 6
    # no figure of a non-manager group rests on fewer than 3 raters
    for name, g in groups.items():
        if name not in ("self", "manager"):
            assert g["n"] >= 3, name
    # comments: as written, with no name or group beside them
    body = str(report)
    assert "note from a peer" in body
    for name in ("Pia", "Per", "Dan", "pia@example.org"):
        assert name not in body
