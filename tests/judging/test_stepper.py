"""The process stepper (申报 → 推荐 → 形式审查 → 资料评审 → 现场评审 → 审定 → 公示 → 发布): where an
application is and what it waits for, steps that do not apply left out, and the same stepper on
the applicant's, the secretariat's, the judge's and the committee's pages."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from nominations.models import Programme
from nominations.selectors.steps import application_steps
from nominations.services.transitions import application_transition
from tests import factories as f
from tests.judging.conftest import assign_and_accept, fill_and_submit, make_judges, set_judges_document, start_review

pytestmark = pytest.mark.django_db

ALL = ["apply", "recommend", "formal", "document", "site", "decide", "notice", "publish"]


def _where(steps):
    return [(s.key, s.status) for s in steps if s.here]


def test_draft_waits_for_the_applicant_with_the_deadline(draft, applicant):
    steps = application_steps(draft, user=applicant)

    assert [s.key for s in steps] == ALL
    assert _where(steps) == [("apply", "current")]
    assert "待申报单位提交" in steps[0].note and draft.cycle.closes_at.year.__str__() in steps[0].note
    assert {s.status for s in steps[1:]} == {"todo"}


def test_submitted_waits_for_the_named_recommender(submitted, applicant, unit):
    steps = application_steps(submitted, user=applicant)

    assert _where(steps) == [("recommend", "current")]
    assert steps[1].note == f"待“{unit.name}”推荐"
    assert steps[0].status == "done"


def test_endorsed_waits_for_the_secretariat(endorsed, applicant):
    steps = application_steps(endorsed, user=applicant)

    assert _where(steps) == [("formal", "current")] and steps[2].note == "待秘书处受理"


def test_steps_not_applicable_are_left_out(cycle, applicant, organization, secretariat):
    Programme.objects.filter(pk=cycle.programme_id).update(needs_recommender=False, has_site_stage=False)
    cycle.programme.refresh_from_db()
    app = f.draft_application(cycle=cycle, applicant=applicant, organization=organization)
    app = f.advance(app, ["submit"], {"submit": applicant})

    steps = application_steps(app, user=applicant)

    assert [s.key for s in steps] == ["apply", "formal", "document", "decide", "notice", "publish"]
    assert _where(steps) == [("formal", "current")]


def test_side_exits_stop_where_they_left(submitted, applicant, secretariat, actors):
    withdrawn = f.advance(submitted, ["withdraw"], actors)

    steps = application_steps(withdrawn, user=applicant)

    assert _where(steps) == [("recommend", "stopped")] and steps[1].note == "申报已撤回"


def test_ineligible_stops_at_formal_review(endorsed, applicant, secretariat):
    app = application_transition(application=endorsed, name="reject", actor=secretariat, note="不符合条件")

    assert _where(application_steps(app, user=applicant)) == [("formal", "stopped")]


def test_review_counts_for_the_secretariat_not_for_the_applicant(cycle, accepted, applicant, secretariat):
    set_judges_document(cycle, 2)
    j1, j2 = make_judges(2)
    a1, _a2 = assign_and_accept(accepted, [j1, j2], secretariat)
    app = start_review(accepted, secretariat)
    fill_and_submit(a1, j1, 60)

    mine = application_steps(app, user=applicant)
    theirs = application_steps(app, user=secretariat)

    assert _where(mine) == [("document", "current")] and mine[3].note == "专家评审中"
    assert theirs[3].note == "2 位专家中 1 位已提交"


def test_accepted_says_how_many_judges_are_assigned(cycle, accepted, secretariat):
    set_judges_document(cycle, 3)
    [judge] = make_judges(1)
    assign_and_accept(accepted, [judge], secretariat)
    accepted.cycle.refresh_from_db()

    steps = application_steps(accepted, user=secretariat)

    assert steps[3].note == "已分配 1/3 位专家，1 位已接受"


def test_every_application_page_shows_the_stepper(cycle, accepted, applicant, secretariat):
    set_judges_document(cycle, 1)
    [judge] = make_judges(1)
    [a] = assign_and_accept(accepted, [judge], secretariat)
    app = start_review(accepted, secretariat)
    pages = [(applicant, reverse("application_detail", args=[app.pk])),
             (secretariat, reverse("application_detail", args=[app.pk])),
             (secretariat, reverse("application_review", args=[app.pk])),
             (judge, reverse("judging:assignment_sheet", args=[a.pk]))]
    for user, url in pages:
        client = Client()
        client.force_login(user)
        html = client.get(url).content.decode()
        stepper = re.search(r'<nav class="stepper".*?</nav>', html, re.S).group(0)
        assert "<ol" in stepper and stepper.count('aria-current="step"') == 1, url
        current = re.search(r'<li class="stepper__step stepper__step--current" aria-current="step">.*?</li>',
                            stepper, re.S).group(0)
        assert "资料评审" in current, url


def test_review_page_says_a_submitted_application_waits_for_its_recommender(submitted, secretariat, unit):
    client = Client()
    client.force_login(secretariat)

    html = client.get(reverse("application_review", args=[submitted.pk])).content.decode()

    assert f"待“{unit.name}”推荐，推荐后才能受理" in html
    assert "资格条件全部通过" not in html
