"""Which charts each page shows, from the figures its view already has (the ranking, the
consensus book) plus a fixed number of queries (judging.selectors.charts)."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from judging import selectors
from judging.selectors import charts as data
from judging.selectors.ranking import rubric_max_points
from judging.selectors.scoresheets import _consensus_book
from judging.views import charts

HEAT_ROWS = 25  # the heatmap covers the top of the current page (the ranking stays fast at 5,000)


def book_charts(book, *, named: bool = True, prefix: str = "a") -> list[charts.Chart]:
    """Each judge's total and the item-by-item spread of one application's panel (no query:
    the consensus book). `named`: the judges' names, else 专家 A, B, … (the committee)."""
    submitted = [s for s in book.sheets if s.state == "submitted"]
    names = [s.judge_name if named else _("专家 %(letter)s") % {"letter": chr(ord("A") + i)}
             for i, s in enumerate(submitted)]
    max_total = sum((i.max_points for i in book.items), Decimal(0))
    totals = charts.judge_totals_chart(f"{prefix}-totals", list(zip(names, [s.total for s in submitted])),
                                       max_total=max_total, consensus=book.total)
    items = [charts.ItemSpread(code=i.criterion, title=i.title,
                               percents=[s.items[i.criterion]["percent"] for s in submitted], consensus=i.percent)
             for i in book.items]
    return [totals, charts.item_spread_chart(f"{prefix}-items", names, items)]


def application_charts(app, *, stage: str, named: bool) -> list[charts.Chart]:
    """book_charts for an application the caller may see (the committee view)."""
    return book_charts(_consensus_book(application=app, stage=stage), named=named, prefix=f"app{app.pk}")


def cycle_charts(*, cycle, category, stage: str, ranked, heat_rows, prefix: str, leniency=None) -> list[charts.Chart]:
    """The ranking's and the committee view's charts for one category: the score distribution
    (the ranking's figures), the disagreement heatmap of the first HEAT_ROWS rows shown, the
    judges' leniency (unless given) and the cycle funnel. Five queries (three with the leniency)."""
    caption = f"{cycle} · {category.name}"
    max_points = rubric_max_points([category.rubric_code]).get(category.rubric_code, {})
    top = sum(max_points.values(), Decimal(0)) or Decimal(1000)
    result = []
    rows = [(r.application, r.reference or r.name) for r in list(heat_rows)[:HEAT_ROWS]]
    if rows:
        heat = data.disagreement_heatmap(rows, stage=stage, rubric_code=category.rubric_code)
        result.append(charts.heatmap_chart(f"{prefix}-heat", heat, caption=caption))
    result.append(charts.distribution_chart(f"{prefix}-dist", data.score_distribution(
        [r.final_score for r in ranked], top=top), caption=caption))
    if leniency is None:
        leniency = selectors.judge_leniency(cycle=cycle, category=category, stage=stage)
    if leniency:
        result.append(charts.leniency_chart(f"{prefix}-len", leniency))
    funnel = data.cycle_funnels([cycle.pk]).get(cycle.pk)
    if funnel:
        result.append(charts.funnel_chart(f"{prefix}-funnel", funnel, caption=str(cycle)))
    return result
