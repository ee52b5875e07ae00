"""360 review cycles end to end through the API and the rater pages: nomination rules,
answers, submission, progress, reminders, and anonymity in every output."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.outbox.worker import Worker
from server.tables import Rater, RaterAnswer, Review
from tests.conftest import login
from tests.mailsink import MailSink, link_in

pytestmark = pytest.mark.usefixtures("demo_library")


async def role_id(client: AsyncTestClient, key: str = "cs_operator") -> int:
    roles = (await client.get("/api/v1/roles")).json()["items"]
    return next(r["id"] for r in roles if r["key"] == key)


async def cycle(client: AsyncTestClient, **extra: Any) -> tuple[int, int]:
    await login(client, "coach")
    r = await client.post(
        "/api/v1/reviews", json={"name": "Autumn", "role_id": await role_id(client), **extra}
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Maria Berg", "email": "maria@example.org"}
    )
    assert r.status_code == 201, r.text
    return rid, r.json()["id"]


async def rater(
    client: AsyncTestClient, rid: int, sid: int, name: str, email: str, group: str
) -> str:
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects/{sid}/raters",
        json={"name": name, "email": email, "group": group},
    )
    assert r.status_code == 201, r.text
    return r.json()["link"].removeprefix("/rate/")


async def release(client: AsyncTestClient, rid: int) -> dict[str, Any]:
    """Close the cycle and release its results (reports exist only from then on)."""
    r = await client.post(f"/api/v1/reviews/{rid}/close")
    assert r.status_code == 200 and r.json()["state"] in ("closed", "released"), r.text
    r = await client.post(f"/api/v1/reviews/{rid}/releases")
    assert r.status_code == 201, r.text
    return r.json()


async def answer_all(client: AsyncTestClient, token: str, value: int, comment: str = "") -> None:
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    for item in form["items"]:
        if item["format"] == "rating":
            r = await client.put(
                f"/api/v1/respond/{token}/answers/{item['id']}", json={"rating": value}
            )
            assert r.status_code == 200, r.text
        elif comment and item["competency"] is None:
            await client.put(
                f"/api/v1/respond/{token}/answers/{item['id']}", json={"comment": comment}
            )
    assert (await client.post(f"/api/v1/respond/{token}/submit")).status_code == 200


async def test_survey_is_built_from_the_roles_develop_competencies(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    review = (await client.get(f"/api/v1/reviews/{rid}")).json()
    develop = (await client.get("/api/v1/competencies?role=cs_operator&flag=develop")).json()
    assert review["competencies"] == [c["key"] for c in develop["items"]]
    assert review["statements"] == sum(len(c["indicators"]) for c in develop["items"])
    assert review["anonymity_threshold"] == 3
    token = await rater(client, rid, sid, "Maria Berg", "maria@example.org", "self")
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    assert form["kind"] == "360" and form["subject"] == "Maria Berg"
    ratings = [i for i in form["items"] if i["format"] == "rating"]
    assert ratings[0]["scale"]["min"] == 1 and ratings[0]["scale"]["max"] == 5
    assert len(ratings[0]["scale"]["anchors"]) == 5 and ratings[0]["scale"]["cannot_say"]
    comments = [i for i in form["items"] if i["format"] == "comment"]
    assert len(comments) == len(review["competencies"]) + 2  # one per competency + 2 questions


async def test_nomination_rules(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    url = f"/api/v1/reviews/{rid}/subjects/{sid}/raters"
    cases = [
        ({"name": "X", "email": "x@example.org", "group": "boss"}, 400, "group"),
        ({"name": "X", "email": "x@example.org", "group": "self"}, 422, "self rater"),
        ({"name": "M", "email": "maria@example.org", "group": "peer"}, 422, "group self"),
        ({"name": "", "email": "x@example.org", "group": "peer"}, 400, "name"),
        ({"name": "X", "email": "nope", "group": "peer"}, 400, "email"),
    ]
    for body, status, text in cases:
        r = await client.post(url, json=body)
        assert r.status_code == status, (body, r.text)
        assert text in r.text
    await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    r = await client.post(
        url, json={"name": "Pia", "email": "PIA@example.org", "group": "direct_report"}
    )
    assert r.status_code == 409
    assert await Rater.count() == 1
    assert (
        await client.post(
            f"/api/v1/reviews/{rid}/subjects/99999/raters",
            json={"name": "X", "email": "x@e.org", "group": "peer"},
        )
    ).status_code == 404


async def test_answers_bad_input_double_submit_and_close(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    statement = next(i for i in form["items"] if i["format"] == "rating")
    url = f"/api/v1/respond/{token}/answers/{statement['id']}"
    for body, status in (
        ({"rating": 6}, 422),
        ({"rating": 0}, 422),
        ({"comment": "x"}, 422),
        ({"rating": 2.5}, 400),
        ({"mood": 1}, 400),
    ):
        r = await client.put(url, json=body)
        assert r.status_code == status, (body, r.text)
    assert (
        await client.put(f"/api/v1/respond/{token}/answers/9999", json={"rating": 3})
    ).status_code == 404
    assert await RaterAnswer.count() == 0
    assert (await client.put(url, json={"rating": None})).status_code == 200  # cannot say
    assert (await client.put(url, json={"rating": 4})).status_code == 200
    assert (await client.put(url, json={"rating": 4})).status_code == 200
    assert await RaterAnswer.count() == 1
    for _ in range(2):
        r = await client.post(f"/api/v1/respond/{token}/submit")
        assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert (await client.put(url, json={"rating": 2})).status_code == 409
    progress = (await client.get(f"/api/v1/reviews/{rid}/progress")).json()
    assert progress["subjects"][0]["groups"]["peer"] == {
        "nominated": 0,
        "invited": 1,
        "started": 1,
        "submitted": 1,
    }
    # a closed cycle refuses new answers (409), keeps what was saved, and shows the form
    token2 = await rater(client, rid, sid, "Bo", "bo@example.org", "peer")
    await Review.update({Review.closes_at: Review.created_at}, force=True)
    r = await client.put(f"/api/v1/respond/{token2}/answers/{statement['id']}", json={"rating": 3})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
    assert (await client.post(f"/api/v1/respond/{token2}/submit")).status_code == 409
    assert (await client.get(f"/api/v1/respond/{token2}")).json()["status"] == "invited"
    assert await RaterAnswer.count() == 1


async def test_anonymity_in_json_csv_and_pages(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    tokens = {
        "self": [await rater(client, rid, sid, "Maria Berg", "maria@example.org", "self")],
        "manager": [await rater(client, rid, sid, "Mona Manager", "mona@example.org", "manager")],
        "peer": [
            await rater(client, rid, sid, f"Peer{n} Person", f"peer{n}@example.org", "peer")
            for n in range(3)
        ],
        "direct_report": [
            await rater(
                client, rid, sid, f"Report{n} Secret", f"report{n}@example.org", "direct_report"
            )
            for n in range(2)
        ],
        "customer": [
            await rater(client, rid, sid, f"Cust{n} Omer", f"cust{n}@example.org", "customer")
            for n in range(3)
        ],
    }
    values = {"self": 5, "manager": 3, "peer": 4, "direct_report": 1, "customer": 3}
    for group, group_tokens in tokens.items():
        for t in group_tokens:
            await answer_all(client, t, values[group], comment="Keeps calm under pressure.")
    r = await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report?format=json")
    assert r.status_code == 409 and "released" in r.json()["detail"]
    await release(client, rid)
    r = await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report?format=json")
    assert r.status_code == 200, r.text
    report = r.json()
    assert "direct_report" not in report["groups"]
    assert "direct_report" in report["suppressed_groups"]
    text = json.dumps(report)
    assert text.count("direct_report") == 1  # only its name in suppressed_groups
    assert set(report["groups"]) >= {"self", "manager", "others"}
    assert report["groups"]["self"]["n"] == 1
    # others counts every non-self rater (the 2 direct reports included): 1 + 3 + 2 + 3 = 9
    assert report["groups"]["others"]["n"] == 9
    # all ratings constant per group: others mean = (3 + 3*4 + 2*1 + 3*3) / 9 = 26/9 on
    # statements that are not reverse-keyed
    comp = report["competencies"][0]
    statement = next(s for s in report["statements"] if not s["reverse"])
    assert statement["groups"]["others"]["mean"] == pytest.approx(26 / 9, abs=1e-6)
    assert comp["gap"] is not None
    for secret in ("Report0", "Report1", "report0@", "report1@", "Peer0", "mona@", "Cust0", "Mona"):
        assert secret not in text
    assert all("group" not in c for c in report["comments"])
    csv_text = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report?format=csv")).text
    assert "direct_report mean" not in csv_text and "Report0" not in csv_text
    # the raters list shows who was asked and their status, never their answers
    raters = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/raters")).json()
    assert all(
        set(r)
        == {
            "id",
            "subject_id",
            "name",
            "email",
            "group",
            "status",
            "language",
            "invited_at",
            "submitted_at",
            "link",
            "nominated_by",
        }
        for r in raters
    )


async def test_who_may_see_reviews(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    await login(client, "recruiter")
    assert (await client.get("/api/v1/reviews")).status_code == 403
    assert (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).status_code == 403
    await login(client, "coach", "other.coach@test.example")
    assert (await client.get(f"/api/v1/reviews/{rid}")).status_code == 404
    assert (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).status_code == 404
    await login(client, "admin")
    assert (await client.get(f"/api/v1/reviews/{rid}")).status_code == 200


async def test_rater_pages_without_javascript(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ivan Petrov", "email": "ivan@example.org"}
    )
    sid2 = r.json()["id"]
    t1 = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await rater(client, rid, sid2, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    page = await client.get(f"/rate/{t1}")
    assert page.status_code == 200 and "Feedback for Maria Berg" in page.text
    assert "Ivan Petrov" in page.text  # both forms of this person in one place
    other = re.search(rf'href="(/rate/{t1}/forms/\d+)"', page.text).group(1)
    names = re.findall(r'name="(s-\d+)"', page.text)
    first = names[0]
    r = await client.post(f"/rate/{t1}", data={first: "4", "go": "save"}, follow_redirects=True)
    assert re.search(rf'name="{first}" value="4" checked', r.text)
    before = await RaterAnswer.count()
    r = await client.post(f"/rate/{t1}", data={first: "2", names[1]: "9", "go": "save"})
    assert r.status_code == 422
    # all or nothing: the valid answer in the same post is not stored either
    assert await RaterAnswer.count() == before
    assert re.search(rf'name="{first}" value="4" checked', (await client.get(f"/rate/{t1}")).text)
    other_page = await client.get(other)
    assert "Feedback for Ivan Petrov" in other_page.text
    # a form without a single rating is refused at once (not asked about), confirmed or
    # not: it would count in n
    for go in ("submit", "confirm"):
        r = await client.post(other, data={names[0]: "cannot", "go": go}, follow_redirects=True)
        assert r.status_code == 422 and "Rate at least one statement" in r.text
        assert "Submit anyway" not in r.text and "has been submitted" not in r.text
    # unanswered statements: the page asks first and submits nothing (the answers are kept)
    r = await client.post(other, data={names[1]: "3", "go": "submit"}, follow_redirects=True)
    assert "not answered yet. Submit anyway?" in r.text and "has been submitted" not in r.text
    assert re.search(rf'name="{names[1]}" value="3" checked', r.text)
    # "Submit anyway" belongs to the answers' form: what was changed on the page goes too
    kept = await RaterAnswer.count()
    second = list(dict.fromkeys(names))[1]  # names repeats each statement per scale point
    r = await client.post(other, data={second: "4", "go": "confirm"}, follow_redirects=True)
    assert "has been submitted" in r.text
    assert await RaterAnswer.count() == kept + 1
    ru = await client.get(f"/rate/{t1}?lang=ru")
    assert '<html lang="ru">' in ru.text
    assert (await client.get("/rate/" + "y" * 43)).status_code == 404


def mail_worker(client: AsyncTestClient, sink: MailSink) -> Worker:
    """A worker of this app sending to ``sink`` (no send rate)."""
    settings = client.app.state.settings
    return Worker(dataclasses.replace(settings, smtp_url=sink.url, mail_rate=0))


async def test_reminders_are_queued_and_carry_the_link_the_rater_has(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    pia = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    done = await rater(client, rid, sid, "Bo", "bo@example.org", "peer")
    await answer_all(client, done, 4)
    r = await client.post(f"/api/v1/reviews/{rid}/reminders")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["queued"] == 1 and body["mail_configured"] is False
    assert [(x["email"], x["queued"]) for x in body["reminders"]] == [("pia@example.org", True)]
    assert "/rate/" not in r.text and pia not in r.text  # no link reaches staff
    assert (await client.get(f"/api/v1/respond/{pia}")).status_code == 200  # unchanged
    # once a day at most
    again = (await client.post(f"/api/v1/reviews/{rid}/reminders")).json()
    assert again["queued"] == 0 and again["reminders"][0]["queued"] is False
    with MailSink() as sink:
        await mail_worker(client, sink).send_batch()
    reminders = [m for m in sink.to("pia@example.org") if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1
    assert not sink.to("bo@example.org")  # submitted: the invitation was cancelled too
    assert link_in(reminders[0], "rate").endswith(f"/rate/{pia}")
    # a closed cycle reminds nobody
    assert (await client.post(f"/api/v1/reviews/{rid}/close")).status_code == 200
    assert (await client.post(f"/api/v1/reviews/{rid}/reminders")).status_code == 409


async def test_subject_nominates_and_coach_approves(client: AsyncTestClient) -> None:
    await login(client, "coach")
    r = await client.post("/api/v1/reviews", json={"name": "N", "role_id": await role_id(client)})
    rid = r.json()["id"]
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Sara Lund", "email": "sara@example.org"}
    )
    subject = r.json()
    token = subject["nomination_link"].removeprefix("/nominate/")
    assert len(token) >= 43
    listed = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()
    assert listed[0]["nomination_link"] is None  # shown once
    cookies = dict(client.cookies)
    client.cookies.clear()  # the subject has no staff account
    r = await client.post(
        f"/api/v1/nominate/{token}",
        json={"name": "Pia", "email": "pia@example.org", "group": "peer"},
    )
    assert r.status_code == 201 and r.json()["status"] == "nominated"
    assert r.json()["link"] is None
    pending_id = r.json()["id"]
    dup = await client.post(
        f"/api/v1/nominate/{token}",
        json={"name": "Pia", "email": "pia@example.org", "group": "peer"},
    )
    assert dup.status_code == 409
    shown = (await client.get(f"/api/v1/nominate/{token}")).json()
    assert shown["subject"] == "Sara Lund" and shown["raters"][0]["status"] == "awaiting approval"
    assert (await client.get("/api/v1/nominate/" + "z" * 43)).status_code == 404
    for k, v in cookies.items():
        client.cookies.set(k, v)
    progress = (await client.get(f"/api/v1/reviews/{rid}/progress")).json()
    assert progress["subjects"][0]["groups"]["peer"]["nominated"] == 1
    assert progress["subjects"][0]["groups"]["peer"]["invited"] == 0
    url = f"/api/v1/reviews/{rid}/subjects/{subject['id']}/raters/{pending_id}/approve"
    r = await client.post(url)
    assert r.status_code == 200 and r.json()["status"] == "invited"
    link = r.json()["link"].removeprefix("/rate/")
    assert (await client.get(f"/api/v1/respond/{link}")).status_code == 200
    assert (await client.post(url)).status_code == 409


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def test_coach_runs_a_cycle_through_the_pages_and_the_report_is_anonymous(
    client: AsyncTestClient,
) -> None:
    await login(client, "coach")
    page = await client.get("/app/reviews")
    assert page.status_code == 200
    role = re.search(r'<option value="(\d+)">Customer service operator', page.text).group(1)
    # a cycle without a name, or for a role that does not exist: the form again, nothing made
    for data, problem in (
        ({"name": " ", "role_id": role}, "give the cycle a name"),
        ({"name": "X", "role_id": "999999"}, "not found"),
    ):
        r = await client.post("/app/reviews", data={**data, "_csrf_token": _csrf(page.text)})
        assert r.status_code == 422 and problem in r.text and "Spring 360" not in r.text
    assert (await client.get("/api/v1/reviews")).json()["total"] == 0
    r = await client.post(
        "/app/reviews",
        data={"name": "Spring 360", "role_id": role, "_csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    url = r.headers["location"]
    page = await client.get(url)
    r = await client.post(
        f"{url}/subjects",
        data={"name": "Maria Berg", "email": "maria@example.org", "_csrf_token": _csrf(page.text)},
    )
    assert "/nominate/" in r.text
    sid = re.search(r'/subjects/(\d+)/raters"', r.text).group(1)
    links: dict[str, list[str]] = {}
    plan = [("self", "Maria Berg", "maria@example.org")]
    plan += [("manager", "Mona Boss", "mona@example.org")]
    plan += [("peer", f"Peer{n} Hidden", f"peer{n}@example.org") for n in range(3)]
    plan += [("direct_report", f"Report{n} Hidden", f"report{n}@example.org") for n in range(2)]
    for group, name, email in plan:
        page = await client.get(url)
        r = await client.post(
            f"{url}/subjects/{sid}/raters",
            data={"name": name, "email": email, "group": group, "_csrf_token": _csrf(page.text)},
        )
        assert r.status_code == 200, r.text[:300]
        link = re.search(r"/rate/([A-Za-z0-9_-]{43})", r.text).group(1)
        links.setdefault(group, []).append(link)
    coach_cookies = dict(client.cookies)
    client.cookies.clear()
    for group, tokens in links.items():
        for t in tokens:
            form = await client.get(f"/rate/{t}")
            data = {
                n: "4" if group != "direct_report" else "1"
                for n in re.findall(r'name="(s-\d+)"', form.text)
            }
            data["go"] = "submit"
            r = await client.post(f"/rate/{t}", data=data, follow_redirects=True)
            assert "has been submitted" in r.text
    for k, v in coach_cookies.items():
        client.cookies.set(k, v)
    # before the cycle is closed and released: counts per group, never a figure
    report = await client.get(f"{url}/subjects/{sid}")
    assert report.status_code == 200 and "No results yet" in report.text
    assert "Competencies" not in report.text
    page = await client.get(url)
    assert "Release the results" not in page.text and "Close the cycle now" in page.text
    r = await client.post(f"{url}/release", data={"_csrf_token": _csrf(page.text)})
    assert r.status_code == 409 and "still open" in r.text
    r = await client.post(f"{url}/close", data={"_csrf_token": _csrf(page.text)})
    assert r.status_code == 200 and "Release the results" in r.text
    r = await client.post(f"{url}/release", data={"_csrf_token": _csrf(r.text)})
    assert r.status_code == 200 and "Release 1: 1 new report." in r.text
    assert "Every submitted form is in the latest release" in r.text
    assert "Remind everyone" not in r.text  # a closed cycle takes no answers
    report = await client.get(f"{url}/subjects/{sid}")
    assert report.status_code == 200 and "Release 1," in report.text
    assert "Direct reports (" not in report.text  # never shown as a group with its n
    assert "Direct reports" in report.text  # only named as not shown
    assert "direct_report" not in report.text and "direct report" not in report.text
    for secret in ("Report0", "Report1", "report0@", "Peer1 Hidden", "Mona Boss", "mona@"):
        assert secret not in report.text
    progress = await client.get(url)
    assert "Spring 360" in progress.text
    await login(client, "recruiter")
    assert (await client.get("/app/reviews")).status_code == 403
