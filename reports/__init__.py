"""Reports: domain results turned into HTML (print-ready), PDF and CSV.

One view model per report feeds all its formats. ``environment`` holds the jinja2
environment and the inline stylesheet, ``charts`` inline SVG charts with text
equivalents, ``pdf`` WeasyPrint, ``csv`` spreadsheet-safe CSV; ``lines`` lays long
tables out for print as lines of text (WeasyPrint pays per box), from the printed widths
of ``textwidth``.
"""
