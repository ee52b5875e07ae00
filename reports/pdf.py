"""HTML reports printed to PDF with WeasyPrint (A4, title in the header, page x / y)."""

from __future__ import annotations

import threading
from typing import Any

from reports.environment import CSS

_STYLE = f"<style>{CSS}</style>"
_local = threading.local()


def _printer() -> tuple[Any, Any]:
    """This thread's WeasyPrint font configuration and report stylesheet, made once.

    A new ``FontConfiguration`` per document reloads Fontconfig's configuration and
    starts Pango's font caches cold, and the report stylesheet embedded in every report
    was parsed again for every document: together about 7 % of a 360 report's printing.
    Both are kept per thread (Pango's font map is not thread-safe; reports are printed in
    worker threads); the stylesheet is parsed with the font configuration it is used with.
    """
    kept: tuple[Any, Any] | None = getattr(_local, "printer", None)
    if kept is None:
        from weasyprint import CSS as Stylesheet  # imported here: loading pango takes ~0.3 s
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        kept = fonts, Stylesheet(string=CSS, media_type="print", font_config=fonts)
        _local.printer = kept
    return kept


def layout(html: str) -> Any:
    """The report laid out in pages (a WeasyPrint ``Document``: ``len(doc.pages)`` pages,
    ``doc.write_pdf()`` the file). The slow half of printing; :func:`pdf_bytes` does both.

    The report's embedded stylesheet carries the ``@page`` rules (running title, page
    numbers) and the print media rules; WeasyPrint renders with ``media="print"``. When
    the HTML embeds the report stylesheet (:data:`reports.environment.CSS`), the copy
    parsed once per thread is applied in its place, with the same rules (as a user
    stylesheet: nothing else in a report is styled but the few ``style`` attributes,
    which win over it as they did). No URL is fetched: reports embed their charts as
    inline SVG.
    """
    from weasyprint import HTML

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"reports do not load external resources ({url[:40]})")

    fonts, stylesheet = _printer()
    sheets = []
    if _STYLE in html:
        html = html.replace(_STYLE, "", 1)
        sheets.append(stylesheet)
    document = HTML(string=html, url_fetcher=no_fetch, media_type="print")
    return document.render(font_config=fonts, stylesheets=sheets)


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report's HTML (laid out by :func:`layout`, then written)."""
    pdf: bytes = layout(html).write_pdf()
    return pdf
