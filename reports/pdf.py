"""HTML reports printed to PDF with WeasyPrint (A4, title in the header, page x / y)."""

from __future__ import annotations

from typing import Any


def layout(html: str) -> Any:
    """The report laid out in pages (a WeasyPrint ``Document``: ``len(doc.pages)`` pages,
    ``doc.write_pdf()`` the file). The slow half of printing; :func:`pdf_bytes` does both.

    The report's embedded stylesheet carries the ``@page`` rules (running title, page
    numbers) and the print media rules; WeasyPrint renders with ``media="print"``. No URL
    is fetched: reports embed their charts as inline SVG.
    """
    from weasyprint import HTML  # imported here: loading pango takes ~0.3 s

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"reports do not load external resources ({url[:40]})")

    return HTML(string=html, url_fetcher=no_fetch, media_type="print").render()


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report's HTML (laid out by :func:`layout`, then written)."""
    pdf: bytes = layout(html).write_pdf()
    return pdf
