"""Generated sentences in the reader's language.

A plan keeps each generated sentence twice: as plain English text (which a coach may
edit) and as a :class:`~assessments.development.sentences.Sentence` (message key and
parameters). :func:`say` renders the sentence through the catalogue while the text is
still the generated one, and the coach's own words once they have been edited.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Callable

from assessments.development.sentences import Sentence, english

__all__ = ["say"]


def say(
    text: str,
    sentence: Sentence | None,
    gettext: Callable[[str], str] | gettext_module.NullTranslations | None = None,
) -> str:
    """``text`` in the reader's language: the translated ``sentence`` when ``text`` is
    still what the plan generated, else ``text`` as the coach wrote it."""
    if sentence is None or text != english(sentence):
        return text
    if isinstance(gettext, gettext_module.NullTranslations):
        gettext = gettext.gettext
    message = gettext(sentence.key) if gettext is not None else sentence.key
    try:
        return message % dict(sentence.params)
    except (KeyError, ValueError, TypeError):  # a broken translation: the English text
        return text
