"""Render feedback reports (评审反馈报告) to PDF with WeasyPrint.

A4 portrait, Simplified Chinese, page numbers "第 x 页 共 y 页" from CSS page counters.
The fonts are the certificates' (nominations.certificates.fonts): explicit GB 2312 subset
files referenced by ``@font-face`` (never a family picked by fontconfig), with a tiny
extra font cut for rare characters outside the subset and the system Noto Serif CJK SC
only as the last resort. One :class:`FeedbackRenderer` per thread keeps its WeasyPrint
``FontConfiguration`` and parsed stylesheet, so a cycle's reports reuse them.

The input is a :class:`judging.selectors.feedback.FeedbackData`; it carries no judge
and no other application, so the PDF cannot show them.
"""
from __future__ import annotations

import atexit
import logging
import threading
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from judging.bands import BANDS, FACTORS
from judging.enums import CriterionKind
from judging.selectors.feedback import FeedbackData, band_label
from nominations.certificates.fonts import (
    PRIMARY_FAMILY,
    FontSet,
    build_extra_font,
    ensure_fonts,
    extra_family,
    font_codepoints,
    source_coverage,
)
from nominations.certificates.render import ALLOWED_PROTOCOLS, font_face_css, font_family_css

if TYPE_CHECKING:
    from weasyprint import CSS

logger = logging.getLogger(__name__)

REPORT_TEMPLATE = "feedback/pdf/report.html"
STYLESHEET_TEMPLATE = "feedback/pdf/report.css"
ISSUER = "上海市质量奖评审秘书处"
_EXTRA_KEPT = 32


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


class FeedbackRenderer:
    """Reusable report renderer (one per thread: WeasyPrint's font configuration is not
    thread-safe). Resolves the fonts and parses the stylesheet once."""

    def __init__(self, fonts: FontSet | None = None) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fonts = fonts if fonts is not None else ensure_fonts()
        self.font_config = FontConfiguration()
        self.url_fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
        self.stylesheet = CSS(string=stylesheet_text(self.fonts), font_config=self.font_config,
                              url_fetcher=self.url_fetcher)
        self._covered = frozenset.intersection(*(font_codepoints(p) for p in self.fonts.faces().values()))
        self._extra: dict[str, CSS] = {}

    def uncovered_characters(self, text: str) -> str:
        covered = self._covered
        return "".join(dict.fromkeys(c for c in text if ord(c) not in covered and not c.isspace()))

    def _extra_stylesheet(self, missing: str) -> CSS | None:
        """A stylesheet adding a tiny font with just the `missing` characters (cached)."""
        from weasyprint import CSS

        available = source_coverage(self.fonts)
        chars = "".join(sorted(c for c in set(missing) if ord(c) in available))
        if unavailable := "".join(c for c in missing if c not in chars):
            logger.warning("No report font has the characters %r", unavailable)
        if not chars:
            return None
        if (sheet := self._extra.get(chars)) is None:
            family = extra_family(chars)
            faces = {style: build_extra_font(self.fonts, chars, style)
                     for style in self.fonts.faces() if style in self.fonts.sources}
            sheet = CSS(string=font_face_css(family, faces) + font_family_css(PRIMARY_FAMILY, family),
                        font_config=self.font_config, url_fetcher=self.url_fetcher)
            if len(self._extra) >= _EXTRA_KEPT:
                self._extra.pop(next(iter(self._extra)))
            self._extra[chars] = sheet
        return sheet

    def render(self, data: FeedbackData) -> bytes:
        from weasyprint import HTML

        html = render_html(data)
        stylesheets = [self.stylesheet]
        if missing := self.uncovered_characters(html):
            if extra := self._extra_stylesheet(missing):
                stylesheets.append(extra)
        document = HTML(string=html, url_fetcher=self.url_fetcher).render(
            font_config=self.font_config, stylesheets=stylesheets)
        return document.write_pdf()


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


def render_feedback(data: FeedbackData) -> bytes:
    return default_renderer().render(data)
