"""The PDF base shared by certificates (nominations) and feedback reports (judging).

One place for what both documents need from WeasyPrint:

* the fonts: explicit GB 2312 subset files (:mod:`nominations.pdf.fonts`) referenced by
  ``@font-face`` (never a family picked by fontconfig), a tiny extra font cut on demand
  for rare characters outside the subset, the system Noto Serif CJK SC only as the last
  resort;
* a renderer that registers the fonts and parses the stylesheet once
  (:class:`PdfRenderer`: one per process or thread — WeasyPrint's font configuration is
  not thread-safe) and writes HTML to PDF bytes;
* a URL fetcher limited to ``file:`` and ``data:`` URLs (no network);
* :func:`merge_pdfs` for PDFs rendered in other processes;
* :func:`write_with_pages`: a laid-out document drawn once, written whole and cut into
  one standalone PDF per page.
"""
from __future__ import annotations

import copy
import gc
import io
import logging
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nominations.pdf.fonts import (
    PRIMARY_FAMILY,
    FontSet,
    build_extra_font,
    ensure_fonts,
    extra_family,
    font_codepoints,
    source_coverage,
)

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document

logger = logging.getLogger(__name__)

ALLOWED_PROTOCOLS = frozenset({"file", "data"})
LAST_RESORT_FAMILIES = '"Noto Serif CJK SC", serif'
_FONT_WEIGHTS = {"regular": "normal", "bold": "bold"}


def font_face_css(family: str, faces: dict[str, Path]) -> str:
    """Return ``@font-face`` rules for ``faces`` (style -> path), as ``file://`` URLs."""
    rules = []
    for style, path in faces.items():
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{path.resolve().as_uri()}");'
            f" font-weight: {_FONT_WEIGHTS[style]}; font-style: normal; }}"
        )
    return "\n".join(rules) + "\n"


def font_family_css(*families: str) -> str:
    """Return the rule giving the document its font-family list."""
    names = ", ".join(f'"{family}"' for family in families)
    return f"html body {{ font-family: {names}, {LAST_RESORT_FAMILIES}; }}\n"


# Garbage collection while rendering (see quiet_gc).
RENDER_GC_THRESHOLD = 20_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[tuple[int, int, int], bool] | None = None


