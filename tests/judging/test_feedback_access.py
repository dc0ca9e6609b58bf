"""Who may download a feedback report, and when: the application's applicants once the
report is released AND the cycle's results are published; the secretariat any time;
404 for everyone else (other applicants, the judges who scored it, anonymous visitors).
The application goes all the way through the real services: document and site scoring,
committee approval, public notice, confirmation and publication."""
from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from judging.services import feedback_generate, feedback_release
from nominations.services.acts import application_act
from nominations.services.transitions import application_transition
from tests.publication.conftest import approve, panel, publish, start_notice, to_deliberation  # noqa: F401

API = "/api/v1"


def _web(client, user, app):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("judging:feedback_download", args=[app.pk]))


def _api(user, app):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api.get(f"{API}/applications/{app.pk}/feedback.pdf")


def statuses(client, users: dict, app) -> dict:
    return {name: (_web(client, user, app).status_code, _api(user, app).status_code) for name, user in users.items()}


@pytest.fixture
def notice_over(accepted, secretariat, cycle, panel):  # noqa: F811
    """Approved after document and site review; the cycle's notice has ended."""
    app = approve(accepted, secretariat=secretariat, panel=panel)
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat, ended=True)
    app.refresh_from_db()
    return app


def test_download_only_after_release_and_publication(  # noqa: F811  (panel: imported fixture)
        client, notice_over, secretariat, applicant, other_applicant, panel, judge, cycle,
        django_capture_on_commit_callbacks):
    app = notice_over
    users = {"applicant": applicant, "secretariat": secretariat, "other_applicant": other_applicant,
             "doc_judge": panel[0], "site_judge": panel[1], "judge": judge, "anonymous": None}
    nobody_but_secretariat = {"applicant": (404, 404), "secretariat": (404, 404), "other_applicant": (404, 404),
                              "doc_judge": (404, 404), "site_judge": (404, 404), "judge": (404, 404),
                              "anonymous": (404, 401)}
    assert statuses(client, users, app) == nobody_but_secretariat  # no report yet

    report = feedback_generate(application=app, actor=secretariat)
    assert report.stage == "site"
    assert statuses(client, users, app) == {**nobody_but_secretariat, "secretariat": (200, 200)}  # draft

    feedback_release(report=report, actor=secretariat)
    assert statuses(client, users, app) == {**nobody_but_secretariat, "secretariat": (200, 200)}  # not published

    application_act(application=app.pk, name="confirm", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        publish(cycle, secretariat)
    assert statuses(client, users, app) == {**nobody_but_secretariat, "secretariat": (200, 200),
                                            "applicant": (200, 200)}

    client.force_login(applicant)
    response = client.get(reverse("judging:feedback_download", args=[app.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="feedback-{app.reference}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    api = APIClient()
    api.force_authenticate(applicant)
    assert b"".join(api.get(f"{API}/applications/{app.pk}/feedback.pdf").streaming_content) == body

    # the applicant's own page lists it with the download link; another applicant's does not
    page = client.get(reverse("judging:feedback_mine")).content.decode()
    assert reverse("judging:feedback_download", args=[app.pk]) in page and app.title in page
    client.force_login(other_applicant)
    page = client.get(reverse("judging:feedback_mine")).content.decode()
    assert reverse("judging:feedback_download", args=[app.pk]) not in page and app.title not in page


def test_unknown_application_is_404_alike(client, applicant, secretariat, db):
    assert statuses(client, {"applicant": applicant, "secretariat": secretariat}, type("A", (), {"pk": 999999})) == {
        "applicant": (404, 404), "secretariat": (404, 404)}
