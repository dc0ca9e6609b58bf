"""Render award certificates (荣誉证书) to PDF with WeasyPrint.

Independent of the Django models: the input is a :class:`CertificateData`
record and the output is PDF bytes. Django is used only for its template
engine (``templates/certificates/``) and for ``settings.CERT_FONT_DIR``.

Speed comes from doing the expensive work once per :class:`CertificateRenderer`
(i.e. once per process) instead of once per certificate:

* one ``FontConfiguration`` whose ``@font-face`` fonts are registered once;
* the stylesheet parsed once into a ``weasyprint.CSS``;
* explicit GB 2312 subset fonts (see :mod:`.fonts`) instead of a 26 MB system
  collection chosen by fontconfig: loading, shaping and embedding are cheap,
  and a certificate weighs ~30-40 KB instead of ~220 KB;
* a URL fetcher restricted to ``file:`` and ``data:`` (no network, ever);
* batches are laid out once and serialized twice: each certificate to its own
  PDF, and all pages together into one print-ready PDF sharing one font
  subset (see :meth:`CertificateRenderer.issue`); ``workers > 1`` spreads the
  work over a process pool whose workers each build one renderer.

Rare characters (outside GB 2312, e.g. 堃, 喆) are detected against the subset
font's cmap before rendering. Only then is the second stylesheet with the
``CertSerifFallback`` faces (the complete Noto Serif CJK SC) added; the
font-family list ``CertSerif, CertSerifFallback`` makes Pango take those
glyphs from it, and WeasyPrint embeds only the glyphs actually used. This
keeps ordinary certificates free of the big font's cost, never leaves a
missing-glyph box, and needs no rebuild of the subset at run time.
"""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass
from datetime import date
from pathlib import Path

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from nominations.certificates.fonts import (
    FALLBACK_FAMILY,
    PRIMARY_FAMILY,
    FontSet,
    ensure_fonts,
    font_codepoints,
)

logger = logging.getLogger(__name__)

CERTIFICATE_TEMPLATE = "certificates/certificate.html"
STYLESHEET_TEMPLATE = "certificates/certificate.css"
ALLOWED_PROTOCOLS = frozenset({"file", "data"})
_FONT_WEIGHTS = {"regular": "normal", "bold": "bold"}
_HANZI_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate."""

    number: str
    holder: str
    title: str
    award_name: str
    cycle_label: str
    category_name: str
    issuer: str
    issued_on: date
    verify_url: str

    def printed_text(self) -> str:
        """Return all text fields (used to check font coverage)."""
        return "".join(str(value) for value in astuple(self) if isinstance(value, str))


@dataclass(frozen=True)
class CertificateBatch:
    """Result of :meth:`CertificateRenderer.issue`."""

    pdfs: list[bytes]
    combined: bytes


# --------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------

def _hanzi_number(value: int) -> str:
    """Return 1..31 in Chinese numerals: 9 -> 九, 10 -> 十, 15 -> 十五, 21 -> 二十一."""
    tens, units = divmod(value, 10)
    if tens == 0:
        return _HANZI_DIGITS[units]
    prefix = ("" if tens == 1 else _HANZI_DIGITS[tens]) + "十"
    return prefix + (_HANZI_DIGITS[units] if units else "")


def chinese_date(value: date, *, numerals: str = "hanzi") -> str:
    """Format a date as on official documents.

    ``numerals="hanzi"`` gives 二〇一八年九月十五日; ``"arabic"`` gives 2018年9月15日.
    """
    if numerals == "arabic":
        return f"{value.year}年{value.month}月{value.day}日"
    year = "".join(_HANZI_DIGITS[int(digit)] for digit in str(value.year))
    return f"{year}年{_hanzi_number(value.month)}月{_hanzi_number(value.day)}日"


def qr_svg(url: str, *, dark: str = "#2b2118") -> SafeString:
    """Return an inline ``<svg>`` QR code (one path, sized by CSS) encoding ``url``."""
    code = segno.make_qr(url, error="m")
    return mark_safe(code.svg_inline(scale=1, border=0, omitsize=True, dark=dark))


def certificate_context(data: CertificateData) -> dict[str, object]:
    """Return the template context for one certificate (strings are autoescaped)."""
    return {
        "number": data.number,
        "holder": data.holder,
        "title": data.title,
        "award_name": data.award_name,
        "cycle_label": data.cycle_label,
        "category_name": data.category_name,
        "issuer": data.issuer,
        "issued_on": data.issued_on,
        "issued_on_text": chinese_date(data.issued_on),
        "verify_url": data.verify_url,
        "qr_svg": qr_svg(data.verify_url),
    }


def render_html(data: CertificateData) -> str:
    """Render the certificate HTML with Django's template engine."""
    return render_to_string(CERTIFICATE_TEMPLATE, certificate_context(data))


