"""The development catalogue for contact-centre staff.

Seven training modules taken one at a time, in order, each given about three months to
take hold before the next starts; coaching methods for team leads; mentoring methods for
new operators. Competencies point at modules by ``key``.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.development.sentences import N_

MONTHS_PER_MODULE = 3


@dataclass(frozen=True)
class Module:
    key: str
    order: int
    title: str
    focus: str
    tools: tuple[str, ...]


MODULES: tuple[Module, ...] = (
    Module(
        "attitudes_values",
        1,
        N_("Attitudes, strategy, core values and work environment"),
        "What the team stands for and how people treat each other and the customer.",
        ("wellbeing rules", "listen-in", "observation", "employee feedback, possibly 360"),
    ),
    Module(
        "telephone_technique",
        2,
        N_("Telephone technique"),
        "Voice, greeting, structure and closing of a call.",
        ("listen-in form",),
    ),
    Module(
        "call_control",
        3,
        N_("Call control"),
        "Questioning and answering techniques, angry callers, polite interruption.",
        ("the call in four phases", "call-control form"),
    ),
    Module(
        "sales_negotiation",
        4,
        N_("Sales and negotiation"),
        "Prioritising, arguing, explaining consequences and closing.",
        (
            "can/cannot, urgent/not urgent, will/will not, important/not important grids",
            "best practice",
            "time management",
            "closing techniques",
        ),
    ),
    Module(
        "behaviour_styles",
        5,
        N_("Behaviour styles and adapted treatment"),
        "Recognising the caller's style, mirroring it and steering the call.",
        ("behaviour-style profiles",),
    ),
    Module(
        "stress_management",
        6,
        N_("Stress management"),
        "Knowing one's own stress pattern and the techniques that counter it.",
        (
            "personal development plan",
            "urgent/important prioritisation",
            "multitasking versus task switching",
        ),
    ),
    Module(
        "written_communication",
        7,
        N_("Written communication"),
        "Language, quoting, active voice and the company's tone in e-mail and chat.",
        ("house style guide", "reviewed sample replies"),
    ),
)

MODULE_KEYS: tuple[str, ...] = tuple(m.key for m in MODULES)
MODULES_BY_KEY: dict[str, Module] = {m.key: m for m in MODULES}

ACTIVITY_KINDS: tuple[str, ...] = ("training", "coaching", "mentoring", "on_the_job", "self_study")

COACHING_METHODS: tuple[str, ...] = (
    "live listen-in",
    "hidden live listen-in (observation or remote)",
    "listen-in with recording",
    "mystery call with listen-in and recording",
    "feedback on feedback",
)

MENTORING_METHODS: tuple[str, ...] = (
    "link goals to what motivates the person",
    "a comfortable atmosphere in the office or in chat",
    "informal one-to-one talks",
    "real examples of coping",
    "reviewing hard cases together",
)
