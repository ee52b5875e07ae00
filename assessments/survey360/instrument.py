r"""The 360 survey instrument built from a role's competencies.

Every behavioural indicator of a selected competency becomes one rated statement.
Indicators already read as observable behaviour ("Summarises the request before..."), so
the indicator text is the statement. Raters say how often they see the behaviour on a
five-point frequency scale (1 "Almost never" ... 5 "Almost always"), or "Cannot say".

An indicator with polarity ``"absent"`` describes behaviour seen when the competency is
missing; its statement is *reverse-keyed* and scored as

.. math:: x' = \min + \max - x

so that on every scored statement a higher value means more of the competency.

After the statements come one optional comment box per competency and two open
questions (``"strengths"`` and ``"start_stop"``). Ids run 1..N across statements,
comments and questions, in that order, so the statements are ids 1..S.

Texts are English; ``translations`` map a language code to the text in that language,
and :func:`localized_instrument` falls back to English where a translation is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assessments.competency import Competency, Role, role_competencies, with_indicator_keys

__all__ = [
    "FREQUENCY_ANCHORS",
    "QUESTION_KEYS",
    "CompetencyComment",
    "Instrument",
    "OpenQuestion",
    "Scale",
    "Statement",
    "build_instrument",
    "fill_translations",
    "localized_instrument",
    "scored",
]

FREQUENCY_ANCHORS: tuple[str, ...] = (
    "Almost never",
    "Seldom",
    "Sometimes",
    "Often",
    "Almost always",
)
_FREQUENCY_ANCHORS_TR: dict[str, tuple[str, ...]] = {
    "ru": ("Почти никогда", "Редко", "Иногда", "Часто", "Почти всегда"),
    "sv": ("Nästan aldrig", "Sällan", "Ibland", "Ofta", "Nästan alltid"),
    "nb": ("Nesten aldri", "Sjelden", "Av og til", "Ofte", "Nesten alltid"),
}
_CANNOT_SAY_TR: dict[str, str] = {
    "ru": "Затрудняюсь ответить",
    "sv": "Kan inte bedöma",
    "nb": "Kan ikke vurdere",
}

QUESTION_KEYS: tuple[str, ...] = ("strengths", "start_stop")
_QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "strengths": (
        "What does this person do particularly well?",
        {
            "ru": "Что этот человек делает особенно хорошо?",
            "sv": "Vad gör den här personen särskilt bra?",
            "nb": "Hva gjør denne personen særlig godt?",
        },
    ),
    "start_stop": (
        "What should this person start doing, or stop doing?",
        {
            "ru": "Что этому человеку стоит начать делать или перестать делать?",
            "sv": "Vad borde den här personen börja göra, eller sluta göra?",
            "nb": "Hva bør denne personen begynne med, eller slutte med?",
        },
    ),
}
_COMMENT = "Comments on {name}"
_COMMENT_TR: dict[str, str] = {
    "ru": "Комментарии по компетенции «{name}»",
    "sv": "Kommentarer om {name}",
    "nb": "Kommentarer om {name}",
}


@dataclass(frozen=True)
class Scale:
    """The rating scale: integer points ``min..max`` with one anchor label per point.

    Attributes
    ----------
    min, max : int
        The lowest and highest point (1 and 5).
    anchors : tuple of str
        English labels, one per point from ``min`` to ``max``.
    translations : mapping of str to tuple of str
        Anchor labels per language, one per point.
    cannot_say : bool
        Whether raters may answer "Cannot say" (stored as a missing rating, NaN).
    cannot_say_label : str
        The English label of that answer.
    cannot_say_translations : mapping of str to str
        Its label per language.
    """

    min: int = 1
    max: int = 5
    anchors: tuple[str, ...] = FREQUENCY_ANCHORS
    translations: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(_FREQUENCY_ANCHORS_TR)
    )
    cannot_say: bool = True
    cannot_say_label: str = "Cannot say"
    cannot_say_translations: Mapping[str, str] = field(default_factory=lambda: dict(_CANNOT_SAY_TR))

    def __post_init__(self) -> None:
        for name in ("min", "max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Scale.{name} must be an int, got {value!r}")
        if self.min >= self.max:
            raise ValueError(f"Scale needs min < max, got {self.min}..{self.max}")
        points = self.max - self.min + 1
        if len(self.anchors) != points:
            raise ValueError(
                f"Scale {self.min}..{self.max} needs {points} anchors, got {len(self.anchors)}"
            )
        for lang, labels in self.translations.items():
            if len(labels) != points:
                raise ValueError(
                    f"Scale translation {lang!r} needs {points} anchors, got {len(labels)}"
                )

    @property
    def points(self) -> tuple[int, ...]:
        """The scale points ``min, ..., max``."""
        return tuple(range(self.min, self.max + 1))

    @property
    def bounds(self) -> tuple[int, int]:
        """``(min, max)``, the form the numeric functions take."""
        return (self.min, self.max)

    def labels(self, lang: str) -> tuple[str, ...]:
        """The anchor labels in ``lang``, English when the language has none."""
        return tuple(self.translations.get(lang) or self.anchors)


@dataclass(frozen=True)
class Statement:
    """One rated statement: a behavioural indicator of a competency.

    ``indicator`` is the indicator's key (indicators without a key get ``i1``, ``i2``,
    ... as in :func:`assessments.competency.with_indicator_keys`). ``reverse`` is true
    for an indicator of polarity ``"absent"``: the statement is scored ``min + max - x``.
    """

    id: int
    competency: str
    indicator: str
    text: str
    reverse: bool
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenQuestion:
    """A free-text question about the person as a whole; ``key`` is one of QUESTION_KEYS."""

    id: int
    key: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompetencyComment:
    """An optional free-text comment box on one competency."""

    id: int
    competency: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Instrument:
    """A 360 survey: statements grouped by competency, comment boxes, open questions.

    ``competencies`` are the competency keys in survey order; the statements follow the
    same order.
    """

    competencies: tuple[str, ...]
    statements: tuple[Statement, ...]
    comments: tuple[CompetencyComment, ...]
    questions: tuple[OpenQuestion, ...]
    scale: Scale = field(default_factory=Scale)

    @property
    def statement_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.statements)

    @property
    def statement_competency(self) -> tuple[str, ...]:
        """The competency key of each statement, in statement order."""
        return tuple(s.competency for s in self.statements)

    @property
    def reverse(self) -> np.ndarray:
        """Bool array, one per statement: True where the statement is reverse-keyed."""
        return np.array([s.reverse for s in self.statements], dtype=bool)


def _selection(
    role: Role,
    competencies: Sequence[Competency],
    add: Sequence[str],
    drop: Sequence[str],
) -> list[Competency]:
    by_key = {c.key: c for c in competencies}
    for kind, keys in (("add", add), ("drop", drop)):
        for key in keys:
            if key not in by_key:
                raise ValueError(f"{kind}: unknown competency {key!r}")
    both = sorted(set(add) & set(drop))
    if both:
        raise ValueError(f"competencies both added and dropped: {', '.join(map(repr, both))}")
    chosen = [c for c, _ in role_competencies(role, competencies, "develop")]
    chosen_keys = {c.key for c in chosen}
    for key in add:
        if key not in chosen_keys:
            chosen.append(by_key[key])
            chosen_keys.add(key)
    dropped = set(drop)
    return [c for c in chosen if c.key not in dropped]


def _comment_texts(competency: Competency) -> tuple[str, dict[str, str]]:
    translations = {
        lang: template.format(
            name=competency.translations.get(lang, {}).get("name") or competency.name
        )
        for lang, template in _COMMENT_TR.items()
    }
    return _COMMENT.format(name=competency.name), translations


def build_instrument(
    role: Role,
    competencies: Sequence[Competency],
    *,
    add: Sequence[str] = (),
    drop: Sequence[str] = (),
) -> Instrument:
    """Build the 360 survey for ``role``.

    Parameters
    ----------
    role : Role
        Its requirements give the competencies and their order.
    competencies : sequence of Competency
        The library the role refers to (and ``add`` picks from).
    add : sequence of str
        Competency keys to survey as well, after the role's own, in the order given. A
        key already selected is not repeated.
    drop : sequence of str
        Competency keys to leave out.

    Returns
    -------
    Instrument
        By default the role's competencies with ``develop=True``, in role order. One
        statement per behavioural indicator (reverse-keyed for polarity ``"absent"``),
        then one comment box per competency, then the open questions ``"strengths"`` and
        ``"start_stop"``; ids 1..N in that order. A competency without indicators has
        nothing to rate and is left out.

    Raises
    ------
    ValueError
        When a key in ``add`` or ``drop`` is not in ``competencies``, a key is both added
        and dropped, or the survey would have no statement.
    """
    add, drop = tuple(add), tuple(drop)
    chosen = [c for c in _selection(role, competencies, add, drop) if c.indicators]
    statements: list[Statement] = []
    for comp in chosen:
        for ind in with_indicator_keys(comp.indicators):
            statements.append(
                Statement(
                    id=len(statements) + 1,
                    competency=comp.key,
                    indicator=str(ind.key),
                    text=ind.text,
                    reverse=ind.polarity == "absent",
                    translations=dict(ind.translations),
                )
            )
    if not statements:
        raise ValueError(
            f"the 360 survey for role {role.key!r} has no statement: none of the selected "
            "competencies has a behavioural indicator"
        )
    next_id = len(statements) + 1
    comments = []
    for comp in chosen:
        text, translations = _comment_texts(comp)
        comments.append(CompetencyComment(next_id, comp.key, text, translations))
        next_id += 1
    questions = []
    for key in QUESTION_KEYS:
        text, translations = _QUESTIONS[key]
        questions.append(OpenQuestion(next_id, key, text, dict(translations)))
        next_id += 1
    return Instrument(
        competencies=tuple(c.key for c in chosen),
        statements=tuple(statements),
        comments=tuple(comments),
        questions=tuple(questions),
        scale=Scale(),
    )


def fill_translations(
    instrument: Instrument, competencies: Sequence[Competency] = ()
) -> Instrument:
    """Return ``instrument`` with the translations it lacks taken from where they now exist.

    A stored survey keeps the texts of the day it was built; a translation written later
    reaches it here, and only where the English text is still the same, so a survey never
    shows the translation of a different sentence:

    - a statement takes the translations of its indicator in ``competencies`` (same
      competency key, indicator key and English text);
    - a comment box takes the built-in "Comments on ..." wording with the competency's
      translated name (when its text is that wording for the competency's English name);
    - the open questions and the default scale take the built-in translations.

    Translations the instrument already holds are kept as they are.
    """
    by_key = {c.key: c for c in competencies}

    def merged(own: Mapping[str, str], found: Mapping[str, str]) -> dict[str, str]:
        return {**{k: v for k, v in found.items() if v}, **own}

    statements = []
    for s in instrument.statements:
        comp = by_key.get(s.competency)
        found = next(
            (
                i.translations
                for i in (with_indicator_keys(comp.indicators) if comp else ())
                if i.key == s.indicator and i.text == s.text
            ),
            {},
        )
        statements.append(replace(s, translations=merged(s.translations, found)))
    comments = []
    for c in instrument.comments:
        comp = by_key.get(c.competency)
        found = {}
        if comp is not None and c.text == _COMMENT.format(name=comp.name):
            found = _comment_texts(comp)[1]
        comments.append(replace(c, translations=merged(c.translations, found)))
    questions = tuple(
        replace(q, translations=merged(q.translations, _QUESTIONS[q.key][1]))
        if q.key in _QUESTIONS and q.text == _QUESTIONS[q.key][0]
        else q
        for q in instrument.questions
    )
    scale = instrument.scale
    if scale.anchors == FREQUENCY_ANCHORS:
        scale = replace(
            scale,
            translations={**_FREQUENCY_ANCHORS_TR, **scale.translations},
            cannot_say_translations={**_CANNOT_SAY_TR, **scale.cannot_say_translations},
        )
    return replace(
        instrument,
        statements=tuple(statements),
        comments=tuple(comments),
        questions=questions,
        scale=scale,
    )


def localized_instrument(instrument: Instrument, lang: str) -> Instrument:
    """Return ``instrument`` with every text in ``lang``, English where a text is missing.

    Statement, comment and question texts, the scale anchors and the "Cannot say" label
    are replaced; ids, keys and translations stay as they are.
    """
    if lang == "en":
        return instrument
    scale = instrument.scale
    return replace(
        instrument,
        statements=tuple(
            replace(s, text=s.translations.get(lang) or s.text) for s in instrument.statements
        ),
        comments=tuple(
            replace(c, text=c.translations.get(lang) or c.text) for c in instrument.comments
        ),
        questions=tuple(
            replace(q, text=q.translations.get(lang) or q.text) for q in instrument.questions
        ),
        scale=replace(
            scale,
            anchors=tuple(scale.translations.get(lang) or scale.anchors),
            cannot_say_label=scale.cannot_say_translations.get(lang) or scale.cannot_say_label,
        ),
    )


def _bounds(scale: Scale | tuple[float, float]) -> tuple[float, float]:
    if isinstance(scale, Scale):
        return float(scale.min), float(scale.max)
    try:
        lo, hi = (float(s) for s in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a Scale or a (min, max) pair, got {scale!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"scale must be a (min, max) pair with min < max, got {scale!r}")
    return lo, hi


def scored(
    ratings: np.ndarray,
    reverse: np.ndarray | Sequence[bool],
    scale: Scale | tuple[float, float] = (1, 5),
) -> np.ndarray:
    r"""Ratings on the scored scale: reverse-keyed columns flipped.

    .. math:: x'_{ij} = \begin{cases} \min + \max - x_{ij} & \text{statement } j
              \text{ reverse-keyed} \\ x_{ij} & \text{otherwise} \end{cases}

    Parameters
    ----------
    ratings : ndarray, raters x statements
        Raw ratings; NaN for "Cannot say" or missing, which stays NaN.
    reverse : array of bool, statements
        True for a reverse-keyed statement.
    scale : Scale or (min, max)

    Returns
    -------
    ndarray of float, raters x statements

    Raises
    ------
    ValueError
        On a shape mismatch or a rating outside the scale.
    """
    lo, hi = _bounds(scale)
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"ratings must be a 2-D raters x statements array, got shape {x.shape}")
    rev = np.asarray(reverse)
    if rev.dtype != bool:
        if rev.size and not np.isin(rev, (0, 1)).all():
            raise ValueError("reverse must hold booleans (True for a reverse-keyed statement)")
        rev = rev.astype(bool)
    if rev.shape != (x.shape[1],):
        raise ValueError(
            f"reverse must have one flag per statement ({x.shape[1]}), got shape {rev.shape}"
        )
    bad = (x < lo) | (x > hi) | np.isinf(x)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"ratings must lie within the scale {lo:g}..{hi:g} or be NaN; "
            f"found {x[where]!r} at index {where}"
        )
    return np.where(rev, lo + hi - x, x)