def font_face_css(fonts: FontSet, family: str) -> str:
    """Return ``@font-face`` rules pointing at the built font files (``file://``)."""
    rules = []
    for style, path in fonts.faces(family).items():
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{path.resolve().as_uri()}");'
            f" font-weight: {_FONT_WEIGHTS[style]}; font-style: normal; }}"
        )
    return "\n".join(rules) + "\n"


def merge_pdfs(pdfs: Iterable[bytes]) -> bytes:
    """Concatenate PDFs with pypdf (for PDFs that were rendered elsewhere)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# Renderer
# --------------------------------------------------------------------------

class CertificateRenderer:
    """Reusable certificate renderer; build one per process and keep it.

    Not thread-safe (WeasyPrint's font configuration is not): use one
    renderer per thread, or ``workers`` for parallelism.
    """

    def __init__(self, fonts: FontSet | None = None) -> None:
        """Resolve the fonts and prepare the font configuration and stylesheet."""
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fonts = fonts if fonts is not None else ensure_fonts()
        self.font_config = FontConfiguration()
        self.url_fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS)
        css = font_face_css(self.fonts, PRIMARY_FAMILY) + render_to_string(STYLESHEET_TEMPLATE)
        self.stylesheet = CSS(string=css, font_config=self.font_config,
                              url_fetcher=self.url_fetcher)
        self._fallback_stylesheet: object | None = None
        self._covered = self._primary_coverage()

    # ---- fonts -----------------------------------------------------------

    def _primary_coverage(self) -> frozenset[int]:
        """Return the code points present in every primary subset face."""
        faces = self.fonts.faces(PRIMARY_FAMILY).values()
        return frozenset.intersection(*(font_codepoints(path) for path in faces))

    def uncovered_characters(self, data: CertificateData) -> str:
        """Return the characters of ``data`` that the subset font lacks."""
        covered = self._covered
        text = data.printed_text()
        return "".join(dict.fromkeys(c for c in text if ord(c) not in covered and not c.isspace()))

    def _fallback(self) -> object:
        """Return the fallback ``@font-face`` stylesheet, registering it on first use."""
        if self._fallback_stylesheet is None:
            from weasyprint import CSS

            logger.debug("Registering certificate fallback font %s", self.fonts.fallback_regular)
            self._fallback_stylesheet = CSS(
                string=font_face_css(self.fonts, FALLBACK_FAMILY),
                font_config=self.font_config, url_fetcher=self.url_fetcher)
        return self._fallback_stylesheet

    def stylesheets_for(self, data: CertificateData) -> list[object]:
        """Return the stylesheets needed by ``data`` (fallback only if required)."""
        if self.uncovered_characters(data):
            return [self.stylesheet, self._fallback()]
        return [self.stylesheet]

    # ---- rendering -------------------------------------------------------

    def document(self, data: CertificateData):  # -> weasyprint.document.Document
        """Lay out one certificate (one A4 landscape page)."""
        from weasyprint import HTML

        html = HTML(string=render_html(data), url_fetcher=self.url_fetcher)
        document = html.render(font_config=self.font_config,
                               stylesheets=self.stylesheets_for(data))
        if len(document.pages) != 1:
            logger.warning("Certificate %s overflows to %d pages",
                           data.number, len(document.pages))
        return document

    def render(self, data: CertificateData) -> bytes:
        """Render one certificate to PDF bytes."""
        return self.document(data).write_pdf()

    def render_many(
        self, datas: Sequence[CertificateData], *, workers: int = 1
    ) -> list[bytes]:
        """Render certificates individually, in order; ``workers > 1`` uses processes."""
        if workers > 1 and len(datas) > 1:
            return _pool_render(datas, workers, self.fonts)
        return [self.render(data) for data in datas]

    def combine(self, items: Sequence[CertificateData] | Sequence[bytes]) -> bytes:
        """Return one print-ready PDF, one certificate per page.

        Given :class:`CertificateData`, all certificates are laid out and
        written as a single WeasyPrint document (one shared font subset, the
        fast path). Given PDF bytes, they are concatenated with pypdf.
        """
        if items and isinstance(items[0], (bytes, bytearray)):
            return merge_pdfs(items)  # type: ignore[arg-type]
        documents = [self.document(data) for data in items]  # type: ignore[arg-type]
        return _combine_documents(documents)

    def issue(
        self, datas: Sequence[CertificateData], *, workers: int = 1
    ) -> CertificateBatch:
        """Render each certificate to its own PDF plus one combined PDF.

        In one process every certificate is laid out once and serialized
        twice (alone, and within the combined document). With ``workers > 1``
        the pool renders the individual PDFs and the combined one is split
        into chunks rendered in parallel too, then concatenated.
        """
        if not datas:
            return CertificateBatch(pdfs=[], combined=b"")
        if workers > 1 and len(datas) > 1:
            return _pool_issue(datas, workers, self.fonts)
        documents = [self.document(data) for data in datas]
        pdfs = [document.write_pdf() for document in documents]
        return CertificateBatch(pdfs=pdfs, combined=_combine_documents(documents))


def _combine_documents(documents: Sequence) -> bytes:
    """Write the pages of several laid-out documents as one PDF."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_certificate(data: CertificateData) -> bytes:
    """Render one certificate with a process-wide cached renderer."""
    return default_renderer().render(data)


_DEFAULT_RENDERER: CertificateRenderer | None = None


def default_renderer() -> CertificateRenderer:
    """Return the process-wide renderer, creating it on first use."""
    global _DEFAULT_RENDERER
    if _DEFAULT_RENDERER is None:
        _DEFAULT_RENDERER = CertificateRenderer()
    return _DEFAULT_RENDERER


# --------------------------------------------------------------------------
# Process pool
# --------------------------------------------------------------------------

_WORKER_RENDERER: CertificateRenderer | None = None


def _init_worker(fonts: FontSet) -> None:
    """Pool initializer: build one renderer per worker process."""
    global _WORKER_RENDERER
    import django
    from django.apps import apps

    if not apps.ready and os.environ.get("DJANGO_SETTINGS_MODULE"):
        django.setup()
    _WORKER_RENDERER = CertificateRenderer(fonts)


def _worker_render(data: CertificateData) -> bytes:
    """Render one certificate in a worker."""
    assert _WORKER_RENDERER is not None
    return _WORKER_RENDERER.render(data)


def _worker_issue(chunk: Sequence[CertificateData]) -> tuple[list[bytes], bytes]:
    """Issue a chunk in a worker: individual PDFs and their combined PDF."""
    assert _WORKER_RENDERER is not None
    batch = _WORKER_RENDERER.issue(chunk)
    return batch.pdfs, batch.combined


def _executor(workers: int, fonts: FontSet) -> ProcessPoolExecutor:
    """Create a pool; ``fork`` keeps Django settings and imports of the parent."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context(method),
        initializer=_init_worker, initargs=(fonts,))


def _chunks(datas: Sequence[CertificateData], count: int) -> list[Sequence[CertificateData]]:
    """Split ``datas`` into ``count`` contiguous, nearly equal chunks."""
    size, extra = divmod(len(datas), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            chunks.append(datas[start:end])
        start = end
    return chunks


def _pool_render(datas: Sequence[CertificateData], workers: int, fonts: FontSet) -> list[bytes]:
    """Render individual certificates in a process pool."""
    with _executor(workers, fonts) as pool:
        return list(pool.map(_worker_render, datas, chunksize=max(1, len(datas) // (workers * 4))))


def _pool_issue(datas: Sequence[CertificateData], workers: int, fonts: FontSet) -> CertificateBatch:
    """Issue a batch in a process pool: each worker issues a contiguous chunk."""
    with _executor(workers, fonts) as pool:
        results = list(pool.map(_worker_issue, _chunks(datas, workers)))
    pdfs = [pdf for chunk_pdfs, _ in results for pdf in chunk_pdfs]
    combined_parts = [combined for _, combined in results]
    combined = combined_parts[0] if len(combined_parts) == 1 else merge_pdfs(combined_parts)
    return CertificateBatch(pdfs=pdfs, combined=combined)


__all__ = [
    "CertificateBatch",
    "CertificateData",
    "CertificateRenderer",
    "chinese_date",
    "default_renderer",
    "merge_pdfs",
    "qr_svg",
    "render_certificate",
    "render_html",
]

