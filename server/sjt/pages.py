"""Staff pages of the SJT item bank: the bank, authoring items in every language, retiring
them, and inviting subject-matter experts to key items by a link of their own.

Every rule is the API's: an item document is checked against ``SjtItemIn`` and stored by
``repository.create_item``/``update_item``; an item on a test form cannot be deleted, only
retired. Every POST redirects (PRG); a form with problems comes back with each one on its
field, nothing saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from assessments.competency import localized
from assessments.errors import Problem
from assessments.psychometrics.reliability import FLAG_ALPHA_RISES, FLAG_NEGATIVE, FLAG_WEAK
from assessments.sjt.items import MAX_OPTIONS, Item, localized_item
from server.core.errors import Conflict, Invalid
from server.core.i18n_words import FORMAT_WORDS, N_
from server.core.validation import problems
from server.core.vocabulary import LANGUAGES
from server.library import repository as library_repo
from server.library.convert import to_domain
from server.sjt import item_stats
from server.sjt import repository as bank
from server.sjt import service as keying
from server.sjt.schemas import ExpertInviteIn, ItemKey, SjtItemIn
from server.web.auth import CurrentUser, page_hiring_guard
from server.web.context import page_context, staff_language
from server.web.i18n import translations
from server.web.params import PathId

ALL = 10_000
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
OPTION_KEYS = "abcdefghij"
LINK_COOKIE = "expert_link"  # the new link, shown once on the page the POST redirects to

STATUS_NAMES = {"draft": N_("Draft"), "active": N_("Active"), "retired": N_("Retired")}
LINK_STATUS_NAMES = {
    "invited": N_("Not started"),
    "started": N_("Started"),
    "submitted": N_("Submitted"),
}
STAT_FLAG_NAMES = {
    FLAG_NEGATIVE: N_("negative item–total correlation"),
    FLAG_WEAK: N_("weak item–total correlation (below .20)"),
    FLAG_ALPHA_RISES: N_("alpha rises without it"),
}
KEY_METHOD_NAMES = {
    "expert": N_("experts' mean rating"),
    "direct": N_("entered directly"),
    "consensus": N_("consensus of candidates"),
}


def _gettext(request: Request[Any, Any, Any]) -> tuple[Callable[..., str], Callable[..., str]]:
    t = translations(staff_language(request))
    return t.gettext, t.ngettext


async def _competency_names(lang: str) -> dict[str, str]:
    comps, _ = await library_repo.list_competencies(limit=ALL, offset=0)
    return {c.key: localized(c, lang).name for c in comps}


def key_reasons(key: ItemKey | None, lang: str) -> list[str]:
    """Why a key is flagged, in the viewer's language (the rules of assessments.sjt.keys)."""
    if key is None or not key.flagged:
        return []
    t = translations(lang)
    out = []
    values = sorted(key.effectiveness.values())
    if key.method == "expert":
        if key.rwg is None:
            out.append(t.gettext("The experts' agreement cannot be computed yet."))
        elif key.rwg < 0.70:
            out.append(
                t.gettext("The experts disagree: agreement rwg(J) %(rwg)s is below .70.")
                % {"rwg": f"{key.rwg:.2f}"}
            )
        if key.n_experts < 3:
            out.append(
                t.ngettext(
                    "Only %(num)s expert has rated it; a key needs at least 3.",
                    "Only %(num)s experts have rated it; a key needs at least 3.",
                    key.n_experts,
                )
                % {"num": key.n_experts}
            )
    if len(values) > 1 and values[-1] - values[-2] <= 0.5:
        out.append(t.gettext("The best option is within 0.5 of the runner-up."))
    if len(values) > 1 and values[1] - values[0] <= 0.5:
        out.append(t.gettext("The worst option is within 0.5 of the second worst."))
    if not out:
        out.append(t.gettext("The options' effectiveness hardly differs."))
    return out


# ---- the bank ----------------------------------------------------------------------------


@get("/app/sjt/items", guards=[page_hiring_guard], include_in_schema=False)
async def item_bank_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    show: Annotated[Literal["all", "flagged"], QueryParameter()] = "all",
) -> Template:
    """The item bank in the viewer's language, each item with its key and its agreement."""
    lang = staff_language(request)
    found, total = await bank.list_items(
        flagged=True if show == "flagged" else None, limit=ALL, offset=0
    )
    return Template(
        "items.html",
        context=await page_context(
            request,
            items=[(localized_item(i, lang), k, key_reasons(k, lang)) for i, k in found],
            stats=await item_stats.bank_statistics(),  # every item is listed
            total=total,
            show=show,
            names=await _competency_names(lang),
            status_names=STATUS_NAMES,
            method_names=KEY_METHOD_NAMES,
            flag_names=STAT_FLAG_NAMES,
        ),
        media_type="text/html",
    )


