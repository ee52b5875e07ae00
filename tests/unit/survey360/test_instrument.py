"""The 360 instrument built from a role (assessments/survey360/instrument.py)."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from assessments.competency import Competency, Indicator, Requirement, Role
from assessments.survey360.instrument import (
    FREQUENCY_ANCHORS,
    QUESTION_KEYS,
    Instrument,
    Scale,
    build_instrument,
    localized_instrument,
    scored,
)

nan = np.nan

LISTENING = Competency(
    key="listening",
    name="Active listening",
    definition="Hears the customer out.",
    develop=True,
    translations={"ru": {"name": "Активное слушание"}},
    indicators=(
        Indicator(
            "summarises",
            "Summarises the request before answering",
            translations={"ru": "Резюмирует запрос, прежде чем ответить"},
        ),
        Indicator("interrupts", "Interrupts the customer", polarity="absent"),
    ),
)
OWNERSHIP = Competency(
    key="ownership",
    name="Ownership",
    definition="Sees a case through.",
    develop=True,
    indicators=(Indicator(None, "Follows a case up until it is closed"),),
)
RESILIENCE = Competency(
    key="resilience",
    name="Resilience",
    definition="Stays calm.",
    select_for=True,
    indicators=(Indicator("calm", "Stays calm with an angry caller"),),
)
NO_INDICATORS = Competency(key="empty", name="Empty", definition="-", develop=True)
LIBRARY = (LISTENING, OWNERSHIP, RESILIENCE, NO_INDICATORS)
ROLE = Role(
    key="operator",
    name="Operator",
    competencies=(
        Requirement("ownership"),
        Requirement("resilience"),
        Requirement("listening"),
        Requirement("empty"),
    ),
)


def test_default_is_develop_competencies_in_role_order():
    inst = build_instrument(ROLE, LIBRARY)
    # resilience is select_for only; empty has no indicator and so nothing to rate
    assert inst.competencies == ("ownership", "listening")
    assert [(s.competency, s.indicator) for s in inst.statements] == [
        ("ownership", "i1"),  # keyless indicator gets the first free key
        ("listening", "summarises"),
        ("listening", "interrupts"),
    ]
    assert inst.statements[1].text == "Summarises the request before answering"
    assert inst.statement_competency == ("ownership", "listening", "listening")


def test_ids_run_across_statements_comments_and_questions():
    inst = build_instrument(ROLE, LIBRARY)
    # 3 statements (1-3), 2 comment boxes (4-5), 2 open questions (6-7)
    assert inst.statement_ids == (1, 2, 3)
    assert [c.id for c in inst.comments] == [4, 5]
    assert [q.id for q in inst.questions] == [6, 7]
    assert [c.competency for c in inst.comments] == ["ownership", "listening"]
    assert tuple(q.key for q in inst.questions) == QUESTION_KEYS == ("strengths", "start_stop")


def test_absent_polarity_is_reverse_keyed():
    inst = build_instrument(ROLE, LIBRARY)
    assert [s.reverse for s in inst.statements] == [False, False, True]
    assert inst.reverse.tolist() == [False, False, True]
    assert inst.reverse.dtype == bool


def test_texts_and_translations():
    inst = build_instrument(ROLE, LIBRARY)
    assert inst.statements[1].translations == {"ru": "Резюмирует запрос, прежде чем ответить"}
    assert inst.statements[2].translations == {}
    listening = inst.comments[1]
    assert listening.text == "Comments on Active listening"
    assert listening.translations["ru"] == "Комментарии по компетенции «Активное слушание»"
    # no Russian name: the English name inside the Russian sentence
    assert inst.comments[0].translations["ru"] == "Комментарии по компетенции «Ownership»"
    strengths, start_stop = inst.questions
    assert strengths.text == "What does this person do particularly well?"
    assert start_stop.text == "What should this person start doing, or stop doing?"
    assert strengths.translations["ru"] and start_stop.translations["ru"]


def test_add_and_drop():
    inst = build_instrument(ROLE, LIBRARY, add=["resilience"], drop=["ownership"])
    assert inst.competencies == ("listening", "resilience")
    assert [s.id for s in inst.statements] == [1, 2, 3]
    # adding a competency already selected does not repeat it
    again = build_instrument(ROLE, LIBRARY, add=["listening"])
    assert again.competencies == ("ownership", "listening")


def test_add_or_drop_unknown_key_names_it():
    with pytest.raises(ValueError, match="'teamwork'"):
        build_instrument(ROLE, LIBRARY, add=["teamwork"])
    with pytest.raises(ValueError, match="'nope'"):
        build_instrument(ROLE, LIBRARY, drop=["nope"])
    with pytest.raises(ValueError, match="both added and dropped: 'listening'"):
        build_instrument(ROLE, LIBRARY, add=["listening"], drop=["listening"])


def test_no_statement_is_an_error():
    with pytest.raises(ValueError, match="no statement"):
        build_instrument(ROLE, LIBRARY, drop=["ownership", "listening"])
    with pytest.raises(ValueError, match="no statement"):
        build_instrument(Role("r", "R", competencies=(Requirement("resilience"),)), LIBRARY)


def test_scale_defaults():
    scale = build_instrument(ROLE, LIBRARY).scale
    assert (scale.min, scale.max, scale.points, scale.bounds) == (1, 5, (1, 2, 3, 4, 5), (1, 5))
    assert scale.anchors == FREQUENCY_ANCHORS
    assert scale.anchors == ("Almost never", "Seldom", "Sometimes", "Often", "Almost always")
    assert scale.translations["ru"] == (
        "Почти никогда",
        "Редко",
        "Иногда",
        "Часто",
        "Почти всегда",
    )
    assert scale.cannot_say is True
    assert scale.labels("ru")[4] == "Почти всегда"
    assert scale.labels("nb")[0] == "Nesten aldri"
    assert scale.labels("de") == FREQUENCY_ANCHORS  # a language the scale does not have


def test_instrument_round_trips_through_msgspec():
    inst = build_instrument(ROLE, LIBRARY)
    stored = msgspec.json.decode(msgspec.json.encode(inst))
    assert msgspec.convert(stored, Instrument) == inst
    assert msgspec.convert(msgspec.to_builtins(inst), Instrument) == inst


def test_scale_validation():
    with pytest.raises(ValueError, match="needs 5 anchors"):
        Scale(anchors=("a", "b"))
    with pytest.raises(ValueError, match="translation 'ru' needs 5 anchors"):
        Scale(translations={"ru": ("a",)})
    with pytest.raises(ValueError, match="min < max"):
        Scale(min=5, max=1)
    with pytest.raises(ValueError, match="must be an int"):
        Scale(min=1.5)  # type: ignore[arg-type]


def test_localized_instrument_falls_back_to_english():
    inst = build_instrument(ROLE, LIBRARY)
    ru = localized_instrument(inst, "ru")
    assert isinstance(ru, Instrument)
    assert [s.text for s in ru.statements] == [
        "Follows a case up until it is closed",  # no Russian text: English
        "Резюмирует запрос, прежде чем ответить",
        "Interrupts the customer",
    ]
    assert ru.comments[1].text == "Комментарии по компетенции «Активное слушание»"
    assert ru.questions[0].text == "Что этот человек делает особенно хорошо?"
    assert ru.scale.anchors[0] == "Почти никогда"
    assert ru.scale.cannot_say_label == "Затрудняюсь ответить"
    assert [s.id for s in ru.statements] == [1, 2, 3]
    # a language without any translation: English throughout
    de = localized_instrument(inst, "de")
    assert [s.text for s in de.statements] == [s.text for s in inst.statements]
    assert de.scale.anchors == FREQUENCY_ANCHORS
    assert [q.text for q in de.questions] == [q.text for q in inst.questions]
    # the built-in texts in Swedish; statements without a Swedish text stay English
    sv = localized_instrument(inst, "sv")
    assert [s.text for s in sv.statements] == [s.text for s in inst.statements]
    assert sv.scale.anchors[0] == "Nästan aldrig" and sv.comments[0].text.startswith("Kommentarer")
    assert localized_instrument(inst, "en") is inst


def test_scored_flips_reverse_keyed_columns():
    ratings = np.array([[5, 5, 1], [1, 1, nan], [3, 3, 2]])
    out = scored(ratings, [False, True, True], Scale())
    # min + max - x = 6 - x on the reversed columns: 5 -> 1, 1 -> 5, 3 -> 3, 2 -> 4
    np.testing.assert_array_equal(out, [[5, 1, 5], [1, 5, nan], [3, 3, 4]])
    np.testing.assert_array_equal(scored(ratings, [0, 1, 0], (1, 5))[:, 1], [1, 5, 3])


def test_scored_validation():
    with pytest.raises(ValueError, match="one flag per statement"):
        scored(np.ones((2, 3)), [True])
    with pytest.raises(ValueError, match="2-D"):
        scored(np.ones(3), [True, True, True])
    with pytest.raises(ValueError, match=r"within the scale 1\.\.5"):
        scored(np.array([[1.0, 6.0]]), [False, False])
    with pytest.raises(ValueError, match="booleans"):
        scored(np.ones((1, 2)), [0, 2])
