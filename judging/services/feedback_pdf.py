"""Render feedback reports (评审反馈报告) to PDF with WeasyPrint.

A4 portrait, Simplified Chinese, page numbers "第 x 页 共 y 页" from CSS page counters.
The fonts are the certificates' (nominations.pdf.fonts): explicit GB 2312 subset
files referenced by ``@font-face`` (never a family picked by fontconfig), with a tiny
extra font cut for rare characters outside the subset and the system Noto Serif CJK SC
only as the last resort. One :class:`FeedbackRenderer` per thread keeps its WeasyPrint
``FontConfiguration`` and parsed stylesheet, so a cycle's reports reuse them.

The input is a :class:`judging.selectors.feedback.FeedbackData`; it carries no judge
and no other application, so the PDF cannot show them.
"""
from __future__ import annotations

import atexit
import threading

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from judging.data.bands import BANDS, FACTORS
from judging.enums import CriterionKind
from judging.selectors.feedback import FeedbackData, band_label
from nominations.pdf.base import PdfRenderer, font_face_css, font_family_css
from nominations.pdf.fonts import PRIMARY_FAMILY, FontSet

REPORT_TEMPLATE = "feedback/pdf/report.html"
STYLESHEET_TEMPLATE = "feedback/pdf/report.css"
ISSUER = "上海市质量奖评审秘书处"


def holder_name(application) -> str:
    """The applicant as registered: the organization, or the person and employer."""
    nominee = application.nominee if application.nominee_id else None
    if nominee is not None:
        return f"{nominee.name}（{nominee.employer}）"
    return application.organization.name


def report_filename(application) -> str:
    return f"feedback-{application.reference or application.pk}.pdf"


def report_context(data: FeedbackData) -> dict:
    """Template variables of one report (autoescaped by Django)."""
    app = data.application
    cycle, programme = app.cycle, app.cycle.programme
    overall = data.band
    categories = []
    for c in data.categories:
        band = c.band
        categories.append({"category": c, "band": band, "scale": [b is band for b in BANDS]})
    kinds = {c.kind for c in data.categories}
    return {
        "data": data,
        "app": app,
        "cycle": cycle,
        "programme": programme,
        "holder": holder_name(app),
        "is_individual": bool(app.nominee_id),
        "categories": categories,
        "overall": overall,
        "overall_label": band_label(overall),
        "overall_scale": [b is overall for b in BANDS],
        # the band texts speak of "this item"; for the whole application, of the criteria
        "overall_process": overall.process.replace("本条款", "评价准则") if overall else "",
        "overall_result": overall.result if overall else "",
        "bands": [{"label": band_label(b), "process": b.process, "result": b.result} for b in BANDS],
        "show_process": CriterionKind.PROCESS in kinds or not kinds,
        "show_result": CriterionKind.RESULT in kinds,
        "factors_process": "、".join(f[1] for f in FACTORS[CriterionKind.PROCESS]),
        "factors_result": "、".join(f[1] for f in FACTORS[CriterionKind.RESULT]),
        "summary_paragraphs": [p.strip() for p in (data.summary or "").splitlines() if p.strip()],
        "issuer": ISSUER,
        "date_text": f"{data.generated_on.year}年{data.generated_on.month}月{data.generated_on.day}日",
        "title": _("评审反馈报告 %(ref)s") % {"ref": app.reference or ""},
    }


def render_html(data: FeedbackData) -> str:
    return render_to_string(REPORT_TEMPLATE, report_context(data))


def stylesheet_text(fonts: FontSet) -> str:
    """@font-face rules for the subset fonts, the report layout, the font-family list."""
    return (font_face_css(PRIMARY_FAMILY, fonts.faces()) + render_to_string(STYLESHEET_TEMPLATE)
            + font_family_css(PRIMARY_FAMILY))


class FeedbackRenderer(PdfRenderer):
    """Reusable report renderer (one per thread: WeasyPrint's font configuration is not
    thread-safe). Resolves the fonts and parses the stylesheet once."""

    extra_kept = 32

    def stylesheet_text(self, fonts: FontSet) -> str:
        return stylesheet_text(fonts)

    def render(self, data: FeedbackData) -> bytes:
        return self.write_html(render_html(data))


_local = threading.local()
# Drop the renderer before interpreter shutdown (WeasyPrint's FontConfiguration.__del__
# needs modules that are gone by then).
atexit.register(lambda: _local.__dict__.pop("renderer", None))


def default_renderer() -> FeedbackRenderer:
    """This thread's renderer, created on first use."""
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = FeedbackRenderer()
    return renderer
