"""The reliability report of an uploaded scale ("analyse your own data") as HTML.

One page for the API (``format=html``, ``format=pdf`` through :mod:`reports.pdf`), the
staff page and ``assess analyse``: summary cards, a plain-language reading of alpha,
warnings, every coefficient with its n and missing-data rule, the item table with flags,
a chart of the item-total correlations and alpha if deleted, and references.
"""

from __future__ import annotations

import gettext

from assessments.psychometrics import ScaleAnalysis
from reports.charts import Chart, bar_chart
from reports.environment import report_environment

__all__ = ["MAX_CHART_ITEMS", "analysis_chart", "analysis_html"]

MAX_CHART_ITEMS = 60
BANDS = (
    ("excellent", "≥ .90"),
    ("good", "≥ .80"),
    ("fair", "≥ .70"),
    ("poor", "< .70"),
)


def analysis_chart(
    result: ScaleAnalysis, translations: gettext.NullTranslations | None = None
) -> Chart | None:
    """Corrected item-total r and alpha if deleted per item, alpha of all items as a tick.

    None when there are more than :data:`MAX_CHART_ITEMS` items (the table has them all).
    Negative correlations are drawn as no bar; the text equivalent shows their values.
    """
    items = result.analysed_items
    if not items or len(items) > MAX_CHART_ITEMS:
        return None
    _ = (translations or gettext.NullTranslations()).gettext
    alpha = result.alpha.alpha if result.alpha is not None else None
    return bar_chart(
        [i.name for i in items],
        [
            (_("Item–total r (corrected)"), [i.r_drop for i in items]),
            (_("Alpha if the item is deleted"), [i.alpha_if_deleted for i in items]),
        ],
        scale=(0.0, 1.0),
        title=_("Items: corrected item–total correlation and alpha if deleted"),
        description=_(
            "One row per item. Long bars for the correlation are good; an alpha-if-deleted "
            "bar that passes the dark tick (alpha of all items) means the scale is more "
            "reliable without that item. Negative correlations are not drawn: see the table."
        ),
        markers=[alpha] * len(items) if alpha is not None and alpha == alpha else None,
        marker_label=_("Alpha of all items"),
        ident="items-chart",
    )


def analysis_html(
    result: ScaleAnalysis,
    *,
    title: str,
    lang: str = "en",
    translations: gettext.NullTranslations | None = None,
    source: str | None = None,
    generated: str | None = None,
) -> str:
    """The report as a standalone HTML document (inline stylesheet, no script).

    Parameters
    ----------
    result : ScaleAnalysis
        From :func:`assessments.psychometrics.analyse_scale`.
    title : str
        Page title (escaped), e.g. ``"Reliability of survey.csv"``.
    lang : str
        The document language (``<html lang>``).
    translations : gettext.NullTranslations, optional
        Catalogue for the report's texts; English when None.
    source : str, optional
        Where the data came from (a file name), shown under the title.
    generated : str, optional
        When the report was made, shown in the footer.
    """
    env = report_environment(translations)
    return env.get_template("analysis.html").render(
        r=result,
        title=title,
        lang=lang,
        source=source,
        generated=generated,
        chart_=analysis_chart(result, translations),
        bands=BANDS,
        max_chart_items=MAX_CHART_ITEMS,
        any_p=any(i.p is not None for i in result.items),
    )
