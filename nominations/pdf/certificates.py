"""Render award certificates (荣誉证书) to PDF with WeasyPrint.

Independent of the Django models: the input is a :class:`CertificateData`
record, the output is PDF bytes. Django provides only the template engine
(``templates/certificates/``) and ``settings.CERT_FONT_DIR``.

Speed comes from doing the expensive work once per :class:`CertificateRenderer`
(keep one per process) instead of once per certificate:

* one WeasyPrint ``FontConfiguration``, whose ``@font-face`` fonts are
  registered once, and one pre-parsed ``weasyprint.CSS`` stylesheet;
* explicit GB 2312 subset fonts (see :mod:`.fonts`) instead of a 26 MB system
  collection picked by fontconfig, with TrueType outlines so that embedding
  is quick and a certificate weighs ~25 KB instead of ~250 KB;
* the static decoration is one SVG page background, parsed once and cached;
* the QR code (segno) is a one-pixel-per-module PNG drawn without
  interpolation: as sharp as vector, ~20x cheaper to draw than an SVG path
  (``qr_format="svg"`` gives the inline-SVG variant);
* a batch is laid out as ONE document, one certificate per page; the combined
  print file is that document, drawn once, and each individual PDF is cut out
  of it (its page's content copied, fonts cut to the page's glyphs; see
  :mod:`.split`), so layout and drawing happen once per certificate;
* ``workers > 1`` spreads a batch over processes: the calling process renders
  one part while forked pool workers, which inherit its warm renderer through
  the pool initializer, render the others;
* the URL fetcher accepts only ``file:`` and ``data:`` URLs: no network.

Rare characters outside GB 2312 (e.g. 堃, 喆) are detected against the subset
fonts' cmaps before rendering. For each distinct set of them, a tiny extra
font with just those glyphs is cut from the same source face (see
:func:`.fonts.build_extra_font`) and a small stylesheet registers it and puts
it second in the font-family list. The certificate stays ~25 KB and as fast as
any other, never shows a missing-glyph box, and the subset is never rebuilt at
run time. The system "Noto Serif CJK SC" family, last in the list, is only a
last resort for characters that even the source face lacks.
"""
from __future__ import annotations

import base64
import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import segno
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from nominations.pdf.base import (  # noqa: F401  (merge_pdfs is part of this module's API)
    PdfRenderer,
    font_face_css,
    font_family_css,
    merge_pdfs,
    quiet_gc,
    write_with_pages,
)
from nominations.pdf.fonts import PRIMARY_FAMILY, FontSet
from nominations.text import bracketed, quoted

if TYPE_CHECKING:
    from weasyprint.document import Document

logger = logging.getLogger(__name__)

CERTIFICATE_TEMPLATE = "certificates/certificate.html"
STYLESHEET_TEMPLATE = "certificates/certificate.css"
ORNAMENT_TEMPLATE = "certificates/ornament.svg"
# Pages laid out per WeasyPrint document: bounds memory for large batches.
LAYOUT_CHUNK = 100
QR_DARK = "#2b2118"
# A fixed data mask (any of the eight is valid, ISO/IEC 18004 §7.8): segno otherwise
# applies and scores all eight in Python, ~5 ms per certificate, most of the HTML's cost.
# Mask 2 is the one segno picks most often for verification URLs; tests decode the codes.
QR_MASK = 2
# Last resort after the explicit fonts (fontconfig resolves it only for glyphs
# that neither the subset nor the extra font has).
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
    # Printed under the QR code with the number: the first characters of the verification
    # code, so that a person holding the paper can check it at /verify/ without scanning.
    check_code: str = ""

    def printed_text(self) -> str:
        """Return all text fields (used to check font coverage)."""
        return "".join(value for value in astuple(self) if isinstance(value, str))


@dataclass(frozen=True)
class CertificateBatch:
    """Result of :meth:`CertificateRenderer.issue`: one PDF each, plus all in one."""

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


def qr_svg(url: str, *, dark: str = QR_DARK) -> SafeString:
    """Return the QR code of ``url`` as an inline ``<svg>`` (one path, sized by CSS)."""
    code = segno.make_qr(url, error="m", mask=QR_MASK)
    return mark_safe(code.svg_inline(scale=1, border=0, omitsize=True, dark=dark))


