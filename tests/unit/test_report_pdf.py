"""Printing (reports.pdf): the stylesheet parsed once and the font configurations kept
between documents give the very PDF WeasyPrint makes from the report alone, in any
thread, however many print at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from weasyprint import HTML

from reports.environment import CSS
from reports.pdf import layout, pdf_bytes

PAGE = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Rapport</title>'
    f'<style>{CSS}</style></head><body><header class="report"><h1>Återkoppling</h1>'
    '</header><main><h2>Kompetenser</h2><table class="fixed"><thead><tr><th>Namn</th>'
    '<th class="n" style="width: 5.10em">Själv</th></tr></thead><tbody>'
    + "".join(f'<tr><th>Rad {i}</th><td class="n">{i}.50</td></tr>' for i in range(40))
    + '</tbody></table><p class="note">Så läser du rapporten.</p></main></body></html>'
)


def test_the_same_pdf_as_weasyprint_from_the_report_alone() -> None:
    alone = HTML(string=PAGE, media_type="print").write_pdf()
    assert pdf_bytes(PAGE) == alone
    assert pdf_bytes(PAGE) == alone  # again, with the kept font configuration
    document = layout(PAGE)
    assert len(document.pages) > 1 and document.write_pdf() == alone
    # a report without the report stylesheet is printed as it is
    bare = PAGE.replace(f"<style>{CSS}</style>", "")
    assert pdf_bytes(bare) == HTML(string=bare, media_type="print").write_pdf()


def test_threads_printing_at_once_get_the_same_pdf() -> None:
    alone = pdf_bytes(PAGE)
    with ThreadPoolExecutor(4) as pool:
        printed = list(pool.map(lambda _: pdf_bytes(PAGE), range(12)))
    assert all(pdf == alone for pdf in printed)
