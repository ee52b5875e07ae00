"""Reports as HTTP responses: HTML (with the report CSP), PDF (rendered off the loop), CSV."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

import anyio.to_thread
from litestar import Response

from reports.environment import CSP
from reports.pdf import pdf_bytes

ReportFormat = Literal["json", "html", "pdf", "csv"]


def _disposition(filename: str, inline: bool) -> str:
    """The Content-Disposition header (RFC 6266): an ASCII ``filename`` for every client, and
    ``filename*`` with the UTF-8 name (RFC 5987) when the name is not plain ASCII."""
    kind = "inline" if inline else "attachment"
    ascii_name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename
    )
    if ascii_name == filename:
        return f'{kind}; filename="{ascii_name}"'
    utf8 = quote(filename, safe="")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8}"


def html_response(html: str, *, filename: str | None = None) -> Response[bytes]:
    """A report page; only its own inline stylesheet is allowed (no script at all)."""
    headers = {"Content-Security-Policy": CSP}
    if filename:
        headers["Content-Disposition"] = _disposition(filename, inline=True)
    return Response(html.encode("utf-8"), media_type="text/html", headers=headers)


async def pdf_response(html: str, *, filename: str) -> Response[bytes]:
    """The report printed by WeasyPrint in a worker thread (rendering blocks for ~0.1 s/page)."""
    data = await anyio.to_thread.run_sync(pdf_bytes, html)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": _disposition(filename, inline=False)},
    )


def csv_response(text: str, *, filename: str) -> Response[bytes]:
    """CSV with a BOM-less UTF-8 body, downloaded as ``filename``."""
    return Response(
        text.encode("utf-8"),
        media_type="text/csv",
        headers={"Content-Disposition": _disposition(filename, inline=False)},
    )


def file_response(data: bytes, *, filename: str, media_type: str) -> Response[bytes]:
    """A prepared file (a background job's PDF or ZIP), downloaded as ``filename``."""
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": _disposition(filename, inline=False)},
    )
