"""Validate plain data against a msgspec type and report *every* problem with its path.

msgspec stops at the first error; a library import must list them all
(``competencies[3].indicators[0].polarity: expected one of 'present', 'absent'``).
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec.inspect as mi

from assessments.errors import Problem


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _kind(value: Any) -> str:
    return {
        type(None): "null",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _number_problems(value: float, t: Any, path: str) -> list[Problem]:
    out = []
    if t.ge is not None and value < t.ge:
        out.append(Problem(path, f"must be at least {t.ge}"))
    if t.gt is not None and value <= t.gt:
        out.append(Problem(path, f"must be greater than {t.gt}"))
    if t.le is not None and value > t.le:
        out.append(Problem(path, f"must be at most {t.le}"))
    if t.lt is not None and value >= t.lt:
        out.append(Problem(path, f"must be less than {t.lt}"))
    return out


def _check(value: Any, t: mi.Type, path: str) -> list[Problem]:
    where = path or "document"
    if isinstance(t, mi.Metadata):
        found = _check(value, t.type, path)
        described = (t.extra_json_schema or {}).get("description")
        if described and isinstance(t.type, mi.StrType) and t.type.pattern:
            # a pattern means little to people: say what it stands for
            found = [
                Problem(p.path, f"{str(value)[:40]!r} is not valid ({described})")
                if " does not match " in p.message
                else p
                for p in found
            ]
        return found
    if isinstance(t, mi.AnyType):
        return []
    if isinstance(t, mi.NoneType):
        return [] if value is None else [Problem(where, f"expected null, got {_kind(value)}")]
    if isinstance(t, mi.UnionType):
        if value is None and any(isinstance(x, mi.NoneType) for x in t.types):
            return []
        candidates = [x for x in t.types if not isinstance(x, mi.NoneType)]
        results = [_check(value, x, path) for x in candidates]
        return [] if any(not r for r in results) else results[0]
    if isinstance(t, mi.StrType):
        if not isinstance(value, str):
            return [Problem(where, f"expected a string, got {_kind(value)}")]
        out = []
        if t.min_length is not None and len(value) < t.min_length:
            out.append(
                Problem(
                    where,
                    "must not be empty"
                    if t.min_length == 1
                    else f"must be at least {t.min_length} characters",
                )
            )
        if t.max_length is not None and len(value) > t.max_length:
            out.append(Problem(where, f"longer than {t.max_length} characters ({len(value)})"))
        if t.pattern is not None and not re.search(t.pattern, value):
            out.append(Problem(where, f"{value[:40]!r} does not match {t.pattern}"))
        return out
    if isinstance(t, mi.BoolType):
        ok = isinstance(value, bool)
        return [] if ok else [Problem(where, f"expected true or false, got {_kind(value)}")]
    if isinstance(t, mi.IntType):
        if isinstance(value, bool) or not isinstance(value, int):
            return [Problem(where, f"expected an integer, got {_kind(value)}")]
        return _number_problems(value, t, where)
    if isinstance(t, mi.FloatType):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [Problem(where, f"expected a number, got {_kind(value)}")]
        if not math.isfinite(value):
            return [Problem(where, f"expected a finite number, got {value}")]
        return _number_problems(value, t, where)
    if isinstance(t, mi.LiteralType):
        if value in t.values and type(value) in {type(v) for v in t.values}:
            return []
        allowed = ", ".join(repr(v) for v in t.values)
        return [Problem(where, f"expected one of {allowed}, got {value!r}")]
    if isinstance(t, mi.ListType):
        if not isinstance(value, list):
            return [Problem(where, f"expected a list, got {_kind(value)}")]
        out = []
        if t.min_length is not None and len(value) < t.min_length:
            out.append(Problem(where, f"fewer than {t.min_length} items ({len(value)})"))
        if t.max_length is not None and len(value) > t.max_length:
            out.append(Problem(where, f"more than {t.max_length} items ({len(value)})"))
        for n, item in enumerate(value):
            out += _check(item, t.item_type, _join(path, n))
        return out
    if isinstance(t, mi.DictType):
        if not isinstance(value, dict):
            return [Problem(where, f"expected an object, got {_kind(value)}")]
        out = []
        for k, v in value.items():
            sub = _join(path, str(k))
            out += [Problem(sub, f"key {k!r}: {p.message}") for p in _check(k, t.key_type, sub)]
            out += _check(v, t.value_type, sub)
        return out
    if isinstance(t, mi.StructType):
        if not isinstance(value, dict):
            return [Problem(where, f"expected an object, got {_kind(value)}")]
        out = []
        names = {f.encode_name for f in t.fields}
        for f in t.fields:
            sub = _join(path, f.encode_name)
            if f.encode_name not in value:
                if f.required:
                    out.append(Problem(sub, "missing required field"))
                continue
            out += _check(value[f.encode_name], f.type, sub)
        for k in value:
            if k not in names:
                out.append(Problem(_join(path, str(k)), "unknown field"))
        return out
    raise TypeError(f"validation of {t!r} is not supported")  # pragma: no cover


def problems(value: Any, cls: type) -> list[Problem]:
    """Every way ``value`` (decoded JSON/YAML) fails to be a ``cls``; empty when it fits."""
    return _check(value, mi.type_info(cls), "")
