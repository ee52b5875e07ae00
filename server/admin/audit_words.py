"""The audit log in words: action names, targets (``campaign:3/report.pdf``) and details
as a person reads them, in the viewer's language. Words are marked with ``N_`` and
translated where shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reports.markers import N_
from server.core.vocabulary import LANGUAGES

Gettext = Callable[[str], str]

ACTIONS: dict[str, str] = {
    "viewed": N_("Viewed"),
    "exported": N_("Exported"),
    "erased": N_("Erased"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "released": N_("Released"),
    "created": N_("Created"),
    "updated": N_("Edited"),
    "edited": N_("Edited"),
    "deleted": N_("Deleted"),
    "imported": N_("Imported"),
    "invited": N_("Invited"),
    "revoked": N_("Revoked"),
    "reissued": N_("New link issued"),
    "new_link": N_("New link issued"),
    "sorted": N_("Sorted"),
    "merged": N_("Merged"),
    "decided": N_("Decided"),
    "applied": N_("Applied"),
}

# the kinds of record a target names (``kind:id``)
KINDS: dict[str, str] = {
    "campaign": N_("Vacancy"),
    "candidate": N_("Candidate"),
    "review": N_("360 review"),
    "subject": N_("Person reviewed"),
    "release": N_("Release"),
    "competency": N_("Competency"),
    "role": N_("Role"),
    "area": N_("Area"),
    "person": N_("Person"),
    "plan": N_("Development plan"),
    "item": N_("Scenario"),
    "form": N_("Test form"),
    "user": N_("Staff user"),
    "job_analysis": N_("Job analysis"),
    "expert": N_("Expert"),
}

# what a target's last part names (``report.pdf``, ``idp.html``)
DOCUMENTS: dict[str, str] = {
    "report": N_("report"),
    "technical-report": N_("technical report"),
    "idp": N_("development plan"),
    "onboarding": N_("onboarding plan"),
    "page": N_("page"),
    "reliability": N_("reliability"),
    "ranking": N_("ranking"),
    "library": N_("competency library"),
    "audit-log": N_("audit log"),
    "plan": N_("development plan"),
    "links": N_("candidate links"),
}

# detail keys shown as labelled values
DETAIL_LABELS: dict[str, str] = {
    "key": N_("Key"),
    "name": N_("Name"),
    "file": N_("File"),
    "what": N_("What"),
    "format": N_("Format"),
    "rows": N_("Rows"),
    "filters": N_("Filters"),
    "version": N_("Version"),
    "user": N_("User"),
    "action": N_("Action"),
    "from": N_("From"),
    "to": N_("To"),
    "select_for": N_("Select for"),
    "develop": N_("Develop"),
    "reason": N_("Reason"),
    "accepted": N_("Accepted"),
    "step": N_("Step"),
    "rules": N_("Rules"),
    "cards": N_("Cards"),
    "kind": N_("Kind"),
    "library_version": N_("Library version"),
    "into": N_("Into"),
}

# stored values shown as words (a job-analysis expert's kind, a study's step)
VALUE_WORDS: dict[str, str] = {
    "incumbent": N_("Incumbent (does the role well)"),
    "manager": N_("Manager of the role"),
    "trainer": N_("Trainer of the role"),
    "cards": N_("Cards"),
    "sort": N_("Sort"),
    "rate": N_("Rate the model"),
    "decide": N_("Decide"),
}

FIELD_WORDS: dict[str, str] = {
    "key": N_("key"),
    "name": N_("name"),
    "definition": N_("definition"),
    "benefit": N_("why it matters"),
    "description": N_("description"),
    "area": N_("area"),
    "select_for": N_("select-for flag"),
    "develop": N_("develop flag"),
    "indicators": N_("indicators"),
    "measures": N_("measures"),
    "activities": N_("development activities"),
    "competencies": N_("competencies"),
}

LANGUAGE_TEXTS: dict[str, str] = {
    "ru": N_("Russian texts"),
    "sv": N_("Swedish texts"),
    "nb": N_("Norwegian texts"),
    "en": N_("English texts"),
}

FORMATS = {"pdf": "PDF", "csv": "CSV", "html": "HTML", "json": "JSON", "yaml": "YAML"}
_PART = re.compile(r"^(?P<kind>[a-z_-]+):(?P<ident>[^./]+)(?:\.(?P<ext>[a-z]+))?$")
_DOC = re.compile(r"^(?P<name>[a-z_-]+)(?:\.(?P<ext>[a-z]+))?$")


def _plain(name: str) -> str:
    """An unknown name as words (no snake_case on a page)."""
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def action_word(action: str, _: Gettext) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else _plain(action)


@dataclass(frozen=True)
class Target:
    text: str
    href: str | None


def _href(kinds: Mapping[str, str]) -> str | None:
    if "competency" in kinds:
        return f"/app/competencies/{kinds['competency']}"
    if "role" in kinds:
        return f"/app/roles/{kinds['role']}"
    if "review" in kinds:
        return f"/app/reviews/{kinds['review']}"
    if "campaign" in kinds:
        return f"/app/campaigns/{kinds['campaign']}"
    if "job_analysis" in kinds:
        return f"/app/job-analyses/{kinds['job_analysis']}"
    return None


def describe_target(target: str, _: Gettext, name: str | None = None) -> Target:
    """``campaign:3/candidate:7.pdf`` -> "Vacancy 3 › Candidate 7 (PDF)", with a link to
    the record when it has a page; a record's ``name`` (from the event's detail) follows
    its number."""
    parts: list[str] = []
    ids: dict[str, str] = {}
    for piece in target.split("/"):
        m = _PART.match(piece)
        if m:
            kind, ident, ext = m["kind"], m["ident"], m["ext"]
            word = _(KINDS[kind]) if kind in KINDS else _plain(kind)
            ids[kind] = ident
            # a person is a hash: the address is not kept, so no number is shown
            text = word if kind == "person" else f"{word} {ident}"
            if name and "/" not in target:
                text += f" “{name}”"
        else:
            d = _DOC.match(piece)
            if not d:
                parts.append(piece)
                continue
            name, ext = d["name"], d["ext"]
            text = _(DOCUMENTS[name]) if name in DOCUMENTS else _plain(name)
            text = text[:1].upper() + text[1:]
        if ext:
            text += f" ({FORMATS.get(ext, ext.upper())})"
        parts.append(text)
    href = _href(ids) if ids and not target.endswith((".pdf", ".csv")) else None
    return Target(" › ".join(parts), href)


def describe_detail(action: str, detail: Mapping[str, Any] | None, _: Gettext) -> str:
    """The detail of an event as a sentence or labelled values (never a JSON dump)."""
    if not detail:
        return ""
    shown: list[str] = []
    rest = dict(detail)
    if "changed" in rest:
        changed = rest.pop("changed") or []
        words = []
        for name in changed:
            if name.startswith("translations:"):
                lang = name.split(":", 1)[1]
                words.append(_(LANGUAGE_TEXTS[lang]) if lang in LANGUAGE_TEXTS else lang)
            else:
                words.append(_(FIELD_WORDS[name]) if name in FIELD_WORDS else _plain(name))
        shown.append(
            _("Changed: %(fields)s.") % {"fields": ", ".join(words)}
            if words
            else _("Saved without changes.")
        )
    if action == "imported" and {"created", "updated"} <= set(rest):
        shown.append(
            _(
                "%(created)s created, %(updated)s updated (%(areas)s areas, "
                "%(competencies)s competencies, %(roles)s roles)."
            )
            % {k: rest.get(k, 0) for k in ("created", "updated", "areas", "competencies", "roles")}
        )
        for k in ("created", "updated", "areas", "competencies", "roles"):
            rest.pop(k, None)
    rest.pop("key", None)  # the stored key: the target already names the record in words
    for key, value in rest.items():
        label = _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else _plain(key)
        shown.append(f"{label}: {_value(value, _)}")
    return " ".join(s if s.endswith(".") else s + ";" for s in shown).rstrip(";")


def _value(value: Any, _: Gettext) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping):
        return ", ".join(
            f"{_(DETAIL_LABELS[k]) if k in DETAIL_LABELS else _plain(str(k))} "
            f"{action_word(v, _) if k == 'action' else _value(v, _)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, _) for v in value)
    if isinstance(value, str) and value in LANGUAGES:
        return LANGUAGES[value]
    if isinstance(value, str) and value in VALUE_WORDS:
        return _(VALUE_WORDS[value])
    return str(value)
