"""Who may open which page: login redirects, 403 for a missing role, 404 for someone else's object."""
from __future__ import annotations

import pytest
from django.urls import reverse

from nominations.enums import ApplicationState
from tests import factories as f

pytestmark = pytest.mark.django_db


def _pages_of(app, doc) -> dict[str, str]:
    return {
        "detail": reverse("application_detail", args=[app.pk]),
        "edit": reverse("application_edit", args=[app.pk]),
        "download": reverse("document_download", args=[app.pk, doc.pk]),
        "withdraw": reverse("application_transition", args=[app.pk, "withdraw"]),
        "review": reverse("application_review", args=[app.pk]),
    }


def test_anonymous_visitors_are_sent_to_login(client, submitted, cycle):
    doc = submitted.documents.first()
    urls = [
        reverse("application_list"), reverse("application_new"), reverse("organization_create"),
        reverse("recommender_queue"), reverse("cycle_list"), reverse("cycle_detail", args=[cycle.pk]),
        reverse("password_change"), *_pages_of(submitted, doc).values(),
    ]

    redirects = {url: client.get(url)["Location"] for url in urls}

    assert redirects == {url: f"{reverse('login')}?next={url}" for url in urls}
    assert client.post(reverse("application_transition", args=[submitted.pk, "withdraw"]))["Location"].startswith(
        reverse("login"))
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_another_applicant_gets_404_on_detail_edit_and_download(client, submitted, other_applicant):
    doc = submitted.documents.first()
    client.force_login(other_applicant)

    statuses = {name: client.get(url).status_code for name, url in _pages_of(submitted, doc).items()
                if name != "review"}

    assert statuses == {"detail": 404, "edit": 404, "download": 404, "withdraw": 404}
    response = client.post(reverse("application_transition", args=[submitted.pk, "withdraw"]))
    assert response.status_code == 404
    assert "页面不存在或您无权查看" in response.content.decode()
    assert client.post(reverse("document_delete", args=[submitted.pk, doc.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    assert submitted.documents.count() == 2


def test_recommender_of_another_unit_gets_404_and_an_empty_queue(client, submitted, other_recommender):
    doc = submitted.documents.first()
    client.force_login(other_recommender)

    assert client.get(reverse("application_detail", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("document_download", args=[submitted.pk, doc.pk])).status_code == 404
    response = client.post(reverse("application_transition", args=[submitted.pk, "endorse"]),
                           {"prefix": "endorse"})
    assert response.status_code == 404
    assert client.get(reverse("recommender_queue")).context["rows"] == []
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_recommender_does_not_see_drafts_naming_its_unit(client, draft, recommender):
    client.force_login(recommender)

    assert client.get(reverse("application_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("recommender_queue"), {"tab": "all"}).context["rows"] == []


@pytest.mark.parametrize("persona", ["outsider", "applicant", "recommender", "judge"])
def test_secretariat_pages_refuse_other_roles(client, request, persona, submitted, cycle):
    client.force_login(request.getfixturevalue(persona))
    urls = [reverse("cycle_list"), reverse("cycle_detail", args=[cycle.pk]),
            reverse("application_review", args=[submitted.pk])]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert "此页面仅供评选秘书处使用。" in responses[0].content.decode()
    response = client.post(reverse("cycle_transition", args=[cycle.pk, "close"]))
    assert response.status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == "open"


def test_recommender_queue_refuses_users_without_a_unit(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("recommender_queue"))

    assert response.status_code == 403
    assert "此页面仅供推荐单位使用。" in response.content.decode()


def test_download_gives_the_applicant_the_original_file(client, submitted, applicant):
    doc = submitted.documents.order_by("kind").first()
    client.force_login(applicant)

    response = client.get(reverse("document_download", args=[submitted.pk, doc.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == doc.file.open("rb").read()
    assert response["Content-Disposition"] == f'attachment; filename="{doc.name}"'
    assert response["Content-Type"] == "application/pdf"


def test_download_works_for_the_unit_and_the_secretariat(client, submitted, recommender, secretariat):
    doc = submitted.documents.first()
    url = reverse("document_download", args=[submitted.pk, doc.pk])

    statuses = []
    for user in (recommender, secretariat):
        client.force_login(user)
        statuses.append(client.get(url).status_code)

    assert statuses == [200, 200]


def test_download_of_a_document_of_another_application_is_404(client, submitted, cycle, other_applicant,
                                                              other_organization, applicant):
    other = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization)
    foreign_doc = other.documents.first()
    client.force_login(applicant)

    response = client.get(reverse("document_download", args=[submitted.pk, foreign_doc.pk]))

    assert response.status_code == 404


def test_other_applicants_application_is_not_listed(client, submitted, cycle, other_applicant, other_organization,
                                                    applicant):
    f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization)
    client.force_login(applicant)

    rows = client.get(reverse("application_list")).context["rows"]

    assert [app.pk for app, _step in rows] == [submitted.pk]


def test_organization_of_someone_else_is_404(client, applicant, other_organization):
    client.force_login(applicant)

    assert client.get(reverse("organization_edit", args=[other_organization.pk])).status_code == 404


def test_error_pages_render_in_chinese_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert '<html lang="zh-CN">' in html
    assert "系统暂时出现问题" in html


def test_history_never_shows_who_downloaded_files(submitted, applicant, client):
    from nominations.models import AuditEntry
    from nominations.services.intake import document_download_record

    judge_like = f.UserFactory(username="reader", first_name="读者专家")
    document_download_record(document=submitted.documents.first(), actor=judge_like, ip="10.1.1.1")
    assert AuditEntry.objects.filter(action="document.download", object_id=str(submitted.pk)).count() == 1
    client.force_login(applicant)
    page = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert "读者专家" not in page and "document.download" not in page
