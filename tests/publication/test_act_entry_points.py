"""Each business act has the same effects whichever entry point runs it: the web page, the
REST API, the admin button or the `transition` command (ARCHITECTURE, "Acts and their
effects"). Every test here is parametrised over every entry point that offers the act."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from nominations.models import Application, AwardRecord, Certificate, Cycle, PublicNotice
from nominations.services.publication import application_confirm
from tests.publication.conftest import NOTICE_CONTACT

API = "/api/v1"
ANNOUNCEMENT = "经公示无异议，现予公布。"


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def run_application_act(entry: str, *, client, app, name: str, actor, note: str = "", **extra):
    """Run act `name` on `app` through one entry point; returns nothing (effects are checked)."""
    if entry == "api":
        _api(actor).post(f"{API}/applications/{app.pk}/transitions/", {"name": name, "note": note, **extra},
                         format="json")
    elif entry == "web":
        client.force_login(actor)
        if name == "revoke":  # the certificate desk's revoke page
            client.post(reverse("certificate_revoke", args=[app.pk]), {"reason": note})
        else:
            client.post(reverse("application_transition", args=[app.pk, name]), {"note": note, **extra})
    elif entry == "admin":
        client.force_login(_staff(actor))
        client.post(reverse("admin:nominations_application_transition", args=[app.pk]),
                    {"transition": name, "note": note, **extra})
    elif entry == "command":
        args = ["transition", "application", str(app.pk), name, "--as", actor.username, "--note", note]
        if "announcement" in extra:
            args += ["--announcement", extra["announcement"]]
        try:
            call_command(*args)
        except Exception:  # a refused act is a CommandError; the effects are what the test checks
            pass


ENTRY_POINTS = ["api", "web", "admin", "command"]


@pytest.fixture
def confirmed(notice_ended, secretariat):
    return application_confirm(application=notice_ended.pk, actor=secretariat)


# -- publish one application ------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_publishing_one_application_makes_it_public_everywhere(entry, client, confirmed, secretariat, applicant,
                                                               organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_application_act(entry, client=client, app=confirmed, name="publish", actor=secretariat,
                            announcement=ANNOUNCEMENT)
    confirmed.refresh_from_db()
    assert confirmed.state == "published"
    cert = Certificate.objects.get(application=confirmed)
    winners = APIClient().get(f"{API}/public/winners/").json()
    assert [(w["name"], w["title"], w["certificate_number"]) for w in winners] == [
        (organization.name, confirmed.title, cert.number)]
    assert organization.name in client.get(reverse("public_winners")).content.decode()
    client.force_login(applicant)
    results = client.get(reverse("applicant_results")).context["results"]
    assert [(r["app"].pk, r["awarded"]) for r in results] == [(confirmed.pk, True)]
    # frozen: a later rename changes neither the winners list nor the notice
    old_name = organization.name
    organization.name = "改名后的公司"
    organization.save(update_fields=["name"])
    assert [w["name"] for w in APIClient().get(f"{API}/public/winners/").json()] == [old_name]
    notices = APIClient().get(f"{API}/public/notices/").json()
    assert [e["name"] for n in notices for e in n["entries"]] == [old_name]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_publishing_without_an_announcement_when_the_cycle_has_none_changes_nothing(entry, client, confirmed,
                                                                                   secretariat):
    run_application_act(entry, client=client, app=confirmed, name="publish", actor=secretariat)
    confirmed.refresh_from_db()
    assert (confirmed.state, AwardRecord.objects.count(), Certificate.objects.count()) == ("awarded", 0, 0)
    assert APIClient().get(f"{API}/public/winners/").json() == []


@pytest.fixture
def two_confirmed(accepted, secretariat, recommender, unit, panel, cycle):
    """Two approved applications of one cycle, through an ended notice, both confirmed."""
    from tests.publication.conftest import approve, new_accepted, start_notice, to_deliberation

    other = new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit)
    apps = [approve(a, secretariat=secretariat, panel=panel) for a in (accepted, other)]
    to_deliberation(cycle, secretariat)
    start_notice(cycle, secretariat, ended=True)
    return [application_confirm(application=a.pk, actor=secretariat) for a in apps]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_later_publication_goes_into_a_supplementary_announcement(entry, client, two_confirmed, secretariat,
                                                                    django_capture_on_commit_callbacks):
    first, second = two_confirmed
    with django_capture_on_commit_callbacks(execute=True):
        run_application_act(entry, client=client, app=first, name="publish", actor=secretariat,
                            announcement=ANNOUNCEMENT)
        run_application_act(entry, client=client, app=second, name="publish", actor=secretariat)
    kinds = {a.application_id: (a.publication.kind, a.publication.announcement == ANNOUNCEMENT)
             for a in AwardRecord.objects.select_related("publication")}
    assert kinds == {first.pk: ("main", True), second.pk: ("supplement", False)}
    assert sorted(w["announcement"] for w in APIClient().get(f"{API}/public/winners/").json()) == [
        "结果公告", "补充公告"]
    assert "补充公告" in client.get(reverse("public_winners")).content.decode()


# -- revoke ------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_revoking_takes_the_award_off_every_public_list(entry, client, published, secretariat, applicant):
    run_application_act(entry, client=client, app=published, name="revoke", actor=secretariat,
                        note="经查，申报材料存在虚假内容。")
    published.refresh_from_db()
    cert = Certificate.objects.get(application=published)
    assert (published.state, cert.status, cert.revoke_reason) == ("revoked", "revoked", "经查，申报材料存在虚假内容。")
    assert AwardRecord.objects.get(application=published).revoked_at is not None
    assert APIClient().get(f"{API}/public/winners/").json() == []
    assert APIClient().get(f"{API}/public/certificates/{cert.verification_code}/").json()["status"] == "revoked"


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_revoking_without_a_reason_changes_nothing(entry, client, published, secretariat):
    run_application_act(entry, client=client, app=published, name="revoke", actor=secretariat, note="")
    published.refresh_from_db()
    assert published.state == "published"
    assert Certificate.objects.get(application=published).revoked_at is None
    assert len(APIClient().get(f"{API}/public/winners/").json()) == 1


# -- open the notice ---------------------------------------------------------------------------
NOTICE_ENTRY_POINTS = ["desk", "api_cycle", "api_application", "application_page"]


def open_notice(entry: str, *, client, app, secretariat, description: str, contact: str):
    body = {"description": description, "contact": contact, "days": 7}
    if entry == "desk":
        client.force_login(secretariat)
        starts = timezone.localtime() + dt.timedelta(minutes=2)
        return client.post(reverse("notice_start", args=[app.cycle_id]),
                           {**body, "days": "7", "starts_at": starts.strftime("%Y-%m-%dT%H:%M")})
    if entry == "api_cycle":
        return _api(secretariat).post(f"{API}/cycles/{app.cycle_id}/transitions/", {"name": "start_notice", **body},
                                      format="json")
    if entry == "api_application":
        return _api(secretariat).post(f"{API}/applications/{app.pk}/transitions/", {"name": "open_notice", **body},
                                      format="json")
    client.force_login(secretariat)  # the application page sends the secretariat to the desk
    response = client.post(reverse("application_transition", args=[app.pk, "open_notice"]), body)
    assert response.status_code == 302 and response["Location"] == reverse("notice_desk", args=[app.cycle_id])
    return open_notice("desk", client=client, app=app, secretariat=secretariat, description=description,
                       contact=contact)


@pytest.mark.parametrize("entry", NOTICE_ENTRY_POINTS)
def test_a_notice_always_has_its_text_contact_and_frozen_entries(entry, client, approved, secretariat, organization):
    open_notice(entry, client=client, app=approved, secretariat=secretariat, description="现予公示。",
                contact=NOTICE_CONTACT)
    notice = PublicNotice.objects.get()
    approved.refresh_from_db()
    assert (notice.description, notice.contact, approved.state, Cycle.objects.get(pk=approved.cycle_id).status) == (
        "现予公示。", NOTICE_CONTACT, "public_notice", "notice")
    assert list(notice.entries.values_list("application_id", "name", "title")) == [
        (approved.pk, organization.name, approved.title)]
    # the desk and the public pages agree about which notice the application is on
    client.force_login(secretariat)
    desk = client.get(reverse("notice_desk", args=[approved.cycle_id]))
    assert [n.pk for n in desk.context["notices"]] == [notice.pk]
    public = APIClient().get(f"{API}/public/notices/").json()
    assert [(n["id"], [e["application"] for e in n["entries"]]) for n in public] == [(notice.pk, [approved.pk])]


@pytest.mark.parametrize("entry", NOTICE_ENTRY_POINTS)
def test_a_notice_without_contact_is_refused_and_changes_nothing(entry, client, approved, secretariat):
    response = open_notice(entry, client=client, app=approved, secretariat=secretariat, description="现予公示。",
                           contact="")
    assert response.status_code == 400
    approved.refresh_from_db()
    assert (approved.state, PublicNotice.objects.count()) == ("approved", 0)
    assert Cycle.objects.get(pk=approved.cycle_id).status == "deliberation"


def test_a_notice_cannot_open_while_the_cycle_is_not_in_deliberation(client, accepted, secretariat):
    """The issue's case: 进入公示 on an application while the cycle was still open."""
    response = _api(secretariat).post(f"{API}/cycles/{accepted.cycle_id}/transitions/", {
        "name": "start_notice", "description": "现予公示。", "contact": NOTICE_CONTACT}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    assert not PublicNotice.objects.exists()
