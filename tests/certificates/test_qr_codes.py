"""Every certificate's QR code scans to its own verification URL, with the fixed data mask
the renderer uses (segno no longer scores the eight masks for each code)."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from nominations.pdf.certificates import QR_MASK, CertificateRenderer, qr_img
from tests.certificates.test_render import SAMPLE

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")

URLS = [
    "https://zlj.sh.gov.cn/awards/verify/QGA-2018-001?c=00000000",
    "https://zlj.sh.gov.cn/awards/verify/MQA-2019-002?c=9e3779b1",
    "https://zlj.sh.gov.cn/awards/verify/QBM-2020-003?c=3c6ef372",
    "http://127.0.0.1:8000/verify/Zk3vQ0aR7nLx2mYw/",
    "https://awards.example.gov.cn/verify/aaaaaaaaaaaaaaaa/",
    "https://awards.example.gov.cn/verify/--__--__--__--__/",
]


def test_qr_codes_use_the_fixed_mask() -> None:
    assert "data:image/png;base64," in qr_img(URLS[0])
    import segno

    assert segno.make_qr(URLS[0], error="m", mask=QR_MASK).mask == QR_MASK


def test_every_certificate_of_a_batch_scans_to_its_own_url(tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    datas = [dataclasses.replace(SAMPLE, number=f"QGA-2018-{i:03d}", verify_url=url) for i, url in enumerate(URLS)]
    (tmp_path / "batch.pdf").write_bytes(CertificateRenderer().combine(datas))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "batch.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert [[r.text for r in zxingcpp.read_barcodes(Image.open(page))] for page in pages] == [[url] for url in URLS]
