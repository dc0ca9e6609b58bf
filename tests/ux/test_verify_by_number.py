"""Verification by number (issue 11 §6): the certificate prints its number and a check code
(the first 8 characters of the verification code) under the QR code; /verify/ and
GET /api/v1/public/certificates/?number=&check= accept the pair; a wrong pair is a 404;
both are throttled like the existing verify endpoints."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from nominations.models import Certificate
from tests import factories as f

API = "/api/v1/public/certificates/"


@pytest.fixture(autouse=True)
def _fresh_throttles(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(db):
    sec = f.UserFactory(username="sec-verify", groups=["secretariat"])
    org = f.OrganizationFactory(name="上海查验测试有限公司")
    user = f.UserFactory(username="verify-applicant")
    f.member(user, org)
    app = f.draft_application(cycle=f.open_cycle("QGA", secretariat=sec), applicant=user, organization=org)
    return Certificate.objects.create(application=app, number="QB-2018-001", seq=1, holder=org.name,
                                      title="“精益+数字化”双轮驱动的质量管理模式", award_name="上海市质量标杆",
                                      cycle_label="2018", category_name="组织（先进质量管理模式）",
                                      issuer="上海市经济和信息化委员会", issued_at=timezone.now())


def wrong(check: str) -> str:
    """The same length, one character different (also ignoring case: the check is case-insensitive)."""
    return ("x" if check[0].lower() != "x" else "y") + check[1:]


# -- the model ------------------------------------------------------------------------
def test_check_code_is_the_first_eight_characters(certificate):
    assert certificate.check_code == certificate.verification_code[:8]
    assert len(certificate.check_code) == 8


# -- API --------------------------------------------------------------------------------
def test_api_by_number_and_check_code(certificate):
    body = APIClient().get(API, {"number": "QB-2018-001", "check": certificate.check_code}).json()
    assert {k: body[k] for k in ("number", "holder", "programme", "cycle", "status")} == {
        "number": "QB-2018-001", "holder": "上海查验测试有限公司", "programme": "QGA", "cycle": "2018",
        "status": "valid"}
    # the same body as by verification code
    assert body == APIClient().get(f"{API}{certificate.verification_code}/").json()


def test_api_by_number_forgives_case_and_spaces(certificate):
    response = APIClient().get(API, {"number": " qb-2018-001 ", "check": certificate.check_code.swapcase()})
    assert response.status_code == 200 and response.json()["number"] == "QB-2018-001"


@pytest.mark.parametrize("params", [
    {"number": "QB-2018-001", "check": "WRONG"},          # wrong pair: check code of the right length below
    {"number": "QB-2018-002"},                           # unknown number, right check code
    {"number": "QB-2018-001", "check": ""},
    {"number": "", "check": None},
    {},
])
def test_api_wrong_or_incomplete_pair_is_404(certificate, params):
    params = dict(params)
    if params.get("check") == "WRONG":
        params["check"] = wrong(certificate.check_code)
    elif "check" not in params and "number" in params:
        params["check"] = certificate.check_code
    elif params.get("check") is None:
        params["check"] = certificate.check_code
    response = APIClient().get(API, {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 404
    assert response.json()["detail"] and "holder" not in response.json()


def test_api_full_verification_code_is_not_a_check_code(certificate):
    response = APIClient().get(API, {"number": "QB-2018-001", "check": certificate.verification_code})
    assert response.status_code == 404 and "holder" not in response.json()


def test_api_by_number_is_throttled(certificate, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    client = APIClient()
    statuses = [client.get(API, {"number": "QB-2018-001", "check": wrong(certificate.check_code)}).status_code
                for _ in range(3)]
    limited = client.get(API, {"number": "QB-2018-001", "check": certificate.check_code})
    assert statuses == [404, 404, 404]
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_api_schema_lists_the_by_number_endpoint(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "public_certificates_by_number" in schema


# -- web --------------------------------------------------------------------------------
def test_lookup_page_offers_number_and_check_code(client, db):
    html = client.get(reverse("certificate_verify_lookup")).content.decode()
    assert 'id="verify-number"' in html and 'id="verify-check"' in html and 'name="check"' in html
    assert 'id="verify-code"' in html  # the code / pasted URL form is still there


def test_web_by_number_shows_the_certificate(client, certificate):
    response = client.get(reverse("certificate_verify_lookup"),
                          {"number": "QB-2018-001", "check": certificate.check_code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "有效" in html and "QB-2018-001" in html and "上海查验测试有限公司" in html


def test_web_wrong_pair_is_a_404_page_that_keeps_nothing_secret(client, certificate):
    response = client.get(reverse("certificate_verify_lookup"),
                          {"number": "QB-2018-001", "check": wrong(certificate.check_code)})
    html = response.content.decode()
    assert response.status_code == 404
    assert "未找到该证书" in html and "查验码" in html and "上海查验测试有限公司" not in html


def test_web_missing_or_short_check_code_keeps_what_was_typed(client, certificate):
    response = client.get(reverse("certificate_verify_lookup"), {"number": "QB-2018-001", "check": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="QB-2018-001"' in html and 'value="abc"' in html and "8 位" in html
    response = client.get(reverse("certificate_verify_lookup"), {"number": "", "check": ""})
    assert response.status_code == 400 and "请填写证书编号" in response.content.decode()


def test_web_by_number_is_throttled_in_the_verify_budget(client, certificate, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    url = reverse("certificate_verify_lookup")
    statuses = [client.get(url, {"number": "QB-2018-001", "check": wrong(certificate.check_code)}).status_code
                for _ in range(2)]
    limited = client.get(url, {"number": "QB-2018-001", "check": certificate.check_code})
    assert statuses == [404, 404] and limited.status_code == 429


# -- the printed certificate ----------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_certificate_pdf_prints_number_check_code_and_issuer_on_one_line(certificate, tmp_path):
    from nominations.pdf.certificates import CertificateRenderer
    from nominations.services.certificates import certificate_data

    data = certificate_data(certificate)
    assert data.check_code == certificate.check_code
    path = tmp_path / "cert.pdf"
    path.write_bytes(CertificateRenderer().render(data))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "QB-2018-001" in text
    assert certificate.check_code in text
    assert "上海市经济和信息化委员会" in text  # one line: never 上海市经济和信息化委员 / 会
    assert "以“‘精益+数字化’双轮驱动的质量管理模式”" in text  # no doubled quotes
    assert "（组织·先进质量管理模式）" in text and "（组织（" not in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("check", ["fY4byTUh", "AfMcnPo9", "rTWjy7Lv"])
def test_the_check_code_is_one_word_in_the_pdf_text(certificate, tmp_path, check):
    """Copied or read from the PDF, the check code is one word: letter-spacing on it made the
    text layer split some pairs ("fY4byTUh" came out as "f Y4byTUh")."""
    import dataclasses

    from nominations.pdf.certificates import CertificateRenderer
    from nominations.services.certificates import certificate_data

    path = tmp_path / "cert.pdf"
    path.write_bytes(CertificateRenderer().render(dataclasses.replace(certificate_data(certificate), check_code=check)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert f"查验码 {check}" in text
