"""Reading and writing library documents (JSON or YAML): one place for API, pages and CLI."""

from __future__ import annotations

from typing import Any

import msgspec
import yaml

from assessments.errors import Problem
from server.core.errors import Invalid, Malformed, Unsupported
from server.core.schemas import LibraryDocument
from server.core.validation import problems

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json", "")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: ``*name`` lets a small document expand without bound."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in a library document", mark
            )
        return super().compose_node(parent, index)


TOO_DEEP = "body: nested too deeply"


def decode_document(body: bytes, content_type: str) -> Any:
    """Decode a JSON or YAML body; 400 naming the line when it cannot be parsed, 415 otherwise.

    YAML aliases are refused (a 1.5 kB document could otherwise expand to millions of
    nodes), and so is nesting deeper than the parser's recursion limit.
    """
    media = content_type.split(";")[0].strip().lower()
    if media in YAML_TYPES:
        try:
            return yaml.load(body.decode("utf-8"), Loader=_NoAliasLoader)  # a SafeLoader
        except UnicodeDecodeError:
            raise Malformed("body: YAML must be UTF-8") from None
        except yaml.YAMLError as exc:
            raise Malformed(f"body: invalid YAML: {exc}") from None
        except RecursionError:
            raise Malformed(TOO_DEEP) from None
    if media in JSON_TYPES:
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise Malformed(f"body: invalid JSON: {exc}") from None
        except RecursionError:
            raise Malformed(TOO_DEEP) from None
    raise Unsupported(f"Content-Type {media!r}: send application/json or application/yaml")


def parse_document(body: bytes, content_type: str) -> LibraryDocument:
    """Decode and validate a whole library document.

    Raises
    ------
    UnprocessableError
        Listing every problem with its path (``competencies[3].indicators[0].polarity``).
    """
    raw = decode_document(body, content_type)
    found = problems(raw, LibraryDocument)
    if found:
        shown = found[:MAX_PROBLEMS]
        if len(found) > MAX_PROBLEMS:
            more = len(found) - MAX_PROBLEMS
            shown.append(Problem("body", f"and {more} more problems (fix these first)"))
        raise Invalid(shown, "Import refused, nothing was changed")
    return msgspec.convert(raw, LibraryDocument)


MAX_PROBLEMS = 200  # listed in one refusal: enough to fix a file by, bounded in size


def document_bytes(doc: LibraryDocument, fmt: str) -> tuple[bytes, str]:
    """The document as JSON (indented) or YAML (UTF-8, keys in schema order) and its type."""
    if fmt == "yaml":
        text = yaml.safe_dump(
            msgspec.to_builtins(doc), allow_unicode=True, sort_keys=False, width=100
        )
        return text.encode("utf-8"), "application/yaml"
    return msgspec.json.format(msgspec.json.encode(doc), indent=2), "application/json"
