"""The consensus scorebook: who may record, when, and the provenance of every change."""
import pytest
from rest_framework.test import APIClient

from judging.errors import ConditionsUnmet, JudgingError, NotFound, NotPermitted
from judging.models import ConsensusChange, ConsensusScore, ItemScore
from judging.services import consensus_set
from nominations.models import AuditEntry
from tests.judging.conftest import fill_and_submit, make_judges


@pytest.fixture
def all_in(review_app, judges):
    app, assignments = review_app
    for a, j, p in zip(assignments, judges, [50, 60, 70, 60, 55]):
        fill_and_submit(a, j, p)
    return app


def test_consensus_needs_every_sheet_in(review_app, judges):
    app, assignments = review_app
    fill_and_submit(assignments[0], judges[0], 50)
    with pytest.raises(ConditionsUnmet) as exc:
        consensus_set(application=app, stage="document", criterion="4.1.2", percent=60, actor=judges[0])
    assert exc.value.missing == [f"专家 专家J{i} 的评分表尚未提交（评审中）。" for i in range(2, 6)]
    assert not ConsensusScore.objects.exists()


def test_leader_records_and_every_change_keeps_author_time_old_new_reason(all_in, judges, secretariat):
    app = all_in
    leader = judges[0]
    consensus_set(application=app, stage="document", criterion="4.7.4", percent=60, comment="经讨论取中间档",
                  actor=leader)
    with pytest.raises(JudgingError, match="须填写理由"):
        consensus_set(application=app, stage="document", criterion="4.7.4", percent=65, actor=leader)
    consensus_set(application=app, stage="document", criterion="4.7.4", percent=65, actor=secretariat,
                  reason="现场核实财务数据后上调")
    changes = list(ConsensusChange.objects.order_by("id").values_list(
        "author__username", "old_percent", "new_percent", "old_comment", "new_comment", "reason"))
    assert changes == [("j1", None, 60, "", "经讨论取中间档", ""),
                       ("sec", 60, 65, "经讨论取中间档", "经讨论取中间档", "现场核实财务数据后上调")]
    assert all(c.at is not None for c in ConsensusChange.objects.all())
    score = ConsensusScore.objects.get()
    assert (score.percent, score.author.username) == (65, "sec")
    # the independent sheets are kept untouched
    assert sorted(set(ItemScore.objects.filter(criterion=score.criterion).values_list("percent", flat=True))) == [
        50, 55, 60, 70]
    assert list(AuditEntry.objects.filter(action="consensus.set").values_list("data__old", "data__new")) == [
        (None, 60), (60, 65)]


def test_other_panel_members_may_read_but_not_record(all_in, judges, outsider):
    with pytest.raises(NotPermitted):
        consensus_set(application=all_in, stage="document", criterion="4.1.2", percent=60, actor=judges[1])
    stranger = make_judges(1, prefix="s")[0]
    for user in (stranger, outsider):
        with pytest.raises(NotFound):
            consensus_set(application=all_in, stage="document", criterion="4.1.2", percent=60, actor=user)
    client = APIClient()
    client.force_authenticate(judges[1])
    assert client.get(f"/api/v1/applications/{all_in.pk}/consensus/?stage=document").status_code == 200
    response = client.put(f"/api/v1/applications/{all_in.pk}/consensus/",
                          {"stage": "document", "items": [{"criterion": "4.1.2", "percent": 60}]}, format="json")
    assert response.status_code == 403
    assert not ConsensusScore.objects.exists()


def test_api_batch_is_all_or_nothing(all_in, judges):
    client = APIClient()
    client.force_authenticate(judges[0])
    response = client.put(f"/api/v1/applications/{all_in.pk}/consensus/", {"stage": "document", "items": [
        {"criterion": "4.1.2", "percent": 60, "comment": "一致"}, {"criterion": "4.1.3", "percent": 62}]},
        format="json")
    assert response.status_code == 400
    assert response.json()["items"] == ["第 2 项（4.1.3）：分数必须是 0–100 之间 5 的倍数（收到 62）。"]
    assert not ConsensusScore.objects.exists()
    response = client.put(f"/api/v1/applications/{all_in.pk}/consensus/", {"stage": "document", "items": [
        {"criterion": "4.1.2", "percent": 60, "comment": "一致"}]}, format="json")
    body = response.json()
    item = body["items"][0]
    assert (item["criterion"], item["percent"], item["points"], item["percents"], item["spread"]) == (
        "4.1.2", 60, "30.00", [50, 60, 70, 60, 55], 20)
    assert [c["new_percent"] for c in item["changes"]] == [60]
    assert (body["complete"], body["missing"][:2]) == (False, ["4.1.3", "4.1.4"])
