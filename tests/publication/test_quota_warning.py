"""Approving beyond a category's quota succeeds but warns, also through the generic transitions API
(the web decision page, judging:decision, shows the same warning)."""
from django.utils import timezone
from rest_framework.test import APIClient

from nominations.models import Category
from nominations.services.transitions import application_transition
from tests.publication.conftest import _score, _stage, approve, new_accepted


def _evaluated(cycle, secretariat, recommender, unit, panel):
    app = new_accepted(cycle=cycle, secretariat=secretariat, recommender=recommender, unit=unit)
    doc_judge, site_judge = panel
    a = _stage(app, doc_judge, "document", secretariat)
    app = application_transition(application=app.pk, name="start_review", actor=secretariat)
    _score(a, doc_judge, app)
    app = application_transition(application=app.pk, name="shortlist", actor=secretariat)
    _score(_stage(app, site_judge, "site", secretariat), site_judge, app)
    from judging.services import site_report_save
    site_report_save(application=app.pk, actor=secretariat, summary="一致", recommendation="建议授奖")
    return application_transition(application=app.pk, name="finish_review", actor=secretariat)


def test_approval_beyond_quota_warns_but_proceeds(cycle, secretariat, recommender, unit, panel, accepted):
    Category.objects.filter(cycle=cycle, code="ORG").update(quota=1)
    approve(accepted, secretariat=secretariat, panel=panel)
    second = _evaluated(cycle, secretariat, recommender, unit, panel)
    api = APIClient()
    api.force_authenticate(secretariat)
    response = api.post(f"/api/v1/applications/{second.pk}/transitions/", {
        "name": "approve", "note": "审定会议纪要", "votes_for": 10, "votes_against": 2, "votes_abstain": 1,
        "decided_on": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "approved"
    assert body["warnings"] == ["“组织（先进质量管理模式）”名额为 1 个，已审定通过 2 个，超出 1 个。"]
