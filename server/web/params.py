"""Query parameters shared by list endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import PathParameter, QueryParameter

from server.core.schemas import MAX_ID

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[
    int, QueryParameter(ge=0, le=MAX_ID, description=f"Items to skip (0 to {MAX_ID})")
]
ReleaseNumber = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_ID, description="The release to read (default: the latest)"),
]
LangQuery = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[a-z]{2}\Z",
        description="Return texts in this language (ISO 639-1), English where missing",
    ),
]

# Row ids are PostgreSQL ``serial`` (int4) columns: a larger number can name no row, and the
# database would refuse it (SQLite overflows past 2**63). Out of range is a 400 naming the
# parameter, not a server error.
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description=f"An id (1 to {MAX_ID})")]


def documented_as(*media_types: str, json: bool = True) -> type[Operation]:
    """An OpenAPI operation whose success response also comes in ``media_types`` (a report
    as HTML, PDF or CSV next to its JSON); ``json=False`` when it never is JSON.

    For a handler's ``operation_class``: Litestar documents one media type per response.
    """

    @dataclass
    class ReportOperation(Operation):
        def __post_init__(self) -> None:
            for code, response in (self.responses or {}).items():
                if not code.startswith("2") or not isinstance(response, OpenAPIResponse):
                    continue
                content = dict(response.content or {}) if json else {}
                for media_type in media_types:
                    if media_type in ("application/json", "application/yaml"):
                        schema = Schema(type=OpenAPIType.OBJECT)
                    elif media_type == "application/pdf":
                        schema = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                    else:
                        schema = Schema(type=OpenAPIType.STRING)
                    content[media_type] = OpenAPIMediaType(schema=schema)
                response.content = content

    return ReportOperation
