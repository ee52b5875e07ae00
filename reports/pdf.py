"""HTML reports printed to PDF with WeasyPrint (A4, title in the header, page x / y)."""

from __future__ import annotations

import atexit
import threading
from typing import Any

from reports.environment import CSS

_STYLE = f"<style>{CSS}</style>"
_lock = threading.Lock()
_stylesheet: list[Any] = []  # the report stylesheet, parsed once
_spare_fonts: list[Any] = []  # font configurations not in use by any thread
# Freed while the libraries they hold objects of are loaded (at interpreter shutdown,
# Pango's objects released after its library was unloaded crash the process).
atexit.register(_spare_fonts.clear)


def _report_stylesheet() -> Any | None:
    """The report stylesheet (:data:`reports.environment.CSS`) parsed once per process, or
    None when it cannot be shared (an ``@font-face`` rule belongs to one font configuration).

    WeasyPrint parsed the stylesheet embedded in every report again for every document
    (about 4 % of a 360 report's printing); a parsed stylesheet is only read while a
    document is laid out, so every thread can apply the same one.
    """
    if "@font-face" in CSS:
        return None
    with _lock:
        if not _stylesheet:
            from weasyprint import CSS as Stylesheet  # imported here: loading pango takes ~0.3 s

            _stylesheet.append(Stylesheet(string=CSS, media_type="print"))
        return _stylesheet[0]


def _render(html: str, fonts: Any) -> Any:
    from weasyprint import HTML

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"reports do not load external resources ({url[:40]})")

    sheets = []
    stylesheet = _report_stylesheet()
    if stylesheet is not None and _STYLE in html:
        html = html.replace(_STYLE, "", 1)
        sheets.append(stylesheet)
    document = HTML(string=html, url_fetcher=no_fetch, media_type="print")
    return document.render(font_config=fonts, stylesheets=sheets)


def layout(html: str) -> Any:
    """The report laid out in pages (a WeasyPrint ``Document``: ``len(doc.pages)`` pages,
    ``doc.write_pdf()`` the file). The slow half of printing; :func:`pdf_bytes` does both.

    The report's embedded stylesheet carries the ``@page`` rules (running title, page
    numbers) and the print media rules; WeasyPrint renders with ``media="print"``. When
    the HTML embeds the report stylesheet, the copy parsed once is applied in its place,
    with the same rules (as a user stylesheet: nothing else in a report is styled but a
    few ``style`` attributes, which win over it as they did). No URL is fetched: reports
    embed their charts as inline SVG.
    """
    from weasyprint.text.fonts import FontConfiguration

    # its own font configuration: the document may be written later, in another thread
    return _render(html, FontConfiguration())


def pdf_bytes(html: str) -> bytes:
    """The PDF of a report's HTML, laid out and written with a font configuration kept
    from an earlier document.

    A new WeasyPrint ``FontConfiguration`` reloads Fontconfig's configuration and starts
    Pango's font caches cold (about 3 % of a 360 report's printing). One is used by one
    thread at a time (Pango's font map is not thread-safe; reports are printed in worker
    threads), from this document's layout to its last byte.
    """
    try:
        fonts = _spare_fonts.pop()
    except IndexError:
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
    try:
        pdf: bytes = _render(html, fonts).write_pdf()
    finally:
        _spare_fonts.append(fonts)
    return pdf
