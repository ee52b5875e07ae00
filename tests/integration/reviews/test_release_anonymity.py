"""The 360 anonymity model, attacked as a curious coach would (issue 13, points 1-3).

- Results exist only once the cycle is closed and released: before that every report,
  reliability and technical report format is a 409 and staff see counts per group.
- A release is frozen: a late form after reopening changes nothing until the next
  release, and the next release shows a lone late rater in no figure, comment included.
- "Cannot say" does not let the statement and competency means give a rater away.
- A link issued later to the same e-mail opens no form that person has started.

The differencing attack runs against a real server process; the rest in-process on the
same database engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
from litestar.testing import AsyncTestClient

from bench.serverproc import ADMIN_EMAIL, ADMIN_PASSWORD, running_server
from server.tables import Rater
from tests.conftest import login
from tests.integration.reviews.test_reviews import _csrf, answer_all, cycle, rater, release

# one server for the file (a module fixture): its tests run on one xdist worker
pytestmark = [pytest.mark.usefixtures("demo_library"), pytest.mark.xdist_group("release_anonymity")]

FORMATS = ("json", "html", "pdf", "csv")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(
        tmp_path_factory.mktemp("release"), prefix="engine_release", DEMO="1"
    ) as url:
        yield url


def _coach(server: str) -> requests.Session:
    s = requests.Session()
    r = s.post(
        f"{server}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return s


def _answer(server: str, link: str, value: int, comment: str) -> None:
    token = link.removeprefix("/rate/")
    form = requests.get(f"{server}/api/v1/respond/{token}", timeout=30).json()
    for item in form["items"]:
        body = (
            {"rating": value}
            if item["format"] == "rating"
            else ({"comment": comment} if item["competency"] is None else None)
        )
        if body:
            r = requests.put(
                f"{server}/api/v1/respond/{token}/answers/{item['id']}", json=body, timeout=30
            )
            assert r.status_code == 200, r.text
    assert requests.post(f"{server}/api/v1/respond/{token}/submit", timeout=30).ok


def _everything(s: requests.Session, server: str, rid: int, sid: int) -> dict[str, object]:
    """Every result a coach can read about the cycle, in every format."""
    out: dict[str, object] = {}
    for fmt in FORMATS:
        r = s.get(f"{server}/api/v1/reviews/{rid}/subjects/{sid}/report?format={fmt}", timeout=60)
        out[f"report.{fmt}"] = (r.status_code, r.json() if fmt == "json" else None)
    for fmt in ("json", "html", "pdf"):
        r = s.get(f"{server}/api/v1/reviews/{rid}/technical-report?format={fmt}", timeout=60)
        out[f"technical.{fmt}"] = (r.status_code, r.json() if fmt == "json" else None)
    r = s.get(f"{server}/api/v1/reviews/{rid}/reliability", timeout=60)
    out["reliability"] = (r.status_code, r.json())
    r = s.get(f"{server}/api/v1/reviews/{rid}/subjects/{sid}/idp", timeout=60)
    out["idp"] = (r.status_code, None)
    return out


def test_differencing_over_time_recovers_nothing(server: str) -> None:
    s = _coach(server)
    roles = s.get(f"{server}/api/v1/roles", timeout=30).json()["items"]
    role = next(r["id"] for r in roles if r["key"] == "cs_operator")
    rid = s.post(f"{server}/api/v1/reviews", json={"name": "Diff", "role_id": role}).json()["id"]
    sid = s.post(
        f"{server}/api/v1/reviews/{rid}/subjects",
        json={"name": "Maria Berg", "email": "maria@example.org"},
    ).json()["id"]

    def invite(name: str, email: str, group: str) -> str:
        r = s.post(
            f"{server}/api/v1/reviews/{rid}/subjects/{sid}/raters",
            json={"name": name, "email": email, "group": group},
        )
        assert r.status_code == 201, r.text
        return r.json()["link"]

    raters = [("Mona", "mona@example.org", "manager", 3)] + [
        (f"Peer{n}", f"peer{n}@example.org", "peer", 2 + n) for n in range(3)
    ]
    # after each submission, everything the coach can read: counts only, never a figure
    for n, (name, email, group, value) in enumerate(raters):
        _answer(server, invite(name, email, group), value, f"comment {n}")
        for what, (status, _) in _everything(s, server, rid, sid).items():
            assert status == 409, what
        progress = s.get(f"{server}/api/v1/reviews/{rid}/progress", timeout=30).json()
        submitted = sum(c["submitted"] for c in progress["subjects"][0]["groups"].values())
        assert submitted == n + 1
    assert s.post(f"{server}/api/v1/reviews/{rid}/releases").status_code == 409  # still open
    assert s.post(f"{server}/api/v1/reviews/{rid}/close").json()["state"] == "closed"
    made = s.post(f"{server}/api/v1/reviews/{rid}/releases")
    assert made.status_code == 201 and made.json()["number"] == 1, made.text
    first = _everything(s, server, rid, sid)
    assert all(status == 200 for status, _ in first.values()), first
    assert _everything(s, server, rid, sid) == first  # frozen: every read the same

    # a late peer (the cycle reopened): nothing moves until the next release
    r = s.post(f"{server}/api/v1/reviews/{rid}/reopen", json={"closes_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json()["state"] == "open"
    _answer(server, invite("Late", "late@example.org", "peer"), 1, "the late comment")
    assert _everything(s, server, rid, sid) == first
    s.post(f"{server}/api/v1/reviews/{rid}/close")
    made = s.post(f"{server}/api/v1/reviews/{rid}/releases").json()
    assert made["number"] == 2
    assert made["subjects"][0]["outcome"] == "new report" and made["subjects"][0]["added"] == 1
    second = _everything(s, server, rid, sid)
    one, two = first["report.json"][1], second["report.json"][1]
    assert two["release"] == 2
    # the lone late peer reaches no figure and no comment: release 2 minus release 1 is 0
    assert {c["key"]: sorted(c["texts"]) for c in two["comments"]} == {
        c["key"]: sorted(c["texts"]) for c in one["comments"]
    }
    for key in ("statements", "competencies", "groups", "highest", "lowest"):
        assert sorted(json.dumps(x, sort_keys=True) for x in two[key]) == sorted(
            json.dumps(x, sort_keys=True) for x in one[key]
        ), key
    assert "the late comment" not in json.dumps(two)
    rel_one, rel_two = first["reliability"][1], second["reliability"][1]
    assert rel_two["forms"] == rel_one["forms"] + 1
    for c1, c2 in zip(rel_one["competencies"], rel_two["competencies"], strict=True):
        assert [(i["n"], i["mean"]) for i in c1["items"]] == [
            (i["n"], i["mean"]) for i in c2["items"]
        ]
    # the earlier release is still there, as it was
    r = s.get(f"{server}/api/v1/reviews/{rid}/subjects/{sid}/report?release=1", timeout=60)
    assert r.json() == one


async def test_cannot_say_gives_no_peer_away(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    tokens = [
        await rater(client, rid, sid, f"Peer{n}", f"peer{n}@example.org", "peer") for n in range(4)
    ]
    cookies = dict(client.cookies)
    client.cookies.clear()
    form = (await client.get(f"/api/v1/respond/{tokens[0]}")).json()
    ratings = [i for i in form["items"] if i["format"] == "rating"]
    comp = ratings[0]["competency"]
    # peer 0 answers "cannot say" on the competency's first statement, 5 elsewhere
    for item in ratings:
        value = None if item["id"] == ratings[0]["id"] else 5
        await client.put(
            f"/api/v1/respond/{tokens[0]}/answers/{item['id']}", json={"rating": value}
        )
    await client.post(f"/api/v1/respond/{tokens[0]}/submit")
    for n, token in enumerate(tokens[1:]):
        await answer_all(client, token, 2 + n)
    client.cookies.update(cookies)
    await release(client, rid)
    report = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).json()
    statements = [s for s in report["statements"] if s["competency"] == comp]
    means = [s["groups"]["peer"]["mean"] for s in statements]
    assert [s["groups"]["peer"]["n"] for s in statements][:1] == [3]
    shown = next(c for c in report["competencies"] if c["key"] == comp)["groups"]["peer"]
    # the competency mean is the mean of the statement means: nothing more to solve for
    assert shown["mean"] == pytest.approx(sum(means) / len(means))
    k = len(statements)
    known = (3 * means[0] + 4 * sum(means[1:])) / k
    assert k * (4 * shown["mean"] - known) != pytest.approx(5.0)


async def test_results_and_plans_wait_for_the_release(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Per", "per@example.org", "peer")
    await answer_all(client, token, 4)
    for url in (
        f"/api/v1/reviews/{rid}/subjects/{sid}/report?format=csv",
        f"/api/v1/reviews/{rid}/subjects/{sid}/idp",
        f"/api/v1/reviews/{rid}/technical-report?format=pdf",
        f"/api/v1/reviews/{rid}/reliability",
    ):
        r = await client.get(url)
        assert r.status_code == 409 and "released" in r.json()["detail"], url
    r = await client.post(
        f"/api/v1/reviews/{rid}/reopen", json={"closes_at": "2001-01-01T00:00:00Z"}
    )
    assert r.status_code == 422 and "closes_at" in r.text
    made = await release(client, rid)
    assert made["subjects"][0]["outcome"] == "new report"
    r = await client.post(f"/api/v1/reviews/{rid}/releases")
    assert r.status_code == 409 and "Nothing new" in r.json()["detail"]
    assert (await client.get(f"/api/v1/reviews/{rid}")).json()["state"] == "released"
    # the form closed with the cycle: a late answer is refused, not stored
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    assert form["status"] == "submitted"


async def test_a_link_issued_later_opens_no_started_form(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    victim = await rater(client, rid, sid, "Vera", "vera@example.org", "peer")
    first = (await client.get(f"/api/v1/respond/{victim}")).json()["items"][0]["id"]
    r = await client.put(f"/api/v1/respond/{victim}/answers/{first}", json={"rating": 1})
    assert r.status_code == 200
    victim_form = next(
        x["id"]
        for x in (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/raters")).json()
        if x["email"] == "vera@example.org"
    )
    # the coach adds Vera to rate another person and so receives a new link of hers
    other = (
        await client.post(
            f"/api/v1/reviews/{rid}/subjects", json={"name": "Ola", "email": "ola@example.org"}
        )
    ).json()["id"]
    planted = await rater(client, rid, other, "Vera", "vera@example.org", "peer")
    client.cookies.clear()
    page = (await client.get(f"/rate/{planted}")).text
    assert f"/forms/{victim_form}" not in page and "Maria Berg" not in page
    assert (await client.get(f"/rate/{planted}/forms/{victim_form}")).status_code == 404
    r = await client.post(f"/rate/{planted}/forms/{victim_form}", data={"go": "save"})
    assert r.status_code in (403, 404)
    # Vera's own link still opens both of her forms
    own = (await client.get(f"/rate/{victim}")).text
    assert "Ola" in own
    planted_form = re.search(r"/forms/(\d+)", own)
    assert planted_form is not None
    assert (await client.get(f"/rate/{victim}/forms/{victim_form}")).status_code == 200


async def test_erasure_after_a_release(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    peers = [
        await rater(client, rid, sid, f"Peer{n}", f"peer{n}@example.org", "peer") for n in range(3)
    ]
    for token in peers:
        await answer_all(client, token, 4)
    await release(client, rid)
    await login(client, "admin")
    # a counted rater is erased: a new report would give their answers away by difference
    r = await client.post("/api/v1/privacy/person/erase?email=peer0@example.org")
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/reviews/{rid}/reopen", json={"closes_at": "2099-01-01T00:00:00Z"}
    )
    assert r.status_code == 200
    late = await rater(client, rid, sid, "Late", "late@example.org", "peer")
    await answer_all(client, late, 1)
    await client.post(f"/api/v1/reviews/{rid}/close")
    r = await client.post(f"/api/v1/reviews/{rid}/releases")
    assert r.status_code == 409 and "erased" in r.json()["detail"]
    report = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).json()
    assert report["release"] == 1 and report["groups"]["peer"]["n"] == 3
    # the reviewed person erased: their report and their agreement figures are gone
    r = await client.post("/api/v1/privacy/person/erase?email=maria@example.org")
    assert r.status_code == 200, r.text
    assert (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).status_code == 404
    rel = (await client.get(f"/api/v1/reviews/{rid}/reliability")).json()
    assert rel["agreement"] == []


async def test_late_answers_through_the_pages(client: AsyncTestClient) -> None:
    """A coach reopens a released cycle on its page (bad dates refused), a late rater
    answers, and the second release counts that form; the history says who was added."""
    rid, sid = await cycle(client)
    await answer_all(client, await rater(client, rid, sid, "Per", "per@example.org", "peer"), 4)
    await release(client, rid)
    url = f"/app/reviews/{rid}"
    page = await client.get(url)
    assert "Every submitted form is in the latest release" in page.text
    for given, problem in (("", "give the new closing date"), ("2001-01-01T00:00", "future")):
        r = await client.post(
            f"{url}/reopen", data={"closes_at": given, "_csrf_token": _csrf(page.text)}
        )
        assert r.status_code == 422 and problem in r.text
    assert (await client.get(f"/api/v1/reviews/{rid}")).json()["state"] == "released"
    r = await client.post(
        f"{url}/reopen", data={"closes_at": "2099-01-01T00:00", "_csrf_token": _csrf(page.text)}
    )
    assert r.status_code == 200 and "takes late answers again" in r.text
    assert "Close the cycle now" in r.text
    await answer_all(client, await rater(client, rid, sid, "Ada", "ada@example.org", "peer"), 2)
    r = await client.post(f"{url}/close", data={"_csrf_token": _csrf(r.text)})
    assert "Release 1 late form" in r.text
    r = await client.post(f"{url}/release", data={"_csrf_token": _csrf(r.text)})
    assert r.status_code == 200 and "Release 2: 1 new report." in r.text
    history = (await client.get(f"/api/v1/reviews/{rid}/releases")).json()
    assert [
        (h["number"], [(s["counted"], s["added"]) for s in h["subjects"]]) for h in history
    ] == [
        (2, [(2, 1)]),
        (1, [(1, 1)]),
    ]
    first = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report?release=1")).json()
    assert first["release"] == 1
    r = await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report?release=0")
    assert r.status_code == 400  # releases are numbered from 1


async def test_a_submitted_form_without_a_rating_counts_nowhere(client: AsyncTestClient) -> None:
    """Such forms are refused now, but a database may hold some from before: at release
    they neither raise a group's n (two peers and an empty form stay a group of two) nor
    let comments through."""
    rid, sid = await cycle(client)
    peers = [await rater(client, rid, sid, f"P{n}", f"p{n}@example.org", "peer") for n in (1, 2)]
    empty = await rater(client, rid, sid, "P3", "p3@example.org", "peer")
    form = (await client.get(f"/api/v1/respond/{empty}")).json()
    first = next(i for i in form["items"] if i["format"] == "rating")
    r = await client.put(f"/api/v1/respond/{empty}/answers/{first['id']}", json={"rating": None})
    assert r.status_code == 200
    assert (await client.post(f"/api/v1/respond/{empty}/submit")).status_code == 422
    await Rater.update({Rater.status: "submitted"}).where(Rater.email == "p3@example.org")
    for token in peers:
        await answer_all(client, token, 4, comment="Kind to callers")
    made = await release(client, rid)
    (subject,) = made["subjects"]
    assert subject["counted"] == 2
    report = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).json()
    assert "peer" not in report["groups"] and "others" not in report["groups"]
    assert "Kind to callers" not in json.dumps(report)
