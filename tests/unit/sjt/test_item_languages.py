"""Which languages a set of items can be shown in: context, stem and every option."""

from __future__ import annotations

from assessments.sjt.items import Item, Option
from assessments.sjt.languages import complete_languages, missing_texts


def _item(
    key: str, *, context: str = "", tr: dict[str, dict[str, str]], opts: dict[str, str]
) -> Item:
    return Item(
        key=key,
        stem="What do you do?",
        context=context,
        competencies=("c",),
        options=tuple(
            Option(key=k, text=k.upper(), translations={"sv": v} if v else {})
            for k, v in opts.items()
        ),
        translations=tr,
    )


def test_a_language_is_complete_only_with_context_stem_and_every_option() -> None:
    full = _item(
        "a", context="Ctx", tr={"sv": {"stem": "S", "context": "K"}}, opts={"x": "X", "y": "Y"}
    )
    no_context = _item("b", context="Ctx", tr={"sv": {"stem": "S"}}, opts={"x": "X", "y": "Y"})
    no_option = _item("c", tr={"sv": {"stem": "S"}}, opts={"x": "X", "y": ""})
    blank_stem = _item("d", tr={"sv": {"stem": "  "}}, opts={"x": "X", "y": "Y"})
    assert complete_languages([full], ["en", "sv", "nb"]) == ["en", "sv"]
    found = missing_texts([full, no_context, no_option, blank_stem], ["en", "sv"])
    assert found["en"] == []
    assert [(m.item_key, m.context, m.stem, m.options) for m in found["sv"]] == [
        ("b", True, False, ()),
        ("c", False, False, ("y",)),
        ("d", False, True, ()),
    ]
    assert complete_languages([full, no_option], ["en", "sv"]) == ["en"]


def test_an_item_without_context_needs_none() -> None:
    it = _item("a", tr={"sv": {"stem": "S"}}, opts={"x": "X"})
    assert complete_languages([it], ["sv"]) == ["sv"]