def qr_img(url: str, *, dark: str = QR_DARK) -> SafeString:
    """Return the QR code of ``url`` as an ``<img>`` with a one-pixel-per-module PNG.

    The stylesheet sets ``image-rendering: pixelated``, which WeasyPrint writes
    as ``/Interpolate false``: viewers and printers scale the modules with
    nearest-neighbour sampling, so the code stays perfectly sharp at any size
    (the image is ~200 bytes). Drawing it costs ~0.5 ms, against ~9 ms for
    WeasyPrint to parse and draw the ~580-command SVG path of the same code,
    and every certificate is drawn twice (alone and in the combined file).
    """
    code = segno.make_qr(url, error="m", mask=QR_MASK)
    uri = code.png_data_uri(scale=1, border=0, dark=dark, light="#ffffff")
    return format_html('<img src="{}" alt="扫码验证">', uri)


QR_FORMATS = {"png": qr_img, "svg": qr_svg}


def density_class(data: CertificateData) -> str:
    """Return ``""``, ``"long"`` or ``"xlong"``: smaller type for long names and titles.

    Keeps every certificate on its single page without overlapping the footer.
    """
    holder, title = len(data.holder), len(data.title)
    # A line holds ~22 holder characters at 25pt (27 at 21pt) and ~31 body
    # characters at 18pt (35 at 16pt, 40 at 14pt); the title line adds 以“”.
    if holder > 44 or title > 32:
        return "xlong"
    if holder > 22 or title > 28:
        return "long"
    return ""


def issuer_class(issuer: str) -> str:
    """``""`` or ``"long"``: the issuer is printed on one line (never 上海市经济和信息化委员 / 会);
    names over 11 characters get smaller type to fit the block."""
    return "long" if len(issuer) > 11 else ""


def certificate_context(data: CertificateData, *, qr_format: str = "png") -> dict[str, object]:
    """Return the template variables of one certificate (autoescaped by Django).

    ``qr`` is the QR code markup: ``"png"`` (default, fast) or ``"svg"``, both
    generated by segno; either way it encodes ``data.verify_url``.
    """
    return {
        "number": data.number,
        "holder": data.holder,
        "title": data.title,
        "quoted_title": quoted(data.title) if data.title else "",
        "award_name": data.award_name,
        "cycle_label": data.cycle_label,
        "category_name": data.category_name,
        "bracketed_category": bracketed(data.category_name),
        "issuer": data.issuer,
        "issued_on": data.issued_on,
        "issued_on_text": chinese_date(data.issued_on),
        "verify_url": data.verify_url,
        "qr": QR_FORMATS[qr_format](data.verify_url),
        "density": density_class(data),
        "check_code": data.check_code,
        "issuer_class": issuer_class(data.issuer),
    }


def document_title(datas: Sequence[CertificateData]) -> str:
    """Return the PDF title: 荣誉证书 + number (or the number range of a batch)."""
    if len(datas) == 1:
        return f"荣誉证书 {datas[0].number}"
    return f"荣誉证书 {datas[0].number} – {datas[-1].number}（共{len(datas)}份）"


def render_html(
    datas: CertificateData | Sequence[CertificateData], *, qr_format: str = "png"
) -> str:
    """Render the HTML of one certificate, or of a batch (one sheet per page)."""
    if isinstance(datas, CertificateData):
        datas = [datas]
    context = {
        "title": document_title(datas),
        "certificates": [certificate_context(data, qr_format=qr_format) for data in datas],
    }
    return render_to_string(CERTIFICATE_TEMPLATE, context)


def ornament_data_url() -> str:
    """Return the page decoration SVG (a template) as a base64 ``data:`` URL."""
    svg = render_to_string(ORNAMENT_TEMPLATE)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def stylesheet_text(fonts: FontSet) -> str:
    """Return the whole stylesheet: ``@font-face`` rules, certificate.css, font list."""
    layout = render_to_string(STYLESHEET_TEMPLATE, {"ornament_url": ornament_data_url()})
    return (font_face_css(PRIMARY_FAMILY, fonts.faces()) + layout
            + font_family_css(PRIMARY_FAMILY))


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Split ``items`` into consecutive chunks of at most ``size`` items."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def _split(items: Sequence[Any], count: int) -> list[Sequence[Any]]:
    """Split ``items`` into at most ``count`` consecutive, nearly equal parts."""
    size, extra = divmod(len(items), count)
    parts, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            parts.append(items[start:end])
        start = end
    return parts