@contextmanager
def quiet_gc():
    """Render a batch with the warm heap frozen and fewer young-generation collections.

    A warm renderer's process holds ~200,000 objects (Django, fonts, caches) that every full
    collection walks, and WeasyPrint allocates millions of short-lived objects while laying
    out and drawing: the collector was ~20 % of a batch's CPU. gc.freeze() moves the objects
    that exist now out of the collector's sight (what the batch allocates is still collected)
    and a larger first threshold makes young collections rarer. Forked workers inherit the
    frozen heap, so their collections neither walk it nor copy its pages. Nested and
    concurrent uses share one setting: the first in applies it, the last out restores it; a
    heap someone else froze (e.g. a pre-forking server) is left as it is."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            freeze = gc.get_freeze_count() == 0
            _gc_saved = (gc.get_threshold(), freeze)
            if freeze:
                gc.freeze()
            first, *rest = gc.get_threshold()
            gc.set_threshold(max(first, RENDER_GC_THRESHOLD), *rest)
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                thresholds, froze = _gc_saved
                gc.set_threshold(*thresholds)
                if froze:
                    gc.unfreeze()
                _gc_saved = None


def merge_pdfs(pdfs: Iterable[bytes], *, title: str | None = None) -> bytes:
    """Concatenate PDFs: objects copied as they are (:func:`nominations.pdf.split.merge_pages`),
    or with pypdf when a source is not plain enough for that (``add_page`` is ~4x faster than
    ``append`` here: these documents have no outlines or forms to carry over)."""
    from pypdf import PdfReader, PdfWriter

    from nominations.pdf.split import SplitUnsupported, merge_pages

    pdfs = list(pdfs)
    try:
        return merge_pages(pdfs, title=title)
    except SplitUnsupported:
        pass
    writer = PdfWriter()
    for pdf in pdfs:
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_page(document: Document, index: int, title: str) -> bytes:
    """Draw page ``index`` of a laid-out document again, as a standalone PDF titled ``title``."""
    single = document.copy([document.pages[index]])
    single.metadata = copy.copy(document.metadata)
    single.metadata.title = title
    return single.write_pdf()


def write_with_pages(document: Document, titles: Sequence[str]) -> tuple[bytes, list[bytes]]:
    """Draw a laid-out document once: ``(its PDF, each page as a standalone PDF)``.

    The pages are cut out of the written PDF (:func:`nominations.pdf.split.split_pages`:
    content copied, fonts cut to each page's glyphs), not drawn again; a PDF the splitter
    does not understand has its pages drawn one by one instead (:func:`write_page`).
    """
    from nominations.pdf.split import SplitUnsupported, split_pages

    whole = document.write_pdf()
    try:
        return whole, split_pages(whole, titles)
    except SplitUnsupported as exc:
        logger.warning("Drawing each page again: cannot split the PDF (%s)", exc)
        return whole, [write_page(document, index, title) for index, title in enumerate(titles)]


class PdfRenderer:
    """Fonts registered and stylesheet parsed once; HTML in, PDF bytes out.

    Subclasses give :meth:`stylesheet_text` (their layout CSS around the font rules).
    """

    extra_kept = 64  # extra-glyph stylesheets kept, by character set

    def __init__(self, fonts: FontSet | None = None) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fonts = fonts if fonts is not None else ensure_fonts()
        self.font_config = FontConfiguration()
        self.url_fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
        self.stylesheet = CSS(string=self.stylesheet_text(self.fonts), font_config=self.font_config,
                              url_fetcher=self.url_fetcher)
        self._extra: dict[str, CSS] = {}
        # Shared image cache: decorations are parsed once, not per render.
        self._image_cache: dict[str, Any] = {}
        self._covered = frozenset.intersection(*(font_codepoints(p) for p in self.fonts.faces().values()))

    def stylesheet_text(self, fonts: FontSet) -> str:
        raise NotImplementedError

    # ---- fonts -----------------------------------------------------------
    def uncovered_characters(self, text: str) -> str:
        """The distinct printed characters of `text` that the subset fonts lack."""
        covered = self._covered
        return "".join(dict.fromkeys(c for c in text if ord(c) not in covered and not c.isspace()))

    def _extra_stylesheet(self, missing: str) -> CSS | None:
        """A stylesheet adding a tiny font with just the `missing` characters (cached)."""
        from weasyprint import CSS

        available = source_coverage(self.fonts)
        chars = "".join(sorted(c for c in set(missing) if ord(c) in available))
        if unavailable := "".join(c for c in missing if c not in chars):
            logger.warning("No PDF font has the characters %r", unavailable)
        if not chars:
            return None
        if (sheet := self._extra.get(chars)) is None:
            family = extra_family(chars)
            faces = {style: build_extra_font(self.fonts, chars, style)
                     for style in self.fonts.faces() if style in self.fonts.sources}
            sheet = CSS(string=font_face_css(family, faces) + font_family_css(PRIMARY_FAMILY, family),
                        font_config=self.font_config, url_fetcher=self.url_fetcher)
            if len(self._extra) >= self.extra_kept:
                self._extra.pop(next(iter(self._extra)))
            self._extra[chars] = sheet
        return sheet

    def stylesheets_for(self, text: str) -> list[CSS]:
        """The base stylesheet, plus an extra-glyph one when `text` needs it."""
        if missing := self.uncovered_characters(text):
            if extra := self._extra_stylesheet(missing):
                return [self.stylesheet, extra]
        return [self.stylesheet]

    # ---- layout and writing ---------------------------------------------
    def layout_html(self, html: str, *, text: str | None = None) -> Document:
        """Lay out `html`; `text` (default: the HTML) decides which extra glyphs are needed."""
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=self.url_fetcher).render(
            font_config=self.font_config, cache=self._image_cache,
            stylesheets=self.stylesheets_for(html if text is None else text))

    def write_html(self, html: str) -> bytes:
        return self.layout_html(html).write_pdf()
