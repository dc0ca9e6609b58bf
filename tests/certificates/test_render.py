"""Certificate rendering: real PDFs, read back with pypdf, poppler and a QR decoder.

No database: the renderer is independent of the models. Fonts go to the
configured CERT_FONT_DIR. The first build on a machine takes 10-30 s; every
later one (e.g. each test run's fresh temporary CERT_FONT_DIR) is a copy from
the per-user font cache and takes milliseconds.
"""
from __future__ import annotations

import dataclasses
import io
import logging
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from nominations.pdf.fonts import (
    CertificateFontMissing,
    ensure_fonts,
    find_source_faces,
    font_codepoints,
    gb2312_characters,
)
from nominations.pdf.certificates import (
    CertificateData,
    CertificateRenderer,
    chinese_date,
    render_html,
)

POPPLER = shutil.which("pdftoppm") and shutil.which("pdffonts") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")

SAMPLE = CertificateData(
    number="QGA-2018-007",
    holder="上海振华重工（集团）股份有限公司",
    title="智能化集装箱码头装卸系统",
    award_name="上海市质量金奖",
    cycle_label="2018",
    category_name="组织",
    issuer="上海市人民政府",
    issued_on=date(2018, 9, 15),
    verify_url="https://zlj.sh.gov.cn/awards/verify/QGA-2018-007?c=8f3a2b9c",
)
RARE = dataclasses.replace(
    SAMPLE, number="QGA-2018-008", holder="王堃（上海喆华精密机械有限公司）",
    category_name="个人", verify_url="https://zlj.sh.gov.cn/awards/verify/QGA-2018-008?c=1b2c3d4e")


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    """One renderer for the module, as in production (one per process)."""
    return CertificateRenderer()


@pytest.fixture(scope="module")
def sample_pdf(renderer: CertificateRenderer) -> bytes:
    return renderer.render(SAMPLE)


