"""The shipped example library server/data/library.yaml: valid, complete and translated."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
import yaml

from assessments.competency import Competency, Library, library_problems
from assessments.development.catalogue import MODULE_KEYS
from server.core.schemas import LibraryDocument
from server.core.validation import problems
from server.library.convert import library_from_document

LIBRARY_FILE = Path(__file__).resolve().parents[3] / "server" / "data" / "library.yaml"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def library(raw) -> Library:
    return library_from_document(msgspec.convert(raw, LibraryDocument))


@pytest.fixture(scope="module")
def competencies(library) -> dict[str, Competency]:
    return {c.key: c for c in library.competencies}


def russian(text: str | None) -> bool:
    return bool(text) and CYRILLIC.search(text) is not None


def test_document_passes_schema_validation(raw):
    assert problems(raw, LibraryDocument) == []


def test_library_passes_domain_rules(library):
    assert library_problems(library) == []


def test_service_delivery_area(library):
    areas = {a.key: a for a in library.areas}
    assert "service_delivery" in areas
    assert areas["service_delivery"].name == "Service Delivery"


def test_roles(library):
    keys = [r.key for r in library.roles]
    assert len(keys) >= 2
    assert {"cs_operator", "team_lead"} <= set(keys)
    for role in library.roles:
        assert role.competencies, role.key


def test_competencies_are_complete(library):
    assert len(library.competencies) >= 8
    for c in library.competencies:
        assert len(c.indicators) >= 3, c.key
        assert len(c.measures) >= 1, c.key
        assert len(c.activities) >= 1, c.key


@pytest.mark.parametrize(
    "key", ["results_orientation", "stress_resistance", "customer_orientation"]
)
def test_screened_at_hiring(competencies, key):
    assert competencies[key].select_for is True


def test_stress_resistance_is_also_developed(competencies):
    assert competencies["stress_resistance"].develop is True


@pytest.mark.parametrize(
    "key",
    [
        "communication",
        "call_control",
        "telephone_technique",
        "written_communication",
        "product_knowledge",
    ],
)
def test_developed_not_screened(competencies, key):
    assert competencies[key].develop is True
    assert competencies[key].select_for is False


def test_cs_operator_competencies_are_translated_to_russian(library, competencies):
    operator = next(r for r in library.roles if r.key == "cs_operator")
    assert len(operator.competencies) >= 1
    for req in operator.competencies:
        c = competencies[req.competency]
        ru = c.translations.get("ru", {})
        assert russian(ru.get("name")), f"{c.key}: name"
        assert russian(ru.get("definition")), f"{c.key}: definition"
        for ind in c.indicators:
            assert russian(ind.translations.get("ru")), f"{c.key}.{ind.key}"


def test_every_training_activity_names_a_catalogue_module(library):
    trainings = [(c.key, a) for c in library.competencies for a in c.activities]
    trainings = [(key, a) for key, a in trainings if a.kind == "training"]
    assert trainings
    for key, activity in trainings:
        assert activity.module in MODULE_KEYS, f"{key}: {activity.title} -> {activity.module}"
