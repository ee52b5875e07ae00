"""HTML reports printed to PDF with WeasyPrint (A4, title in the header, page x / y)."""

from __future__ import annotations


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report's HTML.

    The report's embedded stylesheet carries the ``@page`` rules (running title, page
    numbers) and the print media rules; WeasyPrint renders with ``media="print"``. No URL
    is fetched: reports embed their charts as inline SVG.
    """
    from weasyprint import HTML  # imported here: loading pango takes ~0.3 s

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"reports do not load external resources ({url[:40]})")

    pdf: bytes = HTML(string=html, url_fetcher=no_fetch, media_type="print").write_pdf()
    return pdf
