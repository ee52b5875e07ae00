"""A stored 360 survey shown in Swedish and Norwegian: built-in texts in every language,
and translations written after the survey was built reach it only for the same sentence
(assessments/survey360/instrument.py: fill_translations)."""

from __future__ import annotations

from dataclasses import replace

import msgspec

from assessments.competency import Competency, Indicator, Requirement, Role
from assessments.survey360.instrument import (
    FREQUENCY_ANCHORS,
    Instrument,
    build_instrument,
    fill_translations,
    localized_instrument,
)

LISTENING = Competency(
    key="listening",
    name="Active listening",
    definition="Hears the customer out.",
    develop=True,
    indicators=(
        Indicator("summarises", "Summarises the request before answering"),
        Indicator("interrupts", "Interrupts the customer", polarity="absent"),
    ),
)
ROLE = Role(key="operator", name="Operator", competencies=(Requirement("listening"),))

# the library a while later: Norwegian and Swedish written, one sentence reworded
LATER = replace(
    LISTENING,
    translations={"nb": {"name": "Aktiv lytting"}, "sv": {"name": "Aktivt lyssnande"}},
    indicators=(
        Indicator(
            "summarises",
            "Summarises the request before answering",
            translations={"nb": "Oppsummerer henvendelsen før svaret", "sv": "Sammanfattar"},
        ),
        Indicator(
            "interrupts",
            "Cuts the customer off",  # a different sentence now
            polarity="absent",
            translations={"nb": "Avbryter kunden"},
        ),
    ),
)


def _stored(inst: Instrument) -> Instrument:
    """The survey as a cycle stored it before sv/nb existed: only its ru texts kept."""
    old = msgspec.convert(msgspec.to_builtins(inst), Instrument)
    scale = replace(
        old.scale,
        translations={"ru": old.scale.translations["ru"]},
        cannot_say_translations={"ru": old.scale.cannot_say_translations["ru"]},
    )
    return replace(
        old,
        questions=tuple(
            replace(q, translations={"ru": q.translations["ru"]}) for q in old.questions
        ),
        comments=tuple(replace(c, translations={}) for c in old.comments),
        scale=scale,
    )


def test_a_new_survey_has_every_built_in_text_in_sv_and_nb() -> None:
    inst = build_instrument(ROLE, (LATER,))
    for lang in ("sv", "nb"):
        shown = localized_instrument(inst, lang)
        assert not set(shown.scale.anchors) & set(FREQUENCY_ANCHORS)
        assert shown.scale.cannot_say_label != "Cannot say"
        pairs = zip(shown.questions, inst.questions, strict=True)
        assert all(q.text != q0.text for q, q0 in pairs)
    nb = localized_instrument(inst, "nb")
    assert nb.scale.anchors == ("Nesten aldri", "Sjelden", "Av og til", "Ofte", "Nesten alltid")
    assert nb.comments[0].text == "Kommentarer om Aktiv lytting"
    assert nb.statements[0].text == "Oppsummerer henvendelsen før svaret"


def test_a_stored_survey_gets_later_translations_of_the_same_sentences_only() -> None:
    stored = _stored(build_instrument(ROLE, (LISTENING,)))
    assert localized_instrument(stored, "nb").scale.anchors == FREQUENCY_ANCHORS  # before
    filled = fill_translations(stored, (LATER,))
    nb = localized_instrument(filled, "nb")
    assert nb.statements[0].text == "Oppsummerer henvendelsen før svaret"
    # the library reworded this one: its translation is of another sentence, not shown
    assert nb.statements[1].text == "Interrupts the customer"
    assert nb.comments[0].text == "Kommentarer om Aktiv lytting"
    assert nb.questions[0].text == "Hva gjør denne personen særlig godt?"
    assert nb.scale.anchors[0] == "Nesten aldri" and nb.scale.cannot_say_label == "Kan ikke vurdere"
    assert localized_instrument(filled, "sv").statements[0].text == "Sammanfattar"
    # what the survey held stays; English is untouched; ids and keys do not move
    assert localized_instrument(filled, "ru").scale.anchors[0] == "Почти никогда"
    assert localized_instrument(filled, "en") == filled
    assert [s.id for s in filled.statements] == [s.id for s in stored.statements]


def test_a_custom_scale_and_custom_texts_are_left_alone() -> None:
    stored = _stored(build_instrument(ROLE, (LISTENING,)))
    custom = replace(
        stored,
        scale=replace(
            stored.scale,
            anchors=("Never", "Rarely", "Sometimes", "Mostly", "Always"),
            translations={},
        ),
        questions=(replace(stored.questions[0], text="Anything else?", translations={}),),
        comments=(replace(stored.comments[0], text="Notes", translations={}),),
    )
    nb = localized_instrument(fill_translations(custom, (LATER,)), "nb")
    assert nb.scale.anchors[0] == "Never"
    assert nb.questions[0].text == "Anything else?"
    assert nb.comments[0].text == "Notes"
