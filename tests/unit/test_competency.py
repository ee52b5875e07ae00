"""Pure domain tests of the competency model in assessments/competency.py."""

from __future__ import annotations

import pytest

from assessments.competency import (
    Activity,
    Area,
    Competency,
    Indicator,
    Library,
    Measure,
    Requirement,
    Role,
    competency_problems,
    library_problems,
    localized,
    localized_named,
    role_competencies,
    role_problems,
    validated,
    with_indicator_keys,
)
from assessments.errors import InvalidLibrary, Problem


def comp(key: str = "c", **kw) -> Competency:
    kw.setdefault("develop", True)
    kw.setdefault("name", key.title())
    kw.setdefault("definition", "Def.")
    return Competency(key=key, **kw)


def paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


# --- localized -------------------------------------------------------------------------


def rich_competency() -> Competency:
    return comp(
        "empathy",
        name="Empathy",
        definition="Understands feelings.",
        benefit="Calmer calls.",
        indicators=(
            Indicator("i1", "Names the feeling.", translations={"ru": "Называет чувство."}),
            Indicator("i2", "Interrupts.", "absent"),
        ),
        measures=(
            Measure(
                "Rating",
                "kpi",
                "Score after the call.",
                translations={"ru": {"name": "Оценка"}},
            ),
        ),
        activities=(
            Activity(
                "training",
                "Styles module",
                "Workshop.",
                module="behaviour_styles",
                translations={"ru": {"description": "Семинар."}},
            ),
        ),
        translations={"ru": {"name": "Эмпатия", "benefit": ""}},
    )


def test_localized_translates_what_exists_and_falls_back_per_text():
    ru = localized(rich_competency(), "ru")
    assert ru.name == "Эмпатия"
    assert ru.definition == "Understands feelings."  # no ru definition
    assert ru.benefit == "Calmer calls."  # empty translation counts as missing
    assert ru.key == "empathy"
    assert ru.develop is True


def test_localized_indicators_fall_back_one_by_one():
    ru = localized(rich_competency(), "ru")
    assert [i.text for i in ru.indicators] == ["Называет чувство.", "Interrupts."]
    assert [i.key for i in ru.indicators] == ["i1", "i2"]
    assert [i.polarity for i in ru.indicators] == ["present", "absent"]


def test_localized_measures_and_activities_fall_back_per_field():
    ru = localized(rich_competency(), "ru")
    assert (ru.measures[0].name, ru.measures[0].description) == ("Оценка", "Score after the call.")
    assert (ru.activities[0].title, ru.activities[0].description) == ("Styles module", "Семинар.")
    assert ru.activities[0].module == "behaviour_styles"


def test_localized_unknown_language_is_all_english():
    c = rich_competency()
    de = localized(c, "de")
    assert de == c


def test_localized_english_returns_the_same_object():
    c = rich_competency()
    assert localized(c, "en") is c


def test_localized_named_area_and_role():
    area = Area(
        "service",
        "Service",
        "Front line.",
        translations={"ru": {"name": "Сервис"}},
    )
    role = Role("op", "Operator", description="Answers calls.", translations={"ru": {}})
    ru_area = localized_named(area, "ru")
    assert (ru_area.name, ru_area.description) == ("Сервис", "Front line.")
    ru_role = localized_named(role, "ru")
    assert (ru_role.name, ru_role.description) == ("Operator", "Answers calls.")
    assert localized_named(area, "en") is area


# --- with_indicator_keys ---------------------------------------------------------------


def test_with_indicator_keys_numbers_missing_keys():
    out = with_indicator_keys([Indicator(None, "a"), Indicator(None, "b")])
    assert [i.key for i in out] == ["i1", "i2"]
    assert [i.text for i in out] == ["a", "b"]


def test_with_indicator_keys_skips_keys_already_given():
    items = [
        Indicator(None, "a"),
        Indicator("i1", "b"),
        Indicator(None, "c"),
        Indicator("i3", "d"),
        Indicator(None, "e"),
    ]
    out = with_indicator_keys(items)
    assert [i.key for i in out] == ["i2", "i1", "i4", "i3", "i5"]
    assert len({i.key for i in out}) == 5


def test_with_indicator_keys_keeps_custom_keys_and_returns_tuple():
    out = with_indicator_keys([Indicator("greets", "a"), Indicator(None, "b")])
    assert out == (Indicator("greets", "a"), Indicator("i1", "b"))


# --- competency_problems ---------------------------------------------------------------


def test_competency_without_flag_is_a_problem_at_select_for():
    problems = competency_problems(comp(develop=False))
    assert paths(problems) == ["select_for"]
    assert "select_for, develop, or both" in problems[0].message


@pytest.mark.parametrize(("select_for", "develop"), [(True, False), (False, True), (True, True)])
def test_competency_with_any_flag_is_fine(select_for, develop):
    assert competency_problems(comp(select_for=select_for, develop=develop)) == []


def test_competency_duplicate_indicator_keys_reported_at_each_duplicate():
    c = comp(
        indicators=(
            Indicator("a", "1"),
            Indicator("b", "2"),
            Indicator("a", "3"),
            Indicator(None, "4"),
            Indicator(None, "5"),
        )
    )
    problems = competency_problems(c, "competencies[2].")
    assert paths(problems) == [
        "competencies[2].indicators[0].key",
        "competencies[2].indicators[2].key",
    ]
    assert all("duplicate key 'a'" in p.message for p in problems)


