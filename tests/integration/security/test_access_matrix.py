"""The access matrix, driven by the application's own route table.

Every route the app serves is classified (public, respondent link, staff) and every staff
route is requested by everyone who must be refused: nobody logged in, the wrong role
(a coach on hiring data, a recruiter on 360 data, non-admins on admin routes) and the
owner's colleague (recruiter A on recruiter B's vacancy, coach A on coach B's cycle).
Respondent links are tried with an unknown token and with the other kinds of link, and a
rater is tried on a form of another subject. Refusals must change nothing in the database,
and the pages and lists a refused colleague may open must not mention anything of B's.

A route added later without a class here fails ``test_every_route_is_classified``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.jobs import runner as jobs_runner
from server.settings import get_settings
from server.sjt import repository as sjt_repo
from server.tables import OutboxMessage
from tests.conftest import PASSWORD, TABLES_IN_DELETE_ORDER, make_user

pytestmark = pytest.mark.usefixtures("item_bank")

PUBLIC = {
    ("GET", "/"),
    ("GET", "/health"),
    ("GET", "/favicon.ico"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/language"),  # the header's language buttons: a cookie, nothing stored
    ("POST", "/api/v1/auth/login"),
}
PUBLIC_PREFIXES = ("/schema", "/static/")
TOKEN_PREFIXES = (
    "/take/{token",
    "/rate/{token",
    "/api/v1/respond/{token",
    "/api/v1/nominate/{token",
    "/nominate/{token",
    "/key/{token",
    "/expert/{token",
    "/api/v1/expert/{token",
)
# The only other values a respondent link may carry: positions and ids inside its own form.
TOKEN_ROUTE_PARAMS = {"token", "item_id", "n", "rater_id", "card_id", "competency_id"}

# Names that only recruiter B's vacancy and coach B's cycle contain.
B_MARKERS = (
    "Vacancy-Bravo-7Q",
    "Candidate-Bravo-7Q",
    "Cycle-Bravo-7Q",
    "Subject-Bravo-7Q",
    "Study-Bravo-7Q",
    "Expert-Bravo-7Q",
    "Card-Bravo-7Q",
)
RATER_ONE = "Rater-One-7Q"

# Valid bodies, so that a refusal comes from who is asking and not from a bad body.
PERSON = {"name": "Mallory", "email": "mallory@example.org"}
BODIES = {
    ("POST", "/api/v1/campaigns/{campaign_id:int}/candidates"): PERSON,
    ("PATCH", "/api/v1/campaigns/{campaign_id:int}"): {"name": "Renamed"},
    ("PUT", "/api/v1/campaigns/{campaign_id:int}/mail-templates"): {"templates": {}},
    ("PUT", "/api/v1/reviews/{review_id:int}/mail-templates"): {"templates": {}},
    ("POST", "/api/v1/reviews/{review_id:int}/subjects"): PERSON,
    ("POST", "/api/v1/job-analyses/{study_id:int}/experts"): {**PERSON, "kind": "trainer"},
    ("PATCH", "/api/v1/job-analyses/{study_id:int}"): {"name": "Renamed"},
    ("POST", "/api/v1/job-analyses/{study_id:int}/competencies"): {"name": "Mallory's"},
    ("PATCH", "/api/v1/job-analyses/{study_id:int}/competencies/{competency_id:int}"): {
        "name": "Renamed"
    },
    ("PUT", "/api/v1/job-analyses/{study_id:int}/cards/{card_id:int}"): {"competency_id": None},
    ("POST", "/api/v1/job-analyses/{study_id:int}/competencies/{competency_id:int}/merge"): {
        "into": 1
    },
    ("PUT", "/api/v1/job-analyses/{study_id:int}/decisions/{competency_id:int}"): {
        "select_for": True,
        "develop": True,
        "reason": "Mallory says so",
    },
    ("POST", "/api/v1/reviews/{review_id:int}/subjects/{subject_id:int}/raters"): {
        **PERSON,
        "group": "peer",
    },
    ("POST", "/api/v1/nominate/{token:str}"): {**PERSON, "group": "peer"},
    ("POST", "/api/v1/respond/{token:str}/start"): {"consent": True},
    ("POST", "/api/v1/reviews/{review_id:int}/reopen"): {"closes_at": "2099-01-01T00:00:00Z"},
    (
        "PATCH",
        "/api/v1/reviews/{review_id:int}/subjects/{subject_id:int}/idp/priorities/{competency:str}",
    ): {"status": "done"},
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the route table, with typed parameters: /x/{campaign_id:int}

    @property
    def params(self) -> set[str]:
        return {p.split(":")[0] for p in re.findall(r"{([^}]+)}", self.path)}

    @property
    def is_page(self) -> bool:
        return not self.path.startswith("/api/")


def routes(app: Litestar) -> list[Route]:
    found = []
    for route in app.routes:
        for method in getattr(route, "route_handler_map", {}):
            if method not in ("OPTIONS", "HEAD"):
                found.append(Route(method, route.path))
    return sorted(found, key=lambda r: (r.path, r.method))


def kind(route: Route) -> str:
    if (route.method, route.path) in PUBLIC or route.path.startswith(PUBLIC_PREFIXES):
        return "public"
    if route.path.startswith(TOKEN_PREFIXES):
        return "token"
    if route.path.startswith(("/api/v1/", "/app")):
        return "staff"
    return "unclassified"


def owner(route: Route) -> str | None:
    """Whose data the route reaches: B's vacancy, B's cycle, B's own background job (B's
    alone: admins too are refused), or shared staff data."""
    if "job_id" in route.params:
        return "job"
    if "study_id" in route.params:
        return "study"
    if route.params & {"campaign_id", "candidate_id", "message_id"}:  # a message of B's vacancy
        return "vacancy"
    if "review_id" in route.params:
        return "cycle"
    return None


def area(route: Route) -> str:
    p = route.path
    if p.startswith(("/api/v1/users", "/api/v1/audit", "/api/v1/privacy")):
        return "admin"
    if route.method != "GET" and p.startswith(
        ("/api/v1/competenc", "/api/v1/roles", "/api/v1/library/import")
    ):
        return "admin"
    if p.startswith(("/app/competencies", "/app/roles", "/app/library")) and (
        route.method != "GET" or p.endswith(("/new", "/edit"))
    ):
        return "admin"
    if p.startswith(("/api/v1/campaigns", "/api/v1/sjt", "/app/campaigns", "/app/sjt")):
        return "hiring"
    if p.startswith(
        ("/api/v1/reviews", "/app/reviews", "/api/v1/job-analyses", "/app/job-analyses")
    ):
        return "coaching"
    return "staff"


@dataclass
class World:
    app: Litestar
    ids: dict[str, Any]
    candidate: str  # link tokens
    other_candidate: str
    rater: str
    other_subject_rater: str
    nomination: str
    clients: dict[str, AsyncTestClient]
    csrf: dict[str, str]
    bodies: dict[tuple[str, str], Any]

    def url(self, route: Route, token: str | None = None) -> str:
        def fill(m: re.Match[str]) -> str:
            name = m.group(1).split(":")[0]
            if name == "token":
                assert token is not None
                return token
            return str(self.ids[name])

        return re.sub(r"{([^}]+)}", fill, route.path)


# one app per client: clients sharing an app hang in the lifespan shutdown. The apps are
# built once per process (building one registers every route, ~0.4 s of CPU) and keep no
# state between tests but their settings.
_APPS: list[Litestar] = []


def _app(n: int) -> Litestar:
    while len(_APPS) <= n:
        _APPS.append(create_app(get_settings()))
    return _APPS[n]


async def _client(n: int) -> tuple[AsyncTestClient, str]:
    client = AsyncTestClient(app=_app(n))
    await client.__aenter__()
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, "the login page carries a CSRF token"
    return client, token.group(1)


async def _log_in(client: AsyncTestClient, role: str, email: str) -> None:
    await make_user(role, email)
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
async def world() -> Any:
    app = _app(0)  # whose routes the tests walk
    clients: dict[str, AsyncTestClient] = {}
    csrf: dict[str, str] = {}
    names = ("anonymous", "admin", "recruiter_a", "recruiter_b", "coach_a", "coach_b")
    for n, name in enumerate(names, start=1):
        clients[name], csrf[name] = await _client(n)
    for name in ("admin", "recruiter_a", "recruiter_b", "coach_a", "coach_b"):
        await _log_in(clients[name], name.split("_")[0], f"{name}@test.example")

    rb, cb, admin = clients["recruiter_b"], clients["coach_b"], clients["admin"]
    role = next(
        r for r in (await rb.get("/api/v1/roles")).json()["items"] if r["key"] == "cs_operator"
    )
    r = await rb.post("/api/v1/campaigns", json={"name": B_MARKERS[0], "role_id": role["id"]})
    assert r.status_code == 201, r.text
    campaign = r.json()
    invited = []
    for name in (B_MARKERS[1], "Second Candidate"):
        r = await rb.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": name, "email": f"{secrets.token_hex(4)}@example.org"},
        )
        assert r.status_code == 201, r.text
        invited.append(r.json())
    candidate = _token(invited[0]["link"])
    r = await rb.post(f"/api/v1/respond/{candidate}/start", json={"consent": True})
    assert r.status_code == 200, r.text
    first = r.json()["items"][0]
    options = [o["id"] for o in first["options"]]
    r = await rb.put(
        f"/api/v1/respond/{candidate}/answers/{first['id']}",
        json={"most": options[0], "least": options[1]},
    )
    assert r.status_code == 200, r.text

    r = await cb.post("/api/v1/reviews", json={"name": B_MARKERS[2], "role_id": role["id"]})
    assert r.status_code == 201, r.text
    review = r.json()
    subjects = []
    for name, email in ((B_MARKERS[3], "subject.b@example.org"), ("Other", "o@example.org")):
        r = await cb.post(
            f"/api/v1/reviews/{review['id']}/subjects", json={"name": name, "email": email}
        )
        assert r.status_code == 201, r.text
        subjects.append(r.json())
    raters = []
    for subject, name, email in (
        (subjects[0], RATER_ONE, "one@example.org"),
        (subjects[1], "Rater Two", "two@example.org"),
    ):
        r = await cb.post(
            f"/api/v1/reviews/{review['id']}/subjects/{subject['id']}/raters",
            json={"name": name, "email": email, "group": "peer"},
        )
        assert r.status_code == 201, r.text
        raters.append(r.json())

    # the subject rates themself and the cycle is released: reports and plans exist
    r = await cb.post(
        f"/api/v1/reviews/{review['id']}/subjects/{subjects[0]['id']}/raters",
        json={"name": B_MARKERS[3], "email": "subject.b@example.org", "group": "self"},
    )
    assert r.status_code == 201, r.text
    own = _token(r.json()["link"])
    form = (await cb.get(f"/api/v1/respond/{own}")).json()
    rating = next(i for i in form["items"] if i["format"] == "rating")
    assert (
        await cb.put(f"/api/v1/respond/{own}/answers/{rating['id']}", json={"rating": 4})
    ).status_code == 200
    assert (await cb.post(f"/api/v1/respond/{own}/submit")).status_code == 200
    assert (await cb.post(f"/api/v1/reviews/{review['id']}/close")).status_code == 200
    assert (await cb.post(f"/api/v1/reviews/{review['id']}/releases")).status_code == 201

    # recruiter B's background job (the ranked report's PDF), made by a worker
    r = await rb.post(f"/api/v1/campaigns/{campaign['id']}/report-jobs")
    assert r.status_code == 202, r.text
    job = r.json()
    assert await jobs_runner.run_next("matrix", get_settings())

    # coach B's job-analysis study: an expert with a card, sorted into a draft competency
    r = await cb.post("/api/v1/job-analyses", json={"name": B_MARKERS[4], "role_id": role["id"]})
    assert r.status_code == 201, r.text
    study = r.json()
    r = await cb.post(
        f"/api/v1/job-analyses/{study['id']}/experts",
        json={"name": B_MARKERS[5], "email": "expert.b@example.org", "kind": "incumbent"},
    )
    assert r.status_code == 201, r.text
    study_expert = r.json()
    r = await cb.post(
        f"/api/v1/expert/{_token(study_expert['link'])}/cards", json={"text": B_MARKERS[6]}
    )
    assert r.status_code == 201, r.text
    card_id = r.json()["card"]["id"]
    assert (
        await cb.patch(f"/api/v1/job-analyses/{study['id']}", json={"step": "sort"})
    ).status_code == 200
    r = await cb.post(f"/api/v1/job-analyses/{study['id']}/competencies", json={"name": "Calm"})
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]

    competency = (await admin.get("/api/v1/competencies?flag=develop")).json()["items"][0]
    users = (await admin.get("/api/v1/users")).json()["items"]
    idp = f"/api/v1/reviews/{review['id']}/subjects/{subjects[0]['id']}/idp"
    r = await cb.get(idp)
    assert r.status_code == 200, r.text
    plan_path = "/api/v1/reviews/{review_id:int}/subjects/{subject_id:int}/idp"
    expert, _ = await sjt_repo.create_expert_link(
        name="Expert", email="", language="en", item_ids=[first["id"]], invited_by=None
    )
    ids = {
        "campaign_id": campaign["id"],
        "candidate_id": invited[0]["id"],
        "review_id": review["id"],
        "subject_id": subjects[0]["id"],
        "rater_id": raters[0]["id"],
        "competency_id": competency["id"],
        "competency": competency["key"],
        "area_id": (await admin.get("/api/v1/competency-areas")).json()["items"][0]["id"],
        "role_id": role["id"],
        "form_id": campaign["form_ids"][0],
        "item_id": first["id"],
        "link_id": expert.id,
        "job_id": job["id"],
        # an invitation queued for one of recruiter B's candidates
        "message_id": (
            await OutboxMessage.select(OutboxMessage.id)
            .where(OutboxMessage.campaign == campaign["id"])
            .first()
        )["id"],
        "user_id": next(u["id"] for u in users if u["email"] == "recruiter_b@test.example"),
        "n": 1,
        "card_id": card_id,
        "study_id": study["id"],
        "expert_id": study_expert["id"],
        "group_id": group_id,
        "path": "openapi.json",
        "file_path": "take.js",
    }
    yield World(
        app=app,
        ids=ids,
        candidate=candidate,
        other_candidate=_token(invited[1]["link"]),
        rater=_token(raters[0]["link"]),
        other_subject_rater=_token(raters[1]["link"]),
        nomination=_token(subjects[0]["nomination_link"]),
        clients=clients,
        csrf=csrf,
        bodies={**BODIES, ("PUT", plan_path): {"version": 0, "plan": r.json()["plan"]}},
    )
    for client in clients.values():
        await client.__aexit__(None, None, None)


async def database_state() -> str:
    """A digest of every row of every table (a refused request must leave it unchanged)."""
    digest = hashlib.sha256()
    for table in TABLES_IN_DELETE_ORDER:
        rows = await table.select().order_by(table._meta.primary_key)
        digest.update(f"{table._meta.tablename}:{rows!r}".encode())
    return digest.hexdigest()


async def send(world: World, who: str, route: Route, token: str | None = None) -> Any:
    client = world.clients[who]
    url = world.url(route, token)
    if route.method == "GET":
        return await client.get(url, follow_redirects=False)
    if route.is_page:
        data = {"_csrf_token": world.csrf[who]}
        return await client.request(route.method, url, data=data, follow_redirects=False)
    body = world.bodies.get((route.method, route.path), {})
    return await client.request(route.method, url, json=body, follow_redirects=False)


def refused_anonymously(route: Route, response: Any) -> bool:
    if route.is_page:
        return response.status_code in (302, 303) and response.headers["location"].startswith(
            "/login"
        )
    return response.status_code == 401


def test_every_route_is_classified() -> None:
    app = create_app(get_settings())
    unclassified = [r for r in routes(app) if kind(r) == "unclassified"]
    assert not unclassified, f"classify these routes in the access matrix: {unclassified}"
    for route in routes(app):
        if kind(route) == "token":
            # a link reaches its own form only: no id of anything else rides along with it
            assert route.params <= TOKEN_ROUTE_PARAMS, route
            assert "rater_id" not in route.params or route.path.startswith("/rate/"), route


async def test_nobody_without_a_session_reaches_a_staff_route(world: World) -> None:
    before = await database_state()
    staff = [r for r in routes(world.app) if kind(r) == "staff"]
    assert len(staff) > 80
    let_in = []
    for route in staff:
        response = await send(world, "anonymous", route)
        if not refused_anonymously(route, response):
            let_in.append((route.method, route.path, response.status_code))
    assert not let_in
    assert await database_state() == before


@pytest.mark.parametrize(
    ("who", "refused_area"),
    [
        ("coach_a", "hiring"),
        ("recruiter_a", "coaching"),
        ("coach_a", "admin"),
        ("recruiter_a", "admin"),
    ],
)
async def test_the_wrong_role_is_refused(world: World, who: str, refused_area: str) -> None:
    before = await database_state()
    checked = [r for r in routes(world.app) if kind(r) == "staff" and area(r) == refused_area]
    assert checked
    let_in = [
        (r.method, r.path, code)
        for r in checked
        if (code := (await send(world, who, r)).status_code) != 403
    ]
    assert not let_in
    assert await database_state() == before


@pytest.mark.parametrize(
    ("who", "owned"),
    [
        ("recruiter_a", "vacancy"),
        ("coach_a", "cycle"),
        ("coach_a", "study"),
        ("recruiter_a", "job"),
        ("coach_a", "job"),
        ("admin", "job"),
    ],
)
async def test_a_colleague_cannot_reach_the_owners_data(world: World, who: str, owned: str) -> None:
    before = await database_state()
    checked = [r for r in routes(world.app) if kind(r) == "staff" and owner(r) == owned]
    assert len(checked) >= (4 if owned == "job" else 10)
    let_in = [
        (r.method, r.path, code)
        for r in checked
        if (code := (await send(world, who, r)).status_code) not in (403, 404)
    ]
    assert not let_in
    assert await database_state() == before


async def test_the_owner_and_an_admin_do_reach_it(world: World) -> None:
    """The control for the refusals above: the same URLs open for those allowed."""
    for route in routes(world.app):
        if kind(route) != "staff" or route.method != "GET" or owner(route) is None:
            continue
        allowed = {
            "vacancy": ("recruiter_b", "admin"),
            "cycle": ("coach_b", "admin"),
            "study": ("coach_b", "admin"),
            "job": ("recruiter_b",),  # a job is its owner's alone
        }[owner(route)]
        for who in allowed:
            r = await send(world, who, route)
            # 409: the onboarding plan of a candidate who has not submitted yet
            assert r.status_code in (200, 409), (who, route, r.status_code, r.text[:200])


async def test_what_a_colleague_may_open_never_mentions_the_owners_data(world: World) -> None:
    """Lists, library pages and the rest: recruiter A and coach A see nothing of B's."""
    opened = 0
    for route in routes(world.app):
        if kind(route) != "staff" or route.method != "GET" or owner(route) is not None:
            continue
        for who in ("recruiter_a", "coach_a"):
            r = await send(world, who, route)
            if r.status_code == 200:
                opened += 1
                leaked = [m for m in B_MARKERS if m in r.text]
                assert not leaked, (who, route, leaked)
    assert opened >= 15


