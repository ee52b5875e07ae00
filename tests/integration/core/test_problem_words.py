"""Every message the validator writes reads in the page's language (server.web.problem_words)."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from server.core.schemas import Email, Key, Lang, Name
from server.core.validation import problems
from server.sjt.schemas import OptionKey
from server.web.catalogues import translations
from server.web.problem_words import say_problem


class Shape(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=5)]
    code: Annotated[str, msgspec.Meta(min_length=3)]
    count: Annotated[int, msgspec.Meta(ge=1, le=9)]
    share: Annotated[float, msgspec.Meta(gt=0, lt=1)]
    flag: bool
    items: Annotated[list[int], msgspec.Meta(min_length=1, max_length=2)]


BAD = [
    {"name": "", "code": "ab", "count": 0, "share": 0, "flag": "x", "items": []},
    {"name": "toolong", "code": "abc", "count": 10, "share": 1, "flag": True, "items": [1, 2, 3]},
    {"name": "a", "code": "abc", "count": "x", "share": "y", "flag": True, "items": [1]},
    {"code": "abc", "count": 1, "share": 0.5, "flag": True, "items": [1], "other": 1},
]


@pytest.mark.parametrize("body", BAD)
def test_every_validator_message_has_swedish_words(body: dict) -> None:
    found = problems(body, Shape)
    assert found
    swedish = translations("sv").gettext
    for p in found:
        said = say_problem(p.message, swedish)
        assert said != p.message, f"no pattern for {p.message!r}"
        assert "%(" not in said


def test_an_unknown_message_is_shown_as_it_is() -> None:
    assert say_problem("the form changed meanwhile", translations("sv").gettext) == (
        "the form changed meanwhile"
    )
    assert say_problem("longer than 120 characters (121)", translations("nb").gettext) == (
        "høyst 120 tegn (nå 121)"
    )


class Described(msgspec.Struct):
    key: Key
    name: Name
    lang: Lang
    email: Email
    option: OptionKey


def test_a_value_that_breaks_a_pattern_is_named_and_the_rule_said_in_the_language() -> None:
    """Each described pattern of the schemas reads in Swedish, with the value that broke it."""
    body = {"key": "Bad Key!", "name": "a\r\nBcc: x", "lang": "xyz", "email": "nope", "option": "A"}
    found = problems(body, Described)
    assert {p.path for p in found} == {"key", "name", "lang", "email", "option"}
    swedish = translations("sv").gettext
    said = {p.path: say_problem(p.message, swedish) for p in found}
    assert said["key"] == (
        "'Bad Key!' är inte giltigt "
        "(en fast nyckel: gemena bokstäver, siffror och understreck, först en bokstav)"
    )
    for p in found:
        value, english_rule = p.message.split(" is not valid (", 1)
        assert said[p.path].startswith(f"{value} är inte giltigt ("), said[p.path]
        assert english_rule not in said[p.path], (p.path, said[p.path])
