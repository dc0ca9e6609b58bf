"""Individual certificates cut out of the batch's combined PDF (nominations.pdf.split).

A batch is drawn once; each individual PDF is the combined file's page with only the
resources and glyphs it uses. These tests read the PDFs back with pypdf and poppler,
compare each page's pixels with the same page drawn alone by WeasyPrint, decode the QR
code and check the fallback for PDFs the splitter does not understand.
"""
from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from nominations.pdf.base import write_page, write_with_pages
from nominations.pdf.certificates import CertificateRenderer, document_title
from nominations.pdf.split import SplitUnsupported, split_pages
from tests.certificates.test_render import RARE, SAMPLE

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")

DATAS = [
    SAMPLE,
    dataclasses.replace(SAMPLE, number="QGA-2018-011", title="", holder="上海申通地铁集团有限公司",
                        verify_url="https://zlj.sh.gov.cn/awards/verify/QGA-2018-011?c=0a1b2c3d"),
    RARE,
]


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer()


@pytest.fixture(scope="module")
def batch(renderer: CertificateRenderer):
    return renderer.issue(DATAS)


def poppler_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pixels(pdf: bytes, tmp_path: Path, name: str, dpi: int = 100):
    from PIL import Image

    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def font_programs(pdf: bytes) -> dict[str, TTFont | None]:
    """BaseFont -> the embedded TrueType program (None for other kinds)."""
    reader = PdfReader(io.BytesIO(pdf))
    programs = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor.get("/FontFile2")
        programs[str(font["/BaseFont"])] = (TTFont(io.BytesIO(program.get_object().get_data()))
                                            if program is not None else None)
    return programs


def test_each_pdf_is_one_small_page_with_its_own_title(batch) -> None:
    assert len(PdfReader(io.BytesIO(batch.combined)).pages) == len(DATAS)
    for data, pdf in zip(DATAS, batch.pdfs):
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        assert reader.metadata.title == document_title([data])
        assert [item.title for item in reader.outline] == ["荣誉证书"]
        assert len(pdf) <= 30 * 1024


@needs_poppler
def test_text_is_extractable(batch, tmp_path: Path) -> None:
    for data, pdf in zip(DATAS, batch.pdfs):
        text = poppler_text(pdf, tmp_path)
        assert data.holder in text
        assert data.number in text
        for other in DATAS:
            if other is not data:
                assert other.number not in text


def test_fonts_hold_only_the_pages_glyphs(batch) -> None:
    combined = font_programs(batch.combined)
    for pdf in batch.pdfs:
        for name, program in font_programs(pdf).items():
            if program is None:
                continue  # the rare characters' CFF font is copied whole (a few glyphs)
            glyphs = program["maxp"].numGlyphs
            assert glyphs < 120 < combined[name]["maxp"].numGlyphs
            assert program["loca"] is not None and len(program["hmtx"].metrics) == glyphs


@needs_poppler
def test_pages_look_exactly_as_drawn_alone(renderer: CertificateRenderer, batch, tmp_path: Path) -> None:
    from PIL import ImageChops

    document = renderer.layout(DATAS)
    for index, (data, pdf) in enumerate(zip(DATAS, batch.pdfs)):
        alone = write_page(document, index, document_title([data]))
        difference = ImageChops.difference(pixels(pdf, tmp_path, f"cut{index}"),
                                           pixels(alone, tmp_path, f"alone{index}"))
        assert difference.getbbox() is None, f"page {index} differs in {difference.getbbox()}"


@needs_poppler
def test_qr_codes_decode(batch, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    for index, (data, pdf) in enumerate(zip(DATAS, batch.pdfs)):
        results = zxingcpp.read_barcodes(pixels(pdf, tmp_path, f"qr{index}", dpi=150))
        assert [result.text for result in results] == [data.verify_url]


def test_two_workers_give_the_same_pages(renderer: CertificateRenderer, batch) -> None:
    other = renderer.issue(DATAS, workers=2)
    def text(pdf: bytes) -> str:
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert [text(pdf) for pdf in other.pdfs] == [text(pdf) for pdf in batch.pdfs]
    assert all(len(pdf) <= 30 * 1024 for pdf in other.pdfs)
    assert len(PdfReader(io.BytesIO(other.combined)).pages) == len(DATAS)


def test_unsupported_pdf_raises() -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    content = DecodedStreamObject()
    content.set_data(b"BT (Hi) Tj ET")
    page.replace_contents(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(SplitUnsupported):
        split_pages(buffer.getvalue())


def test_pages_are_drawn_again_when_the_pdf_cannot_be_cut(renderer: CertificateRenderer, caplog) -> None:
    from weasyprint import HTML

    # A link becomes an annotation, which the splitter does not copy.
    document = HTML(string='<p>一</p><p style="break-before: page"><a href="https://example.com/">二</a></p>',
                    url_fetcher=renderer.url_fetcher).render(font_config=renderer.font_config,
                                                             stylesheets=[renderer.stylesheet])
    whole, pages = write_with_pages(document, ["一", "二"])
    assert "cannot split" in caplog.text
    assert len(PdfReader(io.BytesIO(whole)).pages) == 2
    assert [PdfReader(io.BytesIO(page)).metadata.title for page in pages] == ["一", "二"]


def test_parts_are_merged_page_by_page(renderer: CertificateRenderer, batch) -> None:
    from nominations.pdf.base import merge_pdfs
    from nominations.pdf.split import merge_pages

    first = renderer.issue(DATAS[:2]).combined
    second = renderer.issue(DATAS[2:]).combined
    merged = merge_pages([first, second], title="全部证书")
    reader = PdfReader(io.BytesIO(merged))
    assert reader.metadata.title == "全部证书"
    assert [data.number in page.extract_text() for data, page in zip(DATAS, reader.pages)] == [True] * 3
    assert merge_pdfs([first, second]) == merge_pages([first, second])
