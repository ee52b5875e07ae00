"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, QueryParameter(ge=0, description="Items to skip")]
LangQuery = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[a-z]{2}\Z",
        description="Return texts in this language (ISO 639-1), English where missing",
    ),
]
