"""Links that give nothing away: a submitted rater's link shows no answers (API and page), a
proposed rater cannot answer before the coach approves (not even through another form of the
same person), and the subject's nomination link lists only the subject's own proposals."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.test_reviews import answer_all, cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")


async def test_a_submitted_raters_link_shows_no_answers(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Per Ek", "per@example.org", "peer")
    await answer_all(client, token, 4, comment="Calm under pressure")
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    assert form["status"] == "submitted"
    assert form["answers"] == {} and form["items"] == []
    page = (await client.get(f"/rate/{token}")).text
    assert "this form has been submitted" in page
    assert "Calm under pressure" not in page and "checked" not in page


async def test_a_proposed_rater_cannot_answer_before_approval(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ola Nord", "email": "ola@example.org"}
    )
    other = r.json()
    nominate = other["nomination_link"].removeprefix("/nominate/")
    # the coach invites Pia to rate Maria; Ola proposes the same Pia as his peer
    link = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await rater(client, rid, sid, "Coach's pick", "pick@example.org", "peer")
    cookies = dict(client.cookies)
    client.cookies.clear()
    r = await client.post(
        f"/api/v1/nominate/{nominate}",
        json={"name": "Pia", "email": "pia@example.org", "group": "peer"},
    )
    assert r.status_code == 201 and r.json()["status"] == "nominated"
    proposed = r.json()["id"]
    # Pia's own link does not list or open the proposed form, by page or by post
    page = (await client.get(f"/rate/{link}")).text
    assert f"/forms/{proposed}" not in page and "Ola Nord" not in page
    assert (await client.get(f"/rate/{link}/forms/{proposed}")).status_code == 404
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    data = {"go": "submit", **({"_csrf_token": token.group(1)} if token else {})}
    r = await client.post(f"/rate/{link}/forms/{proposed}", data=data)
    assert r.status_code in (403, 404)
    # Ola's nomination link lists only his own proposal, as awaiting approval
    shown = (await client.get(f"/api/v1/nominate/{nominate}")).json()
    assert shown["raters"] == [{"name": "Pia", "group": "peer", "status": "awaiting approval"}]
    for k, v in cookies.items():
        client.cookies.set(k, v)
    listed = (await client.get(f"/api/v1/reviews/{rid}/subjects/{other['id']}/raters")).json()
    assert [(r["status"], r["nominated_by"]) for r in listed] == [("nominated", "subject")]
    url = f"/api/v1/reviews/{rid}/subjects/{other['id']}/raters/{proposed}/approve"
    assert (await client.post(url)).status_code == 200
    client.cookies.clear()
    assert (await client.get(f"/rate/{link}/forms/{proposed}")).status_code == 200
    shown = (await client.get(f"/api/v1/nominate/{nominate}")).json()
    assert shown["raters"] == [{"name": "Pia", "group": "peer", "status": "approved"}]
