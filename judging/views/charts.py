"""Charts drawn on the server as SVG: no script, no inline style (classes from static/css/charts.css;
SVG presentation attributes only for geometry), no CDN. Each chart is a `Chart`: the SVG with
role="img", <title> and <desc>, and the same numbers as a table (templates/judging/charts/_figure.html
shows both). Colours are neutral: one blue scale for amounts, a warm outline and a marker (not
colour alone) for the disagreement of 30 points or more.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from judging.enums import SPREAD_THRESHOLD

FONT = 11


@dataclass
class Chart:
    key: str  # unique on the page: ids of <title>/<desc>
    title: str
    desc: str
    svg: SafeString
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    wide: bool = False  # full width; scrolls sideways on a phone rather than shrinking
    legend: str = ""  # a template shown under the chart


def _n(value) -> str:
    """A coordinate: one decimal at most."""
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _svg(key: str, width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (f'<svg class="chart__svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped above and below


def _text(x, y, text, css="chart-label", anchor="start") -> str:
    return (f'<text class="{css}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">{escape(str(text))}</text>')


def _label_room(labels, minimum: float) -> float:
    """Room for right-aligned row labels at the 11px label size: about a full em for CJK
    characters and a little over half an em for Latin ones (English labels run longer)."""
    widest = max((sum(11.5 if ord(ch) > 0x2E7F else 6.2 for ch in str(label)) for label in labels), default=0)
    return max(minimum, widest + 10)


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}".rstrip("0").rstrip(".") if isinstance(value, Decimal) else str(value)


# -- per application: each judge's total ---------------------------------------------------------
def judge_totals_chart(key: str, sheets: list[tuple[str, Decimal]], *, max_total: Decimal,
                       consensus: Decimal | None = None) -> Chart:
    """A dot plot of the judges' totals on 0 … max_total (one row per judge: name, dot, value),
    with the range shaded, the mean dashed and the consensus total as a diamond."""
    width, left, right, top, row = 360, 64, 52, 30, 20
    height = top + row * max(1, len(sheets)) + 26
    plot = width - left - right
    max_total = Decimal(max_total or 1)
    totals = [t for _name, t in sheets if t is not None]
    bottom = height - 22

    def x(v):
        return left + plot * float(Decimal(v) / max_total)

    body = [f'<line class="chart-axis" x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}"/>']
    for i in range(0, 5):
        v = max_total * i / 4
        body.append(f'<line class="chart-grid" x1="{_n(x(v))}" y1="{top - 6}" x2="{_n(x(v))}" y2="{bottom}"/>')
        body.append(_text(x(v), height - 8, _fmt(v.quantize(Decimal(1))), anchor="middle"))
    if totals:
        lo, hi = min(totals), max(totals)
        mean = sum(totals, Decimal(0)) / len(totals)
        body.append(f'<rect class="chart-band" x="{_n(x(lo))}" y="{top - 6}" width="{_n(max(1, x(hi) - x(lo)))}" '
                    f'height="{_n(bottom - top + 6)}"/>')
        body.append(f'<line class="chart-mean" x1="{_n(x(mean))}" y1="{top - 10}" x2="{_n(x(mean))}" y2="{bottom}"/>')
        body.append(_text(x(mean), top - 14, _("平均 %(v)s") % {"v": _fmt(mean.quantize(Decimal("0.01")))},
                          "chart-note", "middle"))
    if consensus is not None:
        cx = x(consensus)
        body.append(f'<path class="chart-consensus" d="M{_n(cx)} {_n(bottom - 5)}l5 5-5 5-5-5z"/>')
    for i, (name, total) in enumerate(sheets):
        y = top + row * i + row / 2
        short = name if len(name) <= 5 else name[:4] + "…"
        body.append(_text(left - 6, y + 4, short, "chart-label", "end"))
        if total is None:
            continue
        body.append(f'<circle class="chart-dot" cx="{_n(x(total))}" cy="{_n(y)}" r="5"/>')
        body.append(_text(width - 4, y + 4, _fmt(total), "chart-value", "end"))
    desc = _("%(n)d 位专家的总分（满分 %(max)s）：%(list)s。") % {
        "n": len(sheets), "max": _fmt(max_total),
        "list": pgettext("reason separator", "；").join(f"{name} {_fmt(t)}" for name, t in sheets)}
    title = _("各专家总分")
    rows = [[name, _fmt(t)] for name, t in sheets]
    if totals:
        rows.append([_("平均"), _fmt((sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")))])
        rows.append([_("极差"), _fmt(max(totals) - min(totals))])
    if consensus is not None:
        rows.append([_("合议分"), _fmt(consensus)])
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body), [_("专家"), _("总分")], rows)


# -- per application: item by item ----------------------------------------------------------------
@dataclass
class ItemSpread:
    code: str
    title: str
    percents: list[int | None]  # per judge, in the order of the names
    consensus: int | None = None

    @property
    def spread(self) -> int | None:
        values = [p for p in self.percents if p is not None]
        return max(values) - min(values) if len(values) > 1 else None

    @property
    def flagged(self) -> bool:
        return self.spread is not None and self.spread >= SPREAD_THRESHOLD


def item_spread_chart(key: str, names: list[str], items: list[ItemSpread]) -> Chart:
    """Per item: the judges' percents as dots on 0–100 %, their range as a bar, the consensus
    as a diamond; items SPREAD_THRESHOLD or more points apart on a highlighted row with a ▲."""
    width, left, right, top, row = 360, 46, 34, 26, 17
    plot = width - left - right
    height = top + row * len(items) + 26

    def x(p):
        return left + plot * p / 100

    body = []
    for p in range(0, 101, 25):
        body.append(f'<line class="chart-grid" x1="{_n(x(p))}" y1="{top - 6}" x2="{_n(x(p))}" '
                    f'y2="{height - 22}"/>')
        body.append(_text(x(p), height - 8, f"{p}%", anchor="middle"))
    for i, item in enumerate(items):
        y = top + row * i + row / 2
        if item.flagged:
            body.append(f'<rect class="chart-flag-row" x="0" y="{_n(y - row / 2)}" width="{width}" height="{row}"/>')
            body.append(_text(width - 4, y + 4, "▲" + str(item.spread), "chart-flag", "end"))
        body.append(_text(left - 6, y + 4, item.code, "chart-label", "end"))
        values = [p for p in item.percents if p is not None]
        if len(values) > 1:
            body.append(f'<line class="chart-range" x1="{_n(x(min(values)))}" y1="{_n(y)}" '
                        f'x2="{_n(x(max(values)))}" y2="{_n(y)}"/>')
        seen: dict[int, int] = {}
        for p in values:  # judges on the same percent: dots stacked a little above and below
            k = seen[p] = seen.get(p, -1) + 1
            dy = ((k + 1) // 2) * 3.5 * (1 if k % 2 else -1)
            body.append(f'<circle class="chart-dot chart-dot--small" cx="{_n(x(p))}" cy="{_n(y + dy)}" r="3.5"/>')
        if item.consensus is not None:
            cx = x(item.consensus)
            body.append(f'<path class="chart-consensus" d="M{_n(cx)} {_n(y - 5)}l5 5-5 5-5-5z"/>')
    body.append(_text(left, 14, _("● 专家评分　◆ 合议分　▲ 相差 %(t)d 个百分点及以上") % {"t": SPREAD_THRESHOLD},
                      "chart-note"))
    flagged = [i.code for i in items if i.flagged]
    desc = _("%(n)d 个条款各专家的得分率（0–100%%）及极差。") % {"n": len(items)}
    if flagged:
        desc += _("相差 %(t)d 个百分点及以上的条款：%(codes)s。") % {
            "t": SPREAD_THRESHOLD, "codes": pgettext("list separator", "、").join(flagged)}
    else:
        desc += _("没有相差 %(t)d 个百分点及以上的条款。") % {"t": SPREAD_THRESHOLD}
    title = _("逐条款评分分布")
    headers = [_("条款"), *names, _("极差"), _("合议分")]
    rows = [[f"{i.code} {i.title}", *[("—" if p is None else f"{p}%") for p in i.percents],
             ("—" if i.spread is None else str(i.spread)) + (" ▲" if i.flagged else ""),
             "—" if i.consensus is None else f"{i.consensus}%"] for i in items]
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body), headers, rows)


# -- per cycle: heatmap, leniency, distribution, funnel -----------------------------------------------
HEAT_CLASSES = [(0, "heat-0"), (10, "heat-1"), (20, "heat-2"), (30, "heat-3"), (45, "heat-4")]


def _heat_class(spread: int | None) -> str:
    if spread is None:
        return "heat-none"
    css = "heat-0"
    for low, name in HEAT_CLASSES:
        if spread >= low:
            css = name
    return css


def heatmap_chart(key: str, heatmap, *, caption: str) -> Chart:
    """Applications (rows) × items (columns): the spread of the judges' percents, darker for more;
    cells of 30 points or more outlined and dotted."""
    items, rows = heatmap.items, heatmap.rows
    cell, left, top = 18, 150, 40
    width = left + cell * max(1, len(items)) + 8
    height = top + cell * max(1, len(rows)) + 8
    body = []
    for j, code in enumerate(items):
        cx = left + cell * j + cell / 2
        body.append(f'<text class="chart-label chart-label--small" transform="translate({_n(cx + 3)} {top - 4}) '
                    f'rotate(-90)">{escape(code)}</text>')
    for i, r in enumerate(rows):
        y = top + cell * i
        label = r.label if len(r.label) <= 16 else r.label[:15] + "…"
        body.append(_text(left - 6, y + cell - 4, label, "chart-label", "end"))
        for j, spread in enumerate(r.spreads):
            x = left + cell * j
            css = _heat_class(spread)
            flagged = spread is not None and spread >= SPREAD_THRESHOLD
            body.append(f'<rect class="heat {css}{" heat-flag" if flagged else ""}" x="{x + 0.5}" y="{y + 0.5}" '
                        f'width="{cell - 1}" height="{cell - 1}"/>')
            if flagged:
                body.append(f'<circle class="heat-dot" cx="{_n(x + cell / 2)}" cy="{_n(y + cell / 2)}" r="2.5"/>')
    flagged = sum(1 for r in rows for s in r.spreads if s is not None and s >= SPREAD_THRESHOLD)
    title = _("条款分歧热力图")
    desc = _("%(caption)s：%(rows)d 份申报 × %(items)d 个条款，颜色越深专家评分相差越大；"
             "相差 %(t)d 个百分点及以上的 %(n)d 格加框并标圆点。") % {
        "caption": caption, "rows": len(rows), "items": len(items), "t": SPREAD_THRESHOLD, "n": flagged}
    headers = [_("申报"), *items]
    table = [[r.label, *[("—" if s is None else str(s)) for s in r.spreads]] for r in rows]
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body), headers, table, wide=True,
                 legend="judging/charts/_heat_legend.html")


def leniency_chart(key: str, leniency) -> Chart:
    """Each judge's mean deviation from their co-judges (positive: more lenient), as bars left
    and right of zero in one neutral colour."""
    rows = [r for r in leniency if r.leniency is not None]
    width, left, right, top, row = 360, 70, 56, 24, 20
    plot = width - left - right
    height = top + row * max(1, len(rows)) + 26
    bound = max([abs(float(r.leniency)) for r in rows] + [1.0])
    bound = max(5.0, (int(bound / 5) + 1) * 5)
    zero = left + plot / 2

    def x(v):
        return zero + plot / 2 * float(v) / bound

    body = [f'<line class="chart-axis" x1="{_n(zero)}" y1="{top - 6}" x2="{_n(zero)}" y2="{height - 22}"/>']
    for v in (-bound, -bound / 2, bound / 2, bound):
        body.append(f'<line class="chart-grid" x1="{_n(x(v))}" y1="{top - 6}" x2="{_n(x(v))}" y2="{height - 22}"/>')
    for v in (-bound, 0, bound):
        body.append(_text(x(v), height - 8, ("+" if v > 0 else "") + _fmt(Decimal(str(v)).quantize(Decimal(1))),
                          anchor="middle"))
    body.append(_text(left, 13, _("← 偏严"), "chart-note"))
    body.append(_text(width - right, 13, _("偏宽 →"), "chart-note", "end"))
    body.append(_text(width - 4, 13, _("偏差"), "chart-note", "end"))
    for i, r in enumerate(rows):
        y = top + row * i
        name = r.judge_name if len(r.judge_name) <= 6 else r.judge_name[:5] + "…"
        body.append(_text(left - 6, y + row / 2 + 4, name, "chart-label", "end"))
        x0, x1 = sorted((zero, x(r.leniency)))
        body.append(f'<rect class="chart-bar chart-bar--neutral" x="{_n(x0)}" y="{_n(y + 4)}" '
                    f'width="{_n(max(1, x1 - x0))}" height="{row - 8}"/>')
        value = ("+" if r.leniency > 0 else "") + _fmt(r.leniency)
        body.append(_text(width - 4, y + row / 2 + 4, value, "chart-value", "end"))  # a column of values
    title = _("专家宽严度")
    desc = _("各专家总分与同组其他专家平均分之差的平均值（正数偏宽，负数偏严）：%(list)s。") % {
        "list": pgettext("reason separator", "；").join(
            f"{r.judge_name} {('+' if r.leniency > 0 else '')}{_fmt(r.leniency)}" for r in rows)
        or _("暂无可比较的评分表")}
    table = [[r.judge_name, str(r.sheets), _fmt(r.mean_total),
              "—" if r.leniency is None else ("+" if r.leniency > 0 else "") + _fmt(r.leniency)] for r in leniency]
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body),
                 [_("专家"), _("份数"), _("均分"), _("偏差")], table)


def distribution_chart(key: str, bins, *, caption: str, title: str = "") -> Chart:
    """Histogram of the final scores of one category."""
    width, left, right, top, bottom = 360, 30, 10, 16, 30
    plot_w, plot_h = width - left - right, 120
    height = top + plot_h + bottom
    peak = max([b.count for b in bins] + [1])
    body = [f'<line class="chart-axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>']
    step = plot_w / max(1, len(bins))
    for k in range(0, peak + 1, max(1, peak // 4)):
        y = top + plot_h - plot_h * k / peak
        body.append(f'<line class="chart-grid" x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}"/>')
        body.append(_text(left - 4, y + 4, k, anchor="end"))
    for i, b in enumerate(bins):
        h = plot_h * b.count / peak
        x = left + step * i
        if b.count:
            body.append(f'<rect class="chart-bar" x="{_n(x + 1)}" y="{_n(top + plot_h - h)}" '
                        f'width="{_n(step - 2)}" height="{_n(h)}"/>')
        if i % max(1, len(bins) // 5) == 0:
            body.append(_text(x, top + plot_h + 14, _fmt(b.low), anchor="middle"))
    body.append(_text(width - right, top + plot_h + 14, _fmt(bins[-1].high) if bins else "", anchor="end"))
    total = sum(b.count for b in bins)
    title = title or _("最终得分分布")
    desc = _("%(caption)s：%(n)d 份申报的得分，每 %(w)s 分一组。") % {
        "caption": caption, "n": total, "w": _fmt(bins[0].high - bins[0].low) if bins else "—"}
    table = [[f"{_fmt(b.low)}–{_fmt(b.high)}", str(b.count)] for b in bins if b.count]
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body), [_("得分区间"), _("申报数")], table)


def funnel_chart(key: str, steps, *, caption: str) -> Chart:
    """The cycle funnel: how many applications reached each step, and the share of those applied."""
    left, right, top, row = _label_room([s.label for s in steps], 84), 66, 8, 24
    width = left + 170 + right
    plot = width - left - right
    height = top + row * len(steps) + 6
    peak = max([s.count for s in steps] + [1])
    body = []
    for i, s in enumerate(steps):
        y = top + row * i
        w = plot * s.count / peak
        body.append(_text(left - 6, y + row / 2 + 4, s.label, "chart-label", "end"))
        body.append(f'<rect class="chart-bar" x="{left}" y="{_n(y + 3)}" width="{_n(max(1, w))}" '
                    f'height="{row - 6}"/>')
        value = _("%(count)s（%(percent)s%%）") % {"count": s.count, "percent": s.percent}
        body.append(_text(left + max(1, w) + 5, y + row / 2 + 4, value, "chart-value"))
    title = _("评选漏斗")
    desc = _("%(caption)s：%(list)s。") % {"caption": caption,
                                           "list": " → ".join(f"{s.label} {s.count}" for s in steps)}
    table = [[s.label, str(s.count), f"{s.percent}%"] for s in steps]
    return Chart(key, title, desc, _svg(key, width, height, title, desc, body),
                 [_("环节"), _("申报数"), _("占申报")], table)
