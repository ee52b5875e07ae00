"""Analyse your own data: reliability of an uploaded CSV (API and staff page), no storage.

``POST /api/v1/analysis/reliability`` takes the CSV as a ``text/csv`` body or as the field
``file`` of a multipart form and answers with JSON, the HTML report or its PDF;
``/app/analysis`` is the same behind an upload form. Nothing is stored: the file is read,
analysed in a worker thread and forgotten.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import PurePath
from typing import Annotated, Any, Literal

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Template

from assessments.errors import Problem
from assessments.psychometrics import ScaleAnalysis
from reports.analysis import analysis_html
from server.analysis.csv_matrix import MAX_BYTES, MAX_ITEMS, MAX_ROWS, analyse_csv
from server.core.errors import Invalid
from server.web.auth import page_guard, staff_guard
from server.web.base import ApiController
from server.web.context import page_context
from server.web.errors import UnprocessableError
from server.web.params import documented_as
from server.web.responses import html_response, pdf_response

ReverseQuery = Annotated[
    str | None,
    QueryParameter(
        max_length=20_000,
        description="Items to reverse key, comma-separated column names, e.g. A1,A3",
    ),
]
ScaleQuery = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        description=(
            "min,max of the response scale, e.g. 1,6 (reversed = min + max - x). Without it, "
            "reverse keying uses the smallest and largest answer in the data, and says so."
        ),
    ),
]
FormatQuery = Annotated[
    Literal["json", "html", "pdf"],
    QueryParameter(description="json (default), html (the report page) or pdf"),
]
DESCRIPTION = (
    "The body is a CSV of respondents (rows) x items (columns): either the raw file with "
    "`Content-Type: text/csv`, or a multipart form with the file in the field `file`. "
    "First line: item names. An optional first column of respondent identifiers (named id, "
    "respondent or name, or not numeric). Missing answers: empty, NA, NaN or `.`. Comma, "
    f"semicolon or tab between cells. At most {MAX_BYTES // (1024 * 1024)} MB, "
    f"{MAX_ROWS:,} rows and {MAX_ITEMS} items. Returns alpha (pairwise and listwise, "
    "Feldt interval), standardised alpha, omega total, Guttman's lambda 6, odd-even and "
    "random split-half (Spearman-Brown), item analysis with flags, the SEM of the total, "
    "warnings and a plain-language reading of alpha. Problems with the file or the "
    "parameters are a 422 naming the line and column. Nothing is stored."
)


def _title(filename: str | None) -> str:
    return f"Reliability of {filename}" if filename else "Reliability analysis"


def _stem(filename: str | None) -> str:
    return f"reliability-{PurePath(filename).stem}" if filename else "reliability"


# Analyses at once in this process: each holds its matrix (up to the 5 MiB body as floats)
# and its k x k products; more wait in turn rather than add up in memory.
ANALYSIS_SLOTS = 2
_ANALYSING = threading.BoundedSemaphore(ANALYSIS_SLOTS)


def _analyse_one(data: bytes, reverse: str | None, scale: str | None) -> ScaleAnalysis:
    with _ANALYSING:
        return analyse_csv(data, reverse=reverse, scale=scale)


async def _analyse(data: bytes, reverse: str | None, scale: str | None) -> ScaleAnalysis:
    return await anyio.to_thread.run_sync(partial(_analyse_one, data, reverse, scale))


async def _report(result: ScaleAnalysis, fmt: str, filename: str | None) -> Response[Any]:
    html = analysis_html(result, title=_title(filename), source=filename)
    if fmt == "pdf":
        return await pdf_response(html, filename=f"{_stem(filename)}.pdf")
    return html_response(html, filename=f"{_stem(filename)}.html")


async def _upload(request: Request[Any, Any, Any]) -> tuple[bytes, str | None]:
    """The CSV of the request: a multipart field ``file`` or the raw body."""
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid(
                [Problem("file", "put the CSV in the form field 'file'")],
                "The file cannot be analysed",
            )
        return await upload.read(), upload.filename or None
    return await request.body(), None


class AnalysisController(ApiController):
    path = "/api/v1/analysis"
    guards = [staff_guard]
    tags = ["analysis"]

    @post(
        "/reliability",
        raises=[UnprocessableError],
        summary="Reliability of an uploaded CSV (respondents x items): JSON, HTML or PDF",
        operation_class=documented_as("text/html", "application/pdf"),
        description=DESCRIPTION,
        status_code=200,
    )
    async def reliability(
        self,
        request: Request[Any, Any, Any],
        reverse: ReverseQuery = None,
        scale: ScaleQuery = None,
        format: FormatQuery = "json",
    ) -> Response[Any]:
        data, filename = await _upload(request)
        result = await _analyse(data, reverse, scale)
        if format == "json":
            return Response(result.to_dict())
        return await _report(result, format, filename)


# --------------------------------------------------------------------------- staff page


async def _page(
    request: Request[Any, Any, Any],
    *,
    form: dict[str, str] | None = None,
    result: ScaleAnalysis | None = None,
    filename: str | None = None,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        "analysis.html",
        context=await page_context(
            request,
            form=form or {"output": "page"},
            result=result,
            filename=filename,
            errors=errors or [],
            limits={"mb": MAX_BYTES // (1024 * 1024), "rows": MAX_ROWS, "cols": MAX_ITEMS},
        ),
        status_code=status,
        media_type="text/html",
    )


@get("/app/analysis", guards=[page_guard], include_in_schema=False)
async def analysis_page(request: Request[Any, Any, Any]) -> Template:
    return await _page(request)


@post("/app/analysis", guards=[page_guard], include_in_schema=False, status_code=200)
async def analysis_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """Upload form: show the results on the page, or answer with the HTML or PDF report."""
    form = await request.form()
    values = {
        "reverse": str(form.get("reverse") or "")[:20_000],
        "scale": str(form.get("scale") or "")[:100],
        "output": str(form.get("output") or "page"),
    }
    if values["output"] not in ("page", "html", "pdf"):
        values["output"] = "page"
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(
            request,
            form=values,
            errors=[Problem("file", "choose a CSV file")],
            status=422,
        )
    try:
        result = await _analyse(
            await upload.read(), values["reverse"] or None, values["scale"] or None
        )
    except Invalid as exc:
        found = list(exc.problems)
        return await _page(request, form=values, errors=found, status=422)
    if values["output"] != "page":
        return await _report(result, values["output"], upload.filename)
    return await _page(request, form=values, result=result, filename=upload.filename)


ANALYSIS_PAGE_HANDLERS = [analysis_page, analysis_submit]
