"""Reliability of a vacancy's form and SED bands in its ranking (40 simulated candidates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from server.demo.hiring import load_vacancy
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("item_bank")


async def test_reliability_and_bands(client: AsyncTestClient, tmp_path: Path) -> None:
    await login(client, "recruiter")
    await load_vacancy(np.random.default_rng(11), tmp_path)
    campaign = (await client.get("/api/v1/campaigns")).json()["items"][0]
    r = await client.get(f"/api/v1/campaigns/{campaign['id']}/reliability")
    assert r.status_code == 200, r.text
    form = r.json()["forms"][0]
    assert form["n"] == 40 and form["k"] == len(
        (await client.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}")).json()["item_ids"]
    )
    lower, upper = form["alpha_ci"]
    assert lower < form["alpha"] < upper <= 1
    assert form["sem"] > 0 and form["omega"] is not None and form["split_half"] is not None
    assert len(form["items"]) == form["k"]
    assert all("r_drop" in i and "flags" in i for i in form["items"])
    assert "pairwise" in form["missing"]
    ranking = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking")).json()
    bands = [row["band"] for row in ranking["ranked"]]
    assert bands[0] == 1  # the top scorer is in the top band
    assert bands == sorted(bands)  # bands never go up as scores go down
    top = ranking["ranked"][0]["score"]
    in_top = [row for row in ranking["ranked"] if row["band"] == 1]
    # everyone in band 1 lies within 1.96 * sqrt(2) * SEM of the top score
    width = 1.96 * np.sqrt(2) * form["sem"]
    assert all(top - row["score"] <= width + 1e-6 for row in in_top)
    await login(client, "coach")
    assert (await client.get(f"/api/v1/campaigns/{campaign['id']}/reliability")).status_code == 403
