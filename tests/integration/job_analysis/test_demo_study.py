"""The demo's job-analysis study: finished, its flags in the library with their evidence."""

from __future__ import annotations

import numpy as np
import pytest
from litestar.testing import AsyncTestClient

from server.demo import job_analysis as demo_study

pytestmark = pytest.mark.usefixtures("demo_library")


async def test_the_demo_study_sets_the_operators_flags_with_evidence(
    admin: AsyncTestClient,
) -> None:
    before = (await admin.get("/api/v1/library/export")).json()
    flags = {c["key"]: (c["select_for"], c["develop"]) for c in before["competencies"]}
    ident = await demo_study.load(np.random.default_rng(17))
    assert ident is not None
    assert await demo_study.load(np.random.default_rng(17)) is None  # once only
    study = (await admin.get(f"/api/v1/job-analyses/{ident}")).json()
    assert study["step"] == "applied" and len(study["experts"]) == 9
    assert {e["kind"] for e in study["experts"]} == {"incumbent", "manager", "trainer"}
    after = (await admin.get("/api/v1/library/export")).json()
    role = next(r for r in after["roles"] if r["key"] == "cs_operator")
    # the study agrees with the library's view: the same flags, now with their evidence
    for c in after["competencies"]:
        assert (c["select_for"], c["develop"]) == flags[c["key"]], c["key"]
    for req in role["competencies"]:
        for flag in ("select_for", "develop"):
            e = req["evidence"][flag]
            assert e["source"] == "study" and e["study"] == ident, (req["competency"], flag)
            assert e["experts"]["n"] == 9
    stress = next(r for r in role["competencies"] if r["competency"] == "stress_resistance")
    assert stress["evidence"]["develop"]["overridden"] is True
    assert "mentor" in stress["evidence"]["develop"]["reason"]
    # the expert who does not agree lowers agreement: rwg below 1 somewhere
    report = (await admin.get(f"/api/v1/job-analyses/{ident}/report")).json()
    assert all(c["n"] == 9 for c in report["competencies"])
    assert min(c["rwg"] for c in report["competencies"]) < 1