def test_competency_unknown_module_reported_with_expected_modules():
    c = comp(
        activities=(
            Activity("training", "ok", module="call_control"),
            Activity("coaching", "no module"),
            Activity("training", "bad", module="juggling"),
        )
    )
    problems = competency_problems(c)
    assert paths(problems) == ["activities[2].module"]
    assert "unknown module 'juggling'" in problems[0].message
    assert "telephone_technique" in problems[0].message


# --- role_problems ---------------------------------------------------------------------


def test_role_problems_unknown_area_unknown_and_repeated_competencies():
    role = Role(
        "op",
        "Operator",
        area="sales",
        competencies=(
            Requirement("a"),
            Requirement("ghost"),
            Requirement("a"),
        ),
    )
    problems = role_problems(role, {"a", "b"}, {"service"}, "roles[1].")
    assert paths(problems) == [
        "roles[1].area",
        "roles[1].competencies[0].competency",
        "roles[1].competencies[1].competency",
        "roles[1].competencies[2].competency",
    ]
    assert "unknown area 'sales'" in problems[0].message
    assert "listed twice" in problems[1].message
    assert "unknown competency 'ghost'" in problems[2].message
    assert "listed twice" in problems[3].message


def test_role_problems_valid_role_and_role_without_area():
    role = Role("op", "Operator", area="service", competencies=(Requirement("a"),))
    assert role_problems(role, {"a"}, {"service"}) == []
    assert role_problems(Role("x", "X"), set(), set()) == []


# --- library_problems / validated ------------------------------------------------------


def broken_library() -> Library:
    return Library(
        areas=(Area("service", "Service"), Area("service", "Again")),
        competencies=(
            comp("a", area="service"),
            comp("b", area="nowhere"),
            comp("c"),
            comp("a"),
        ),
        roles=(
            Role("op", "Operator", area="hq", competencies=(Requirement("zzz"),)),
            Role("op", "Again"),
        ),
    )


def test_library_problems_lists_every_problem_with_its_path():
    problems = library_problems(broken_library())
    assert paths(problems) == [
        "areas[0].key",
        "areas[1].key",
        "competencies[0].key",
        "competencies[3].key",
        "roles[0].key",
        "roles[1].key",
        "competencies[1].area",
        "roles[0].area",
        "roles[0].competencies[0].competency",
    ]
    by_path = {p.path: p.message for p in problems}
    assert by_path["areas[1].key"] == "duplicate key 'service'"
    assert by_path["competencies[3].key"] == "duplicate key 'a'"
    assert by_path["roles[0].key"] == "duplicate key 'op'"
    assert by_path["competencies[1].area"] == "unknown area 'nowhere'"
    assert by_path["roles[0].area"] == "unknown area 'hq'"
    assert by_path["roles[0].competencies[0].competency"] == "unknown competency 'zzz'"


def test_library_problems_same_key_in_different_kinds_is_fine():
    lib = Library(
        areas=(Area("service", "Service"),),
        competencies=(comp("service", area="service"),),
        roles=(Role("service", "Service", competencies=(Requirement("service"),)),),
    )
    assert library_problems(lib) == []


def test_library_problems_includes_competency_rules_with_prefix():
    lib = Library(competencies=(comp("x"), comp("y", develop=False)))
    problems = library_problems(lib)
    assert paths(problems) == ["competencies[1].select_for"]


def test_library_problems_known_keys_make_references_valid():
    lib = Library(
        competencies=(comp("a", area="stored_area"),),
        roles=(
            Role(
                "op",
                "Operator",
                area="stored_area",
                competencies=(Requirement("a"), Requirement("stored_comp")),
            ),
        ),
    )
    assert paths(library_problems(lib)) == [
        "competencies[0].area",
        "roles[0].area",
        "roles[0].competencies[1].competency",
    ]
    assert (
        library_problems(lib, known_areas=["stored_area"], known_competencies={"stored_comp"}) == []
    )


def test_validated_returns_a_valid_library_unchanged():
    lib = Library(areas=(Area("s", "S"),), competencies=(comp("a", area="s"),))
    assert validated(lib) is lib


def test_validated_raises_with_every_problem():
    with pytest.raises(InvalidLibrary) as info:
        validated(broken_library())
    assert info.value.problems == library_problems(broken_library())
    assert len(info.value.problems) == 9
    assert "competencies[1].area: unknown area 'nowhere'" in str(info.value)
    assert isinstance(info.value, ValueError)


# --- role_competencies -----------------------------------------------------------------


def test_role_competencies_keeps_role_order_and_filters_by_flag():
    comps = [
        comp("a", select_for=True, develop=False),
        comp("b", select_for=False, develop=True),
        comp("c", select_for=True, develop=True),
    ]
    role = Role(
        "op",
        "Operator",
        competencies=(
            Requirement("c", weight=2.0),
            Requirement("missing"),
            Requirement("a", required_level=4),
            Requirement("b"),
        ),
    )
    everything = role_competencies(role, comps)
    assert [(c.key, r.competency) for c, r in everything] == [("c", "c"), ("a", "a"), ("b", "b")]
    assert everything[0][1].weight == 2.0
    assert everything[1][1].required_level == 4
    assert [c.key for c, _ in role_competencies(role, comps, "select_for")] == ["c", "a"]
    assert [c.key for c, _ in role_competencies(role, comps, "develop")] == ["c", "b"]