# --------------------------------------------------------------------------
# Renderer
# --------------------------------------------------------------------------

class CertificateRenderer(PdfRenderer):
    """Reusable certificate renderer: build one per process and keep it.

    Not thread-safe (WeasyPrint's font configuration is not): use one
    renderer per thread, or ``workers`` for parallelism.
    """

    def __init__(self, fonts: FontSet | None = None, *, qr_format: str = "png") -> None:
        """Resolve the fonts, register them, and parse the stylesheet once.

        ``qr_format`` is ``"png"`` (default; see :func:`qr_img`) or ``"svg"``.
        """
        if qr_format not in QR_FORMATS:
            raise ValueError(f"qr_format must be one of {sorted(QR_FORMATS)}")
        self.qr_format = qr_format
        super().__init__(fonts)

    def stylesheet_text(self, fonts: FontSet) -> str:
        return stylesheet_text(fonts)

    # ---- layout and writing ---------------------------------------------

    def layout(self, datas: Sequence[CertificateData]) -> Document:
        """Lay out certificates as one WeasyPrint document, one page each."""
        if not datas:
            raise ValueError("No certificate to lay out")
        document = self.layout_html(render_html(datas, qr_format=self.qr_format),
                                    text="".join(data.printed_text() for data in datas))
        if len(document.pages) != len(datas):
            raise RuntimeError(
                f"{len(datas)} certificates laid out on {len(document.pages)} pages: "
                "a certificate overflows its page")
        return document

    def _layouts(self, datas: Sequence[CertificateData]) -> list[Document]:
        """Lay out a batch in documents of at most ``LAYOUT_CHUNK`` pages."""
        return [self.layout(chunk) for chunk in _chunks(datas, LAYOUT_CHUNK)]

    @staticmethod
    def _write_both(
        documents: Sequence[Document], datas: Sequence[CertificateData]
    ) -> tuple[list[bytes], bytes]:
        """Draw each laid-out chunk once: ``(individual PDFs, combined PDF)``. The chunk's
        PDF is part of the combined file and is cut into the individual PDFs
        (:func:`nominations.pdf.base.write_with_pages`)."""
        pdfs: list[bytes] = []
        wholes: list[bytes] = []
        for document, chunk in zip(documents, _chunks(datas, LAYOUT_CHUNK)):
            whole, pages = write_with_pages(document, [document_title([data]) for data in chunk])
            wholes.append(whole)
            pdfs += pages
        combined = wholes[0] if len(wholes) == 1 else merge_pdfs(wholes, title=document_title(datas))
        return pdfs, combined

    @staticmethod
    def _write_all(documents: Sequence[Document]) -> bytes:
        """Write every page of several laid-out documents as one PDF."""
        if len(documents) == 1:
            return documents[0].write_pdf()
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf()

    # ---- public API -------------------------------------------------------

    def render(self, data: CertificateData) -> bytes:
        """Render one certificate to PDF bytes."""
        return self.layout([data]).write_pdf()

    def render_many(
        self, datas: Sequence[CertificateData], *, workers: int = 1
    ) -> list[bytes]:
        """Render certificates to individual PDFs, in order (``workers`` processes)."""
        if not datas:
            return []
        with quiet_gc():
            if _can_fork_workers(workers, datas):
                return _pool_issue(datas, workers, self, combined=False).pdfs
            return self._write_both(self._layouts(datas), datas)[0]

    def combine(self, items: Sequence[CertificateData] | Sequence[bytes]) -> bytes:
        """Return one print-ready PDF holding one certificate per page.

        Given :class:`CertificateData`, the certificates are rendered as one
        WeasyPrint document (one shared font subset; the fast path). Given
        PDF bytes (e.g. stored certificates), they are concatenated with pypdf.
        """
        if not items:
            raise ValueError("Nothing to combine")
        if isinstance(items[0], (bytes, bytearray)):
            return merge_pdfs(items)  # type: ignore[arg-type]
        return self._write_all(self._layouts(items))  # type: ignore[arg-type]

    def issue(
        self, datas: Sequence[CertificateData], *, workers: int = 1
    ) -> CertificateBatch:
        """Render each certificate to its own PDF, plus one combined PDF.

        Every certificate is laid out and drawn once, as a page of the combined
        document; its own PDF is cut out of that document's PDF. With ``workers > 1``, each worker issues
        a contiguous part of the batch and the parts' combined PDFs are
        concatenated.
        """
        if not datas:
            return CertificateBatch(pdfs=[], combined=b"")
        with quiet_gc():  # the warm heap out of the collector's way (and of forked workers')
            if _can_fork_workers(workers, datas):
                return _pool_issue(datas, workers, self, combined=True)
            pdfs, combined = self._write_both(self._layouts(datas), datas)
        return CertificateBatch(pdfs=pdfs, combined=combined)


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