@pytest.fixture(scope="module")
def rare_pdf(renderer: CertificateRenderer) -> bytes:
    return renderer.render(RARE)


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, extracted by pypdf."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdffonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """Return the rows of ``pdffonts`` (name, type..., emb, sub, uni, ...)."""
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                            check=True).stdout
    return [line.split() for line in output.splitlines()[2:]]


# ---- pure helpers ------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (date(2018, 9, 15), "二〇一八年九月十五日"),
    (date(2020, 10, 20), "二〇二〇年十月二十日"),
    (date(2021, 12, 31), "二〇二一年十二月三十一日"),
    (date(2009, 1, 1), "二〇〇九年一月一日"),
])
def test_chinese_date(value: date, expected: str) -> None:
    assert chinese_date(value) == expected


def test_chinese_date_arabic() -> None:
    assert chinese_date(date(2018, 9, 15), numerals="arabic") == "2018年9月15日"


def test_gb2312_characters() -> None:
    chars = gb2312_characters()
    assert len(chars) == 7445  # 6763 hanzi + 682 symbols
    assert "鑫" in chars and "〇" not in chars  # 〇 (U+3007) is GBK, added separately
    assert "堃" not in chars and "喆" not in chars


def test_html_is_escaped_and_complete() -> None:
    html = render_html(dataclasses.replace(SAMPLE, holder="<b>A&B</b>"))
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html
    assert '<html lang="zh-CN">' in html
    assert "荣誉证书" in html and "扫码验证" in html and "二〇一八年九月十五日" in html


def test_missing_system_font_is_explained(tmp_path: Path) -> None:
    with pytest.raises(CertificateFontMissing, match="apt-get install fonts-noto-cjk"):
        find_source_faces(search_paths=[tmp_path])


# ---- fonts -------------------------------------------------------------------

def test_fonts_are_subset_and_idempotent(renderer: CertificateRenderer) -> None:
    fonts = renderer.fonts
    assert fonts.directory == Path(settings.CERT_FONT_DIR)
    mtime = fonts.regular.stat().st_mtime_ns
    start = time.perf_counter()
    again = ensure_fonts()  # Reads CERT_FONT_DIR from the settings.
    assert time.perf_counter() - start < 0.5
    assert again.regular == fonts.regular and again.regular.stat().st_mtime_ns == mtime
    assert fonts.sources["regular"].family in ("Noto Serif CJK SC", "Noto Sans CJK SC")
    covered = font_codepoints(fonts.regular)
    assert {ord(c) for c in gb2312_characters()} <= covered
    assert ord("A") in covered and ord("〇") in covered and 0x5803 not in covered  # 堃
    assert fonts.regular.stat().st_size < 4 * 1024 * 1024


# ---- rendered PDFs -----------------------------------------------------------

def test_pdf_is_one_small_a4_landscape_page(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert len(sample_pdf) <= 60 * 1024


def test_pdf_text(sample_pdf: bytes) -> None:
    text = pdf_text(sample_pdf)
    for expected in (SAMPLE.holder, SAMPLE.number, SAMPLE.award_name, SAMPLE.title,
                     SAMPLE.issuer, "二〇一八年九月十五日", "特发此证，以资鼓励", "扫码验证"):
        assert expected in text


def test_pdf_embeds_the_subset_font(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    embedded = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        has_file = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        embedded[str(font["/BaseFont"]).split("+", 1)[-1]] = has_file
    assert embedded == {"CertSerif": True, "CertSerif-Bold": True}


@needs_poppler
def test_pdffonts_reports_embedded_cjk_font(sample_pdf: bytes, tmp_path: Path) -> None:
    rows = pdffonts(sample_pdf, tmp_path)
    assert rows and all(row[0].split("+")[-1].startswith("CertSerif") for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # emb


@needs_poppler
def test_qr_code_encodes_the_verification_url(sample_pdf: bytes, tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (tmp_path / "cert.pdf").write_bytes(sample_pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "cert.pdf"),
                    str(tmp_path / "page")], check=True)
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [result.text for result in results] == [SAMPLE.verify_url]


@needs_poppler
def test_rare_characters_get_real_glyphs(renderer: CertificateRenderer, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    assert renderer.uncovered_characters(RARE.printed_text()) == "堃喆"
    with caplog.at_level(logging.WARNING):
        pdf = renderer.render(dataclasses.replace(RARE, number="QGA-2018-009"))
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]
    path = tmp_path / "rare.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "王堃（上海喆华精密机械有限公司）" in text
    extra = [row for row in pdffonts(pdf, tmp_path) if "CertSerifX" in row[0]]
    assert extra and all(row[-5] == "yes" for row in extra)
    assert len(pdf) <= 60 * 1024


def test_rare_pdf_holder_text(rare_pdf: bytes) -> None:
    assert RARE.holder in pdf_text(rare_pdf)


def test_batch_outputs(renderer: CertificateRenderer) -> None:
    datas = [SAMPLE, dataclasses.replace(SAMPLE, number="QGA-2018-010", title=""), RARE]
    batch = renderer.issue(datas)
    assert [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in batch.pdfs] == [1, 1, 1]
    assert len(PdfReader(io.BytesIO(batch.combined)).pages) == 3
    assert "QGA-2018-010" in pdf_text(batch.pdfs[1])
    assert len(PdfReader(io.BytesIO(renderer.combine(batch.pdfs))).pages) == 3
    assert len(renderer.render_many(datas[:2])) == 2


def test_process_pool_gives_the_same_documents(renderer: CertificateRenderer) -> None:
    datas = [dataclasses.replace(SAMPLE, number=f"QGA-2018-{n:03d}") for n in range(1, 5)]
    batch = renderer.issue(datas, workers=2)
    assert [data.number in pdf_text(pdf) for data, pdf in zip(datas, batch.pdfs)] == [True] * 4
    assert len(PdfReader(io.BytesIO(batch.combined)).pages) == 4


def test_url_fetcher_refuses_network(renderer: CertificateRenderer) -> None:
    with pytest.raises(ValueError, match="disallowed protocol"):
        renderer.url_fetcher("http://example.com/x.png")
