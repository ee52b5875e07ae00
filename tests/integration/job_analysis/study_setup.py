"""A job-analysis study driven through the public API, as a facilitator and experts would."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

ROLE = "cs_operator"

# Three kinds of answers an expert gives about a competency: (importance, frequency,
# needed on day one, learnable in the first months, Lawshe)
SCREEN = {
    "importance": 5,
    "frequency": 5,
    "day_one": True,
    "learnable": False,
    "lawshe": "essential",
}
GROW = {"importance": 4, "frequency": 4, "day_one": False, "learnable": True, "lawshe": "useful"}
AGAINST = {
    "importance": 2,
    "frequency": 1,
    "day_one": False,
    "learnable": True,
    "lawshe": "not_necessary",
}


async def role_id(client: AsyncTestClient, key: str = ROLE) -> int:
    r = await client.get("/api/v1/roles", params={"limit": 500})
    assert r.status_code == 200, r.text
    return next(x["id"] for x in r.json()["items"] if x["key"] == key)


async def new_study(client: AsyncTestClient, name: str = "Operator workshop") -> dict[str, Any]:
    r = await client.post(
        "/api/v1/job-analyses", json={"name": name, "role_id": await role_id(client)}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def invite(
    client: AsyncTestClient, study_id: int, n: int, kind: str = "incumbent"
) -> list[str]:
    """``n`` experts; returns their tokens."""
    tokens = []
    for i in range(n):
        r = await client.post(
            f"/api/v1/job-analyses/{study_id}/experts",
            json={"name": f"Expert {kind} {i}", "email": f"{kind}{i}@example.org", "kind": kind},
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["link"].rsplit("/", 1)[-1])
    return tokens


async def write_card(client: AsyncTestClient, token: str, text: str) -> int:
    r = await client.post(f"/api/v1/expert/{token}/cards", json={"text": text})
    assert r.status_code in (200, 201), r.text
    return int(r.json()["card"]["id"])


async def step(client: AsyncTestClient, study_id: int, to: str) -> dict[str, Any]:
    r = await client.patch(f"/api/v1/job-analyses/{study_id}", json={"step": to})
    assert r.status_code == 200, r.text
    return r.json()


async def rate(
    client: AsyncTestClient, token: str, competency_id: int, answers: dict[str, Any]
) -> None:
    r = await client.put(f"/api/v1/expert/{token}/ratings/{competency_id}", json=answers)
    assert r.status_code == 200, r.text


async def rated_study(
    client: AsyncTestClient, *, experts: int = 6, dissenters: int = 0
) -> tuple[dict[str, Any], dict[str, int]]:
    """A study at the decide step: two competencies, one every expert wants screened (but
    the dissenters), one they want developed. Returns the study and ``{name: draft id}``."""
    study = await new_study(client)
    sid = study["id"]
    tokens = await invite(client, sid, experts - 2) + await invite(client, sid, 2, "manager")
    cards = [
        await write_card(client, t, f"Stays calm with angry caller {i}")
        for i, t in enumerate(tokens)
    ]
    cards.append(await write_card(client, tokens[0], "Explains the tariff in plain words"))
    await step(client, sid, "sort")
    groups = {}
    for name, key in (("Stress resistance", "stress_resistance"), ("Communication", None)):
        body = {"name": name, "definition": f"{name}, as the experts described it"}
        if key:
            body["library_key"] = key
        r = await client.post(f"/api/v1/job-analyses/{sid}/competencies", json=body)
        assert r.status_code == 201, r.text
        groups[name] = r.json()["id"]
    for card in cards[:-1]:
        r = await client.put(
            f"/api/v1/job-analyses/{sid}/cards/{card}",
            json={"competency_id": groups["Stress resistance"]},
        )
        assert r.status_code == 200, r.text
    r = await client.put(
        f"/api/v1/job-analyses/{sid}/cards/{cards[-1]}",
        json={"competency_id": groups["Communication"]},
    )
    assert r.status_code == 200, r.text
    await step(client, sid, "rate")
    for i, token in enumerate(tokens):
        dissent = i >= len(tokens) - dissenters
        await rate(client, token, groups["Stress resistance"], AGAINST if dissent else SCREEN)
        await rate(client, token, groups["Communication"], GROW)
    study = await step(client, sid, "decide")
    return study, groups
