"""Sentences a plan writes itself, kept as data: a message key and its parameters.

``assessments`` does no translation: a generated sentence is returned as a
:class:`Sentence` whose ``key`` is the English message with ``%(name)s`` placeholders
(the msgid the catalogues translate) and whose ``params`` fill them in. ``reports`` renders
it in the reader's language (``gettext(key) % params``); :func:`english` gives the English
text, which plans also keep as plain text so that a coach can edit it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["N_", "Sentence", "english"]


def N_(message: str) -> str:
    """Mark an English message for the catalogues (``pybabel extract -k N_``)."""
    return message


@dataclass(frozen=True)
class Sentence:
    """A generated sentence: ``key`` (English, ``%(name)s`` placeholders) and ``params``."""

    key: str
    params: Mapping[str, str] = field(default_factory=dict)


def english(sentence: Sentence) -> str:
    """The sentence in English (the key filled in)."""
    return sentence.key % dict(sentence.params) if sentence.params else sentence.key