# Set in the parent just before forking, so that forked workers adopt its
# renderer (already warm: fonts registered, stylesheet parsed, caches full).
_PARENT_RENDERER: CertificateRenderer | None = None
_WORKER_RENDERER: CertificateRenderer | None = None


def _can_fork_workers(workers: int, datas: Sequence[CertificateData]) -> bool:
    """Return whether a batch should use worker processes (daemons cannot have any)."""
    return workers > 1 and len(datas) > 1 and not multiprocessing.current_process().daemon


def _init_worker(fonts: FontSet) -> None:
    """Pool initializer: adopt the forked parent's renderer, or build one.

    With the ``fork`` start method the worker inherits the parent's renderer
    (the parent process is single-threaded while it renders, and workers exit
    with ``os._exit``, so the shared temporary font files are never removed
    by a worker). With ``spawn``/``forkserver`` a renderer is built here, once.
    """
    global _WORKER_RENDERER
    if _PARENT_RENDERER is not None:
        _WORKER_RENDERER = _PARENT_RENDERER
        return
    import django
    from django.apps import apps

    if not apps.ready and os.environ.get("DJANGO_SETTINGS_MODULE"):
        django.setup()
    _WORKER_RENDERER = CertificateRenderer(fonts)


def _issue_part(
    renderer: CertificateRenderer, datas: Sequence[CertificateData], combined: bool
) -> tuple[list[bytes], bytes]:
    """Issue part of a batch: individual PDFs and (optionally) the part's combined PDF."""
    pdfs, whole = renderer._write_both(renderer._layouts(datas), datas)
    return pdfs, (whole if combined else b"")


def _worker_issue(datas: Sequence[CertificateData], combined: bool) -> tuple[list[bytes], bytes]:
    """Issue part of a batch in a worker process."""
    assert _WORKER_RENDERER is not None, "worker not initialized"
    return _issue_part(_WORKER_RENDERER, datas, combined)


def _pool_issue(
    datas: Sequence[CertificateData], workers: int, renderer: CertificateRenderer,
    *, combined: bool,
) -> CertificateBatch:
    """Issue a batch with ``workers`` processes: this one plus ``workers - 1`` workers.

    The batch is split into contiguous parts; the calling process renders the
    first part itself while pool workers render the others, so no core idles
    and no worker needs warming up. The parts' combined PDFs are concatenated.
    """
    global _PARENT_RENDERER
    parts = _split(list(datas), workers)
    # Forking is only safe while this process runs a single thread (e.g. a
    # management command or task worker); otherwise workers build renderers.
    use_fork = "fork" in multiprocessing.get_all_start_methods() and (
        threading.active_count() == 1)
    context = multiprocessing.get_context("fork" if use_fork else "spawn")
    _PARENT_RENDERER = renderer if use_fork else None
    try:
        with ProcessPoolExecutor(max_workers=len(parts) - 1, mp_context=context,
                                 initializer=_init_worker, initargs=(renderer.fonts,)) as pool:
            futures = [pool.submit(_worker_issue, part, combined) for part in parts[1:]]
            results = [_issue_part(renderer, parts[0], combined)]
            results += [future.result() for future in futures]
    finally:
        _PARENT_RENDERER = None
    pdfs = [pdf for part_pdfs, _ in results for pdf in part_pdfs]
    if not combined:
        return CertificateBatch(pdfs=pdfs, combined=b"")
    combined_parts = [part for _, part in results]
    merged = (combined_parts[0] if len(combined_parts) == 1
              else merge_pdfs(combined_parts, title=document_title(datas)))
    return CertificateBatch(pdfs=pdfs, combined=merged)


__all__ = [
    "CertificateBatch",
    "CertificateData",
    "CertificateRenderer",
    "chinese_date",
    "default_renderer",
    "merge_pdfs",
    "qr_img",
    "qr_svg",
    "render_html",
]
