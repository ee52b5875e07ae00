"""Generated plan sentences are data (key + parameters), rendered in the reader's language;
edits re-rank priorities by need and keep the schedule order."""

from __future__ import annotations

import dataclasses
import gettext

import msgspec

from assessments.development import DevelopmentPlan
from assessments.development.editing import rerank
from assessments.development.sentences import Sentence, english
from reports.sentences import say
from tests.unit.development.test_idp import plan


class _Swedish(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return "SV: " + message


def test_every_generated_text_carries_its_sentence() -> None:
    p = plan({"a": (2.0, 4.0), "c": (2.0, 3.5)})
    assert p.rule_sentence is not None and p.rule == english(p.rule_sentence)
    for prio in p.priorities:
        assert prio.goal_sentence is not None and prio.goal == english(prio.goal_sentence)
        assert "%(" not in prio.goal
        for m in prio.measures:
            assert m.target_sentence is not None and m.target == english(m.target_sentence)
            # the measure's name is quoted, not glued into a sentence as a verb's object
            assert f"“{m.name}”" in m.target
        practice = [a for a in prio.activities if a.source == "indicators"]
        for a in practice:
            assert a.title == english(a.title_sentence)  # type: ignore[arg-type]


def test_say_translates_generated_text_and_keeps_a_coachs_words() -> None:
    s = Sentence("Raise %(competency)s by %(date)s.", {"competency": "Tact", "date": "2026-05-01"})
    assert say(english(s), s, _Swedish()) == "SV: Raise Tact by 2026-05-01."
    assert say("My own goal", s, _Swedish()) == "My own goal"
    assert say("Plain", None, _Swedish()) == "Plain"
    assert say(english(s), s) == "Raise Tact by 2026-05-01."


def test_a_broken_translation_falls_back_to_english() -> None:
    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "%(missing)s"

    s = Sentence("Keep %(competency)s.", {"competency": "Tact"})
    assert say(english(s), s, Broken()) == "Keep Tact."


def test_plans_with_sentences_survive_json_and_old_plans_still_load() -> None:
    p = plan({"a": (2.0, 4.0)})
    again = msgspec.convert(msgspec.to_builtins(p), DevelopmentPlan)
    assert again == p
    old = msgspec.to_builtins(p)
    old.pop("rule_sentence")
    for prio in old["priorities"]:
        prio.pop("goal_sentence")
    loaded = msgspec.convert(old, DevelopmentPlan)
    assert loaded.rule_sentence is None and loaded.priorities[0].goal_sentence is None


def test_rerank_orders_by_need_and_lists_by_schedule() -> None:
    p = plan({"a": (2.0, 4.0), "b": (1.0, None), "c": (2.0, 3.5)})
    prios = p.priorities
    assert len(prios) >= 2
    # the coach swaps the needs: ranks follow need, the list stays in schedule order
    swapped = [dataclasses.replace(x, need=10.0 - i) for i, x in enumerate(reversed(prios))]
    out = rerank(swapped)
    assert [x.start for x in out] == sorted(x.start for x in out)
    by_rank = sorted(out, key=lambda x: x.rank)
    assert [x.rank for x in by_rank] == list(range(1, len(out) + 1))
    assert [x.need for x in by_rank] == sorted((x.need for x in out), reverse=True)


def test_onboarding_sentences_are_data_too() -> None:
    import datetime

    from assessments.development import onboarding_plan
    from tests.unit.development.test_onboarding import COMPS, ROLE

    select = [c.key for c in COMPS if c.select_for]
    scores = {k: 30.0 + 30 * i for i, k in enumerate(select)}
    plan = onboarding_plan(ROLE, COMPS, scores, start=datetime.date(2026, 1, 5))
    assert plan.rule_sentence is not None and plan.rule == english(plan.rule_sentence)
    for s in plan.start_with:
        assert s.reason_sentence is not None and s.reason == english(s.reason_sentence)
        assert "%(" not in s.reason
    for n in (*plan.strengths, *plan.watch):
        assert n.note_sentence is not None and n.note == english(n.note_sentence)
