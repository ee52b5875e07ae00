"""The library pages: browsing by flag and language, a competency's and a role's page,
import from the page, and stored text escaped on every page."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from server.bootstrap import DEMO_LIBRARY
from tests.integration.library.page_forms import (
    XSS,
    XSS_ESCAPED,
    browser_form,
    card,
    competencies,
    competency,
    error_items,
    field_values,
    form_login,
    listed_names,
    page_token,
    role,
)

# ---- the library pages -----------------------------------------------------------------


async def test_library_lists_competencies_with_flags(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    r = await recruiter.get("/app")
    assert r.status_code == 200
    html = r.text
    names = listed_names(html)
    assert len(names) == 14
    assert 'Competencies <span class="muted">(14)</span>' in html
    assert names[:3] == ["Customer orientation", "Results orientation", "Stress resistance"]
    select_only = card(html, "Customer orientation")
    assert 'class="flag select"' in select_only and ">Select for</span>" in select_only
    assert 'class="flag develop"' not in select_only
    develop_only = card(html, "Communication")
    assert 'class="flag develop"' in develop_only and ">Develop</span>" in develop_only
    assert 'class="flag select"' not in develop_only
    both = card(html, "Stress resistance")
    assert 'class="flag select"' in both and 'class="flag develop"' in both
    assert "5 indicators · 3 measures · 3 activities" in select_only
    # areas and roles
    assert "<h3>Service Delivery</h3>" in html
    for name in ("Customer service operator", "Merchant support agent", "Team lead"):
        assert f">{name}</a>" in html
    # a recruiter is not offered the editor
    assert "/app/competencies/new" not in html


async def test_library_filter_select_for(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"flag": "select_for"})
    assert r.status_code == 200
    names = listed_names(r.text)
    assert "Customer orientation" in names
    assert "Communication" not in names
    assert ">Communication</a>" not in r.text
    assert set(names) == {
        "Customer orientation",
        "Results orientation",
        "Stress resistance",
        "Tolerance",
        "Service standards",
        "Crisis composure",
    }
    assert 'value="select_for" checked' in r.text


async def test_library_filter_develop(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"flag": "develop"})
    assert r.status_code == 200
    names = listed_names(r.text)
    assert "Communication" in names and "Stress resistance" in names
    assert "Customer orientation" not in names and "Crisis composure" not in names
    assert len(names) == 11


async def test_library_rejects_unknown_flag(recruiter: AsyncTestClient) -> None:
    r = await recruiter.get("/app", params={"flag": "everything"})
    assert r.status_code == 400


async def test_library_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    r = await recruiter.get("/app", params={"lang": "ru"})
    assert r.status_code == 200
    html = r.text
    names = listed_names(html)
    assert "Клиентоориентированность" in names
    assert "Коммуникация" in names
    assert "Customer orientation" not in html
    assert "Искренне стремится помочь каждому клиенту" in html
    assert "<h3>Обслуживание клиентов</h3>" in html
    assert ">Оператор службы поддержки клиентов</a>" in html
    assert '<html lang="ru">' in html
    assert '<option value="ru" lang="ru" selected>' in html
    # links keep the language
    assert re.search(r'href="/app/competencies/\d+\?lang=ru">Клиентоориентированность<', html)


async def test_competency_page_shows_indicators_measures_activities_and_roles(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    c = await competency(recruiter, "customer_orientation")
    r = await recruiter.get(f"/app/competencies/{c['id']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Customer orientation</h1>" in html
    assert "Sincerely wants to help every customer" in html
    assert 'class="flag select"' in html and 'class="flag develop"' not in html
    # indicators, with their polarity
    assert (
        '<li class="present"><span class="pol">Shows</span> Offers help on their own '
        "initiative instead of waiting for the customer to request each step.</li>"
    ) in html
    assert (
        '<li class="absent"><span class="pol">Warning sign</span> Handles the contact as a '
        "ticket to close rather than as a person who needs help.</li>"
    ) in html
    # measures
    assert (
        '<strong>Transactional NPS (tNPS)</strong> <span class="badge">key figure (KPI)</span>'
        in html
    )
    assert "<strong>Observation of remarks about customers</strong>" in html
    # activities, with the catalogue module
    assert "<strong>Welcoming team climate</strong>" in html
    assert '<span class="badge">on the job</span>' in html
    assert "module 1: Attitudes, strategy, core values and work environment" in html
    # roles that require it, with weight and level
    assert re.search(r">Customer service operator</a></td><td>1\.5</td><td>4</td>", html), (
        "cs_operator requires it at weight 1.5, level 4"
    )
    assert re.search(r">Merchant support agent</a></td><td>1\.0</td><td>4</td>", html)
    assert ">Team lead</a>" not in html
    # language switch offered; a recruiter gets no Edit button
    assert 'href="?lang=ru"' in html
    assert f"/app/competencies/{c['id']}/edit" not in html


async def test_competency_page_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    c = await competency(recruiter, "customer_orientation")
    r = await recruiter.get(f"/app/competencies/{c['id']}", params={"lang": "ru"})
    assert r.status_code == 200
    assert "<h1>Клиентоориентированность</h1>" in r.text
    assert "По собственной инициативе предлагает помощь" in r.text
    assert "<strong>Транзакционный NPS (tNPS)</strong>" in r.text
    assert "<strong>Доброжелательная атмосфера в команде</strong>" in r.text
    assert "Offers help on their own initiative" not in r.text


async def test_missing_competency_page_is_404(recruiter: AsyncTestClient) -> None:
    r = await recruiter.get("/app/competencies/999999")
    assert r.status_code == 404


async def test_role_page_lists_its_competencies(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    cs = await role(recruiter, "cs_operator")
    r = await recruiter.get(f"/app/roles/{cs['id']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Customer service operator</h1>" in html
    assert "Answers private customers by phone" in html
    rows = re.findall(r'<tr><td><a href="/app/competencies/\d+">([^<]+)</a></td>', html)
    assert rows == [
        "Customer orientation",
        "Stress resistance",
        "Tolerance",
        "Results orientation",
        "Empathy",
        "Communication",
        "Solution focus",
        "Telephone technique",
        "Call control",
        "Product and business knowledge",
    ]
    assert "Coaching others" not in html
    first = html[html.index(">Customer orientation</a>") :].split("</tr>")[0]
    assert "<td>1.5</td>" in first and 'aria-label="level 4 of 5"' in first
    assert 'class="flag select"' in first


async def test_role_page_in_russian(recruiter: AsyncTestClient, demo_library: None) -> None:
    cs = await role(recruiter, "team_lead")
    r = await recruiter.get(f"/app/roles/{cs['id']}", params={"lang": "ru"})
    assert r.status_code == 200
    assert "<h1>Руководитель группы</h1>" in r.text
    assert ">Развитие сотрудников</a>" in r.text
    assert ">Coaching others</a>" not in r.text


# ---- import from the library page -------------------------------------------------------


async def test_admin_imports_a_library_file_from_the_page(admin: AsyncTestClient) -> None:
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("library.yaml", DEMO_LIBRARY.read_bytes(), "application/yaml")},
    )
    assert r.status_code == 200, r.text[:500]
    assert "Imported library.yaml: " in r.text and " created, " in r.text
    assert (await competencies(admin, flag="select_for"))["total"] >= 3


async def test_invalid_import_file_lists_every_problem_and_changes_nothing(
    admin: AsyncTestClient,
) -> None:
    bad = (
        b"competencies:\n"
        b"  - {key: ok_one, name: Ok, definition: d, develop: true}\n"
        b"  - {key: Bad, name: '', definition: d, develop: true,"
        b" indicators: [{text: t, polarity: sideways}]}\n"
    )
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("bad.yaml", bad, "application/yaml")},
    )
    assert r.status_code == 422
    fields = {e.split(":", 1)[0] for e in error_items(r.text)}
    assert fields == {
        "competencies[1].key",
        "competencies[1].name",
        "competencies[1].indicators[0].polarity",
    }
    assert (await competencies(admin))["total"] == 0
    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("broken.yaml", b"competencies: [unclosed", "application/yaml")},
    )
    assert r.status_code == 400 and "invalid YAML" in r.text


async def test_recruiter_cannot_import_from_the_page(recruiter: AsyncTestClient) -> None:
    token = await page_token(recruiter, "/app")
    assert 'action="/app/library/import"' not in (await recruiter.get("/app")).text
    r = await recruiter.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("x.yaml", b"competencies: []", "application/yaml")},
    )
    assert r.status_code == 403


# ---- escaping of stored text -------------------------------------------------------------


async def test_stored_markup_is_escaped_on_every_page(
    admin: AsyncTestClient, demo_library: None
) -> None:
    payload = {
        "key": "xss_probe",
        "name": XSS,
        "definition": f'{XSS} " onfocus="alert(2)',
        "benefit": f"</textarea>{XSS}",
        "select_for": True,
        "develop": True,
        "indicators": [{"text": XSS, "polarity": "present"}],
        "measures": [{"name": XSS, "kind": "kpi", "description": XSS}],
        "activities": [{"kind": "training", "title": XSS, "description": XSS}],
    }
    r = await admin.post("/api/v1/competencies", json=payload)
    assert r.status_code == 201, r.text
    ident = r.json()["id"]

    library = await admin.get("/app")
    assert library.status_code == 200
    assert XSS_ESCAPED in card(library.text, XSS_ESCAPED)
    assert "<script" not in library.text

    detail = await admin.get(f"/app/competencies/{ident}")
    assert detail.status_code == 200
    assert f"<h1>{XSS_ESCAPED}</h1>" in detail.text
    assert f"<title>{XSS_ESCAPED} · Assessment engine</title>" in detail.text
    assert f'<span class="pol">Shows</span> {XSS_ESCAPED}</li>' in detail.text
    assert "<script" not in detail.text
    assert 'onfocus="alert(2)"' not in detail.text

    edit = await admin.get(f"/app/competencies/{ident}/edit")
    assert edit.status_code == 200
    assert "<script" not in edit.text
    assert 'onfocus="alert(2)"' not in edit.text
    assert "&lt;/textarea&gt;" in edit.text
    # and the form carries the original text back unchanged
    fields = browser_form(edit.text, f"/app/competencies/{ident}")
    assert field_values(fields, "name") == [XSS]
    assert field_values(fields, "definition") == [payload["definition"]]
    assert field_values(fields, "benefit") == [payload["benefit"]]


async def test_markup_in_a_role_name_is_escaped(admin: AsyncTestClient, demo_library: None) -> None:
    r = await admin.post(
        "/api/v1/roles",
        json={
            "key": "xss_role",
            "name": XSS,
            "area": "service_delivery",
            "competencies": [{"competency": "empathy"}],
        },
    )
    assert r.status_code == 201, r.text
    for path in ("/app", f"/app/roles/{r.json()['id']}"):
        page = await admin.get(path)
        assert page.status_code == 200
        assert XSS_ESCAPED in page.text
        assert "<script" not in page.text, path


async def test_login_error_page_escapes_the_email(client: AsyncTestClient) -> None:
    r = await form_login(client, '"><script>alert(1)</script>@x.example')
    assert r.status_code == 401
    assert "<script" not in r.text
    assert "&#34;&gt;&lt;script&gt;" in r.text or "&quot;&gt;&lt;script&gt;" in r.text