async def test_an_unknown_link_opens_nothing_and_changes_nothing(world: World) -> None:
    before = await database_state()
    unknown = secrets.token_urlsafe(32)
    for route in routes(world.app):
        if kind(route) == "token":
            r = await send(world, "anonymous", route, unknown)
            assert r.status_code == 404, (route, r.status_code)
    assert await database_state() == before


async def test_a_link_of_one_kind_opens_nothing_of_another(world: World) -> None:
    before = await database_state()
    wrong = {
        "/take/": (world.rater, world.nomination),
        "/rate/": (world.candidate, world.nomination),
        "/api/v1/nominate/": (world.candidate, world.rater),
        "/nominate/": (world.candidate, world.rater),
        "/key/": (world.candidate, world.rater),
        "/expert/": (world.candidate, world.rater),
        "/api/v1/expert/": (world.candidate, world.rater),
    }
    tried = 0
    for route in routes(world.app):
        for prefix, tokens in wrong.items():
            if kind(route) == "token" and route.path.startswith(prefix):
                for token in tokens:
                    r = await send(world, "anonymous", route, token)
                    assert r.status_code == 404, (route, r.status_code)
                    tried += 1
    assert tried >= 20
    assert await database_state() == before


async def test_a_rater_cannot_open_the_form_of_another_subjects_rater(world: World) -> None:
    before = await database_state()
    for route in routes(world.app):
        if "rater_id" in route.params and kind(route) == "token":
            r = await send(world, "anonymous", route, world.other_subject_rater)
            assert r.status_code == 404, (route, r.status_code)
            assert RATER_ONE not in r.text and B_MARKERS[3] not in r.text
    assert await database_state() == before
    own = await world.clients["anonymous"].get(f"/rate/{world.other_subject_rater}")
    assert own.status_code == 200 and B_MARKERS[3] not in own.text


async def test_a_candidates_link_shows_nothing_of_another_candidate(world: World) -> None:
    anon = world.clients["anonymous"]
    first = (await anon.get(f"/api/v1/respond/{world.candidate}")).json()
    assert first["answered"] == 1 and first["answers"], "candidate one has an answer"
    r = await anon.post(f"/api/v1/respond/{world.other_candidate}/start", json={"consent": True})
    assert r.status_code == 200, r.text
    other = r.json()
    assert other["answered"] == 0 and other["answers"] == {}
    for page in ("", "/instructions", "/items/1", "/review"):
        r = await anon.get(f"/take/{world.other_candidate}{page}")
        assert r.status_code == 200, (page, r.status_code)
        assert B_MARKERS[1] not in r.text
