"""The expert's page speaks the expert's language, or the one chosen with ``?lang=``
(remembered for the next visit); the API's texts follow ``?lang=`` the same way."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from server.web.i18n import translations
from tests.integration.job_analysis.expert_setup import expert_row, make_expert, make_study

pytestmark = pytest.mark.usefixtures("demo_library")

QUESTION = "When someone in this role is at the top of their game, what do they do best?"


def _in(lang: str, text: str) -> str:
    """``text`` as the page writes it in ``lang`` (autoescaped, like the page)."""
    return translations(lang).gettext(text).replace("'", "&#39;")


async def test_the_page_opens_in_the_experts_language(client: AsyncTestClient) -> None:
    study = await make_study()
    olga = await make_expert(study, "Olga Ivanova", language="ru")
    page = (await client.get(olga.page, headers={"accept-language": "sv"})).text
    assert '<html lang="ru">' in page
    assert page.count(translations("ru").gettext(QUESTION)) == 1
    skip = translations("ru").gettext("Skip to content")
    assert skip != "Skip to content" and skip in page  # the catalogue is the Russian one
    library = (await client.get(f"{olga.api}/library")).json()
    assert library["competencies"][0]["name"] == "Клиентоориентированность"


async def test_a_chosen_language_is_used_and_remembered(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg", language="en")
    page = (await client.get(f"{anna.page}?lang=sv")).text
    assert '<html lang="sv">' in page
    assert page.count(translations("sv").gettext(QUESTION)) == 1
    assert translations("sv").gettext("Skip to content") in page
    stored = await expert_row(anna)
    assert stored["language"] == "sv"
    again = (await client.get(anna.page)).text  # the next visit, without ?lang=
    assert '<html lang="sv">' in again
    view = (await client.get(anna.api)).json()
    assert view["language"] == "sv" and view["role"] == "Kundtjänstmedarbetare"
    english = (await client.get(f"{anna.api}?lang=en")).json()
    assert english["language"] == "en" and english["role"] == "Customer service operator"
    page = (await client.get(f"{anna.page}?lang=xx")).text  # not a language of ours
    assert '<html lang="sv">' in page
    page = (await client.get(f"{anna.page}?lang=en")).text
    assert '<html lang="en">' in page and QUESTION in page


async def test_an_unknown_link_is_said_in_the_browsers_language(client: AsyncTestClient) -> None:
    r = await client.get("/expert/" + "n" * 43, headers={"accept-language": "nb-NO,nb;q=0.9"})
    assert r.status_code == 404 and '<html lang="nb">' in r.text
    assert _in("nb", "This link is not valid") in r.text
    r = await client.get("/expert/" + "n" * 43 + "?lang=ru")
    assert r.status_code == 404 and '<html lang="ru">' in r.text