@get("/app/sjt/items/{item_id:int}", guards=[page_hiring_guard], include_in_schema=False)
async def item_page(
    request: Request[Any, Any, Any], user: CurrentUser, item_id: PathId
) -> Template:
    return await _item_page(request, item_id)


async def _item_page(
    request: Request[Any, Any, Any],
    item_id: int,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    lang = staff_language(request)
    item, key = await bank.get_item(item_id)
    links = await bank.expert_links_of_item(item_id)
    return Template(
        "sjt_item.html",
        context=await page_context(
            request,
            item=localized_item(item, lang),
            key=key,
            reasons=key_reasons(key, lang),
            stats=(await item_stats.bank_statistics([item_id])).get(item_id),
            names=await _competency_names(lang),
            links=links,
            status_names=STATUS_NAMES,
            link_status_names=LINK_STATUS_NAMES,
            method_names=KEY_METHOD_NAMES,
            flag_names=STAT_FLAG_NAMES,
            format_names=FORMAT_WORDS,
            errors=errors or [],
            notice=request.query_params.get("done", ""),
        ),
        status_code=status,
        media_type="text/html",
    )


# ---- the editor --------------------------------------------------------------------------


def _values(form: Any, name: str) -> list[str]:
    return [str(v).strip() for v in form.getall(name, [])]


def item_document(
    form: Any,
) -> tuple[dict[str, Any], dict[int, int], list[Problem], list[dict[str, Any]]]:
    """An ``SjtItemIn`` document from the editor's fields, the editor row (1-based) of each
    of its options, the problems only the form can see (a translation without English) and
    every row as typed (to show the form again)."""
    keys = _values(form, "option_key")
    texts = {lang: _values(form, f"option_{lang}") for lang in LANGUAGES}
    n_rows = max([len(keys), *(len(v) for v in texts.values())])
    used = {k for k in keys if k}
    free = iter(k for k in OPTION_KEYS if k not in used)
    options: list[dict[str, Any]] = []
    rows: dict[int, int] = {}
    found: list[Problem] = []
    typed: list[dict[str, Any]] = []
    for i in range(n_rows):
        row = {lang: texts[lang][i] if i < len(texts[lang]) else "" for lang in LANGUAGES}
        typed.append(
            {
                "key": keys[i] if i < len(keys) else "",
                "text": row["en"],
                "translations": {lang: row[lang] for lang in OTHER_LANGUAGES if row[lang]},
            }
        )
        if not any(row.values()):
            continue
        if not row["en"]:
            found.append(Problem(f"row[{i + 1}]", "write the option in English too"))
            continue
        key = keys[i] if i < len(keys) and keys[i] else next(free)
        rows[len(options)] = i + 1
        options.append(
            {
                "key": key,
                "text": row["en"],
                "translations": {lang: row[lang] for lang in OTHER_LANGUAGES if row[lang]},
            }
        )
    tr: dict[str, dict[str, str]] = {}
    for lang in OTHER_LANGUAGES:
        texts_l = {f: str(form.get(f"{f}_{lang}", "")).strip() for f in ("stem", "context")}
        if any(texts_l.values()):
            tr[lang] = {f: v for f, v in texts_l.items() if v}
    doc = {
        "key": str(form.get("key", "")).strip(),
        "stem": str(form.get("stem_en", "")).strip(),
        "context": str(form.get("context_en", "")).strip(),
        "status": str(form.get("status", "draft")),
        "formats": _values(form, "formats"),
        "competencies": _values(form, "competencies"),
        "options": options,
        "translations": tr,
    }
    return doc, rows, found, typed


def field_of(path: str, rows: Mapping[int, int]) -> tuple[str, str, str]:
    """(field id, English label msgid, language) of a problem's path, for the error list."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    if parts[0] == "row":
        return f"opt-en-{parts[1]}", N_("Option %(n)s"), "en"
    if parts[0] == "options" and len(parts) > 1 and parts[1].isdigit():
        n = rows.get(int(parts[1]), int(parts[1]) + 1)
        lang = parts[3] if len(parts) > 3 and parts[2] == "translations" else "en"
        return f"opt-{lang}-{n}", N_("Option %(n)s"), lang
    if parts[0] == "options":
        return "opt-en-1", N_("Options"), "en"
    if parts[0] == "translations" and len(parts) > 2:
        label = N_("Question") if parts[2] == "stem" else N_("Situation")
        return f"{parts[2]}-{parts[1]}", label, parts[1]
    simple = {
        "key": ("key", N_("Code"), ""),
        "stem": ("stem-en", N_("Question"), "en"),
        "context": ("context-en", N_("Situation"), "en"),
        "status": ("status", N_("Status"), ""),
        "formats": ("formats", N_("Response formats"), ""),
        "competencies": ("competencies", N_("Competencies"), ""),
    }
    return simple.get(parts[0], ("key", N_("Item"), ""))


def _form_problems(doc: dict[str, Any], found: list[Problem], lang: str) -> list[Problem]:
    """The editor's own checks in the viewer's words first, then the API's rules."""
    gettext = translations(lang).gettext
    own = list(found)
    if not doc["stem"]:
        own.append(Problem("stem", gettext("Write the question in English.")))
    if not 4 <= len(doc["options"]) <= MAX_OPTIONS:
        own.append(Problem("options", gettext("Write 4 to 6 options, each in English at least.")))
    if not doc["competencies"]:
        own.append(Problem("competencies", gettext("Choose at least one competency.")))
    if not doc["formats"]:
        own.append(Problem("formats", gettext("Choose at least one response format.")))
    seen = {p.path for p in own}
    return own + [
        p
        for p in problems(doc, SjtItemIn)
        if p.path not in seen and p.path.split("[")[0] not in seen
    ]


def _blank() -> dict[str, Any]:
    return {
        "key": "",
        "stem": "",
        "context": "",
        "status": "draft",
        "formats": ["rate", "most_least", "rank"],
        "competencies": [],
        "options": [],
        "translations": {},
    }


def _document_of(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "stem": item.stem,
        "context": item.context,
        "status": item.status,
        "formats": list(item.formats),
        "competencies": list(item.competencies),
        "options": [
            {"key": o.key, "text": o.text, "translations": dict(o.translations)}
            for o in item.options
        ],
        "translations": {k: dict(v) for k, v in item.translations.items()},
    }


async def _editor(
    request: Request[Any, Any, Any],
    doc: dict[str, Any],
    ident: int | None,
    errors: list[Problem],
    rows: Mapping[int, int] | None = None,
    status: int = 200,
    typed: list[dict[str, Any]] | None = None,
) -> Template:
    lang = staff_language(request)
    gettext = translations(lang).gettext
    comps, _ = await library_repo.list_competencies(limit=ALL, offset=0)
    shown = sorted(
        ((c.key, localized(c, lang).name, c.select_for) for c in comps),
        key=lambda c: (not c[2], c[1].lower()),
    )
    listed = []
    for e in errors:
        field, label, in_lang = field_of(e.path, rows or {})
        n = field.rsplit("-", 1)[-1]
        text = gettext(label) % {"n": n} if "%(n)s" in label else gettext(label)
        if in_lang:
            text += f" ({LANGUAGES[in_lang]})"
        listed.append({"field": field, "label": text, "message": e.message})
    options = list(typed if typed is not None else doc["options"])[:MAX_OPTIONS]
    options += [{"key": "", "text": "", "translations": {}}] * (MAX_OPTIONS - len(options))
    return Template(
        "sjt_item_edit.html",
        context=await page_context(
            request,
            doc=doc,
            options=options,
            ident=ident,
            errors=listed,
            invalid={e["field"] for e in listed},
            competencies=shown,
            format_names=FORMAT_WORDS,
            status_names=STATUS_NAMES,
            other_languages=OTHER_LANGUAGES,
        ),
        status_code=status,
        media_type="text/html",
    )


@get("/app/sjt/items/new", guards=[page_hiring_guard], include_in_schema=False)
async def item_new(request: Request[Any, Any, Any], user: CurrentUser) -> Template:
    return await _editor(request, _blank(), None, [])


@get("/app/sjt/items/{item_id:int}/edit", guards=[page_hiring_guard], include_in_schema=False)
async def item_edit(
    request: Request[Any, Any, Any], user: CurrentUser, item_id: PathId
) -> Template:
    item, _ = await bank.get_item(item_id)
    return await _editor(request, _document_of(item), item_id, [])


async def _free_code(text: str) -> str:
    """A code for an item written without one: a few words of its text, made unique."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:4]
    base = "_".join(words)[:50].strip("_") or "item"
    base = base if base[0].isalpha() else f"item_{base}"[:50]
    found, _ = await bank.list_items(limit=ALL, offset=0)
    taken = {i.key for i, _ in found}
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


async def _save_item(request: Request[Any, Any, Any], ident: int | None) -> Response[Any]:
    if ident is not None:
        await bank.get_item(ident)  # 404 before anything else
    lang = staff_language(request)
    gettext = translations(lang).gettext
    doc, rows, found, typed = item_document(await request.form())
    if not doc["key"] and doc["stem"]:
        doc["key"] = await _free_code(doc["context"] or doc["stem"])
    errors = _form_problems(doc, found, lang)
    if not errors:
        try:
            item = to_domain(doc, Item)
            saved = (
                await bank.update_item(ident, item)
                if ident is not None
                else await bank.create_item(item)
            )
            return Redirect(path=f"/app/sjt/items/{saved.id}?done=saved")
        except Invalid as exc:
            errors = list(exc.problems)
        except Conflict:
            errors = [Problem("key", gettext("Another item already has this code."))]
    return await _editor(request, doc, ident, errors, rows, status=422, typed=typed)


@post("/app/sjt/items", guards=[page_hiring_guard], include_in_schema=False)
async def item_create(request: Request[Any, Any, Any], user: CurrentUser) -> Response[Any]:
    return await _save_item(request, None)


@post("/app/sjt/items/{item_id:int}", guards=[page_hiring_guard], include_in_schema=False)
async def item_update(
    request: Request[Any, Any, Any], user: CurrentUser, item_id: PathId
) -> Response[Any]:
    return await _save_item(request, item_id)


@post("/app/sjt/items/{item_id:int}/status", guards=[page_hiring_guard], include_in_schema=False)
async def item_status(
    request: Request[Any, Any, Any], user: CurrentUser, item_id: PathId
) -> Response[Any]:
    """Retire an item (it stays on the forms that use it) or bring it back as a draft or
    active; the item's texts and version do not change."""
    item, _ = await bank.get_item(item_id)
    wanted = str((await request.form()).get("status", ""))
    if wanted not in STATUS_NAMES:
        return await _item_page(
            request,
            item_id,
            [Problem("status", _gettext(request)[0]("Choose draft, active or retired."))],
            status=422,
        )
    doc = _document_of(item)
    doc["status"] = wanted
    await bank.update_item(item_id, to_domain(doc, Item))
    return Redirect(path=f"/app/sjt/items/{item_id}?done={wanted}")


@post("/app/sjt/items/{item_id:int}/delete", guards=[page_hiring_guard], include_in_schema=False)
async def item_delete(
    request: Request[Any, Any, Any], user: CurrentUser, item_id: PathId
) -> Response[Any]:
    try:
        await bank.delete_item(item_id)
    except Conflict:
        gettext = _gettext(request)[0]
        return await _item_page(
            request,
            item_id,
            [
                Problem(
                    "delete",
                    gettext(
                        "This item is on a test form and cannot be deleted: retire it instead."
                    ),
                )
            ],
            status=409,
        )
    return Redirect(path="/app/sjt/items")


# ---- experts -------------------------------------------------------------------------------


async def _expert_form(
    request: Request[Any, Any, Any],
    form: dict[str, Any],
    errors: list[Problem],
    status: int = 200,
) -> Template:
    lang = staff_language(request)
    found, _ = await bank.list_items(limit=ALL, offset=0)
    items = [localized_item(i, lang) for i, _ in found if i.status != "retired"]
    labels = {
        "name": N_("Name"),
        "email": N_("E-mail (optional)"),
        "language": N_("Language of the page"),
        "item_ids": N_("Items to key"),
    }
    gettext = translations(lang).gettext
    listed = [
        {
            "field": e.path.split("[")[0],
            "label": gettext(labels.get(e.path.split("[")[0], "Name")),
            "message": e.message,
        }
        for e in errors
    ]
    return Template(
        "sjt_expert_new.html",
        context=await page_context(
            request,
            form=form,
            items=items,
            errors=listed,
            invalid={e["field"] for e in listed},
        ),
        status_code=status,
        media_type="text/html",
    )


@get("/app/sjt/experts/new", guards=[page_hiring_guard], include_in_schema=False)
async def expert_new(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    item: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> Template:
    lang = staff_language(request)
    return await _expert_form(request, {"item_ids": [item] if item else [], "language": lang}, [])


@post("/app/sjt/experts", guards=[page_hiring_guard], include_in_schema=False)
async def expert_invite(request: Request[Any, Any, Any], user: CurrentUser) -> Response[Any]:
    raw = await request.form()
    gettext = _gettext(request)[0]
    form: dict[str, Any] = {
        "name": str(raw.get("name", "")).strip(),
        "email": str(raw.get("email", "")).strip() or None,
        "language": str(raw.get("language", "en")),
        "item_ids": [],
    }
    errors: list[Problem] = []
    for v in raw.getall("item_ids", []):
        if str(v).isdigit():
            form["item_ids"].append(int(v))
        else:
            errors.append(Problem("item_ids", gettext("Choose items from the list.")))
    if not form["name"]:
        errors.append(Problem("name", gettext("Write the expert's name.")))
    if not form["item_ids"] and not any(e.path == "item_ids" for e in errors):
        errors.append(Problem("item_ids", gettext("Choose at least one item to key.")))
    if errors:  # the other fields' problems too, all at once, in the viewer's words
        seen = {e.path for e in errors}
        own_words = {
            "email": gettext("Write a valid e-mail address, or leave it empty."),
            "language": gettext("Choose a language from the list."),
        }
        errors += [
            Problem(p.path, own_words.get(p.path, p.message))
            for p in problems(form, ExpertInviteIn)
            if p.path.split("[")[0] not in seen
        ]
    else:
        try:
            link, token = await keying.invite_expert(form, user.id)
        except Invalid as exc:
            # the service's messages are catalogue entries (see server.sjt.service)
            errors = [Problem(p.path, gettext(p.message)) for p in exc.problems]
        else:
            response = Redirect(path=f"/app/sjt/experts/{link.id}")
            response.set_cookie(_link_cookie(request, link.id, token))
            return response
    form["email"] = form["email"] or ""
    return await _expert_form(request, form, errors, status=422)


def _link_cookie(request: Request[Any, Any, Any], link_id: int, token: str) -> Cookie:
    return Cookie(
        key=LINK_COOKIE,
        value=f"{link_id}.{token}",
        path=f"/app/sjt/experts/{link_id}",
        max_age=600,
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.settings.secure_cookies),
    )


@get("/app/sjt/experts/{link_id:int}", guards=[page_hiring_guard], include_in_schema=False)
async def expert_page(
    request: Request[Any, Any, Any], user: CurrentUser, link_id: PathId
) -> Template:
    """One expert's link: its items and what the expert has done; a new link is shown here
    once (right after it was made), never again."""
    lang = staff_language(request)
    link = await bank.expert_link(link_id)
    items = await keying.items_of(link)
    shown_link = ""
    cookie = request.cookies.get(LINK_COOKIE, "")
    ident, _, token = cookie.partition(".")
    if ident == str(link_id) and token:
        shown_link = f"{str(request.base_url).rstrip('/')}/key/{token}"
    response = Template(
        "sjt_expert.html",
        context=await page_context(
            request,
            link=link,
            items={i: localized_item(item, lang) for i, item in items.items()},
            shown_link=shown_link,
            link_status_names=LINK_STATUS_NAMES,
        ),
        media_type="text/html",
    )
    if cookie:
        response.delete_cookie(LINK_COOKIE, path=f"/app/sjt/experts/{link_id}")
    return response


@post("/app/sjt/experts/{link_id:int}/renew", guards=[page_hiring_guard], include_in_schema=False)
async def expert_renew(
    request: Request[Any, Any, Any], user: CurrentUser, link_id: PathId
) -> Response[Any]:
    """A new link for an expert who lost theirs; the old link stops working."""
    await bank.expert_link(link_id)
    token = await bank.renew_expert_link(link_id)
    response = Redirect(path=f"/app/sjt/experts/{link_id}")
    if token is not None:
        response.set_cookie(_link_cookie(request, link_id, token))
    return response


ITEM_PAGE_HANDLERS = [
    item_bank_page,
    item_new,
    item_page,
    item_edit,
    item_create,
    item_update,
    item_status,
    item_delete,
    expert_new,
    expert_invite,
    expert_page,
    expert_renew,
]
