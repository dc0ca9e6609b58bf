"""The applicant's results page and certificate download."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from nominations.models import Certificate
from nominations.services.acts import application_act
from nominations.services.transitions import application_transition

pytestmark = pytest.mark.django_db


def test_results_hidden_until_the_cycle_is_published(client, notice_ended, applicant, secretariat):
    application_act(application=notice_ended.pk, name="confirm", actor=secretariat)
    client.force_login(applicant)
    response = client.get(reverse("applicant_results"))
    assert response.context["results"] == []
    assert [a.pk for a in response.context["pending"]] == [notice_ended.pk]
    assert "结果尚未发布" in response.content.decode()


def test_results_page_lists_award_and_certificate_download(client, published, applicant):
    client.force_login(applicant)
    response = client.get(reverse("applicant_results"))
    assert [(r["app"].pk, r["awarded"], r["certificate"].number) for r in response.context["results"]] == [
        (published.pk, True, "QGA-2018-001")]
    html = response.content.decode()
    assert "获奖" in html and reverse("application_certificate", args=[published.pk]) in html


def test_applicant_downloads_own_certificate(client, published, applicant):
    client.force_login(applicant)
    response = client.get(reverse("application_certificate", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    cert = Certificate.objects.get()
    assert len(data) == cert.pdf_size
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "QGA-2018-001" in text


def test_certificate_is_404_for_others_and_login_for_anonymous(client, published, other_applicant, recommender,
                                                               judge, secretariat):
    url = reverse("application_certificate", args=[published.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for user in (other_applicant, recommender, judge):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(secretariat)
    assert client.get(url).status_code == 200


def test_revoked_certificate_is_no_longer_offered_to_the_applicant(client, published, applicant, secretariat):
    application_act(application=published.pk, name="revoke", actor=secretariat, note="弄虚作假")
    client.force_login(applicant)
    assert client.get(reverse("application_certificate", args=[published.pk])).status_code == 404
    response = client.get(reverse("applicant_results"))
    assert [(r["app"].state, r["awarded"]) for r in response.context["results"]] == [("revoked", False)]
    assert "奖项已撤销" in response.content.decode()
