"""Conflict detection at organization level, by credit code (DOMAIN.md §4)."""
import datetime as dt

import pytest
from django.utils import timezone

from judging.enums import ConflictStatus, RelationKind
from judging.models import Conflict, JudgeProfile, JudgeRelation
from judging.selectors import conflict_map, conflict_reasons, conflicts_detect, employment_cutoff
from judging.services import conflicts_scan
from tests import factories as f

NOW = timezone.make_aware(dt.datetime(2024, 6, 15, 10, 0))


@pytest.fixture
def profile(judge):
    return JudgeProfile.objects.create(user=judge, affiliation="上海某大学", affiliation_uscc="")


def relate(profile, org, kind, **dates):
    return JudgeRelation.objects.create(judge=profile, organization_uscc=org.uscc, organization_name=org.name,
                                        kind=kind, **dates)


def test_no_facts_no_conflict(judge, profile, organization):
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == []
    assert conflict_reasons(judge=judge, organization=organization, now=NOW) == []


def test_affiliation_credit_code_equal_to_applicant_conflicts(judge, profile, organization, other_organization):
    profile.affiliation_uscc = organization.uscc
    profile.save()
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == [
        "专家的工作单位（上海某大学）即该申报单位"]
    assert conflicts_detect(judge=judge, organization=other_organization, now=NOW) == []


@pytest.mark.parametrize("kind, expected", [
    (RelationKind.CONSULTING, "专家曾为该单位（上海甲方科技有限公司）提供咨询或辅导"),
    (RelationKind.RELATIVE, "专家的近亲属在该单位（上海甲方科技有限公司）任职"),
    (RelationKind.COMPETITOR, "专家所在单位与该单位（上海甲方科技有限公司）存在竞争关系"),
])
def test_any_time_relations_conflict_however_old(judge, profile, organization, kind, expected):
    relate(profile, organization, kind, since=dt.date(1995, 1, 1), until=dt.date(1999, 12, 31))
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == [expected]


def test_current_employment_conflicts(judge, profile, organization):
    relate(profile, organization, RelationKind.EMPLOYMENT, since=dt.date(2010, 1, 1))
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == [
        "专家现任职于该单位（上海甲方科技有限公司）"]


def test_employment_ended_exactly_three_years_ago_still_conflicts(judge, profile, organization):
    assert employment_cutoff(NOW) == dt.date(2021, 6, 15)
    relate(profile, organization, RelationKind.EMPLOYMENT, since=dt.date(2010, 1, 1), until=dt.date(2021, 6, 15))
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == [
        "专家曾任职于该单位（上海甲方科技有限公司），2021-06-15 离职，未满3年"]


def test_employment_ended_three_years_and_a_day_ago_does_not_conflict(judge, profile, organization):
    relate(profile, organization, RelationKind.EMPLOYMENT, since=dt.date(2010, 1, 1), until=dt.date(2021, 6, 14))
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == []


def test_relation_with_another_organization_does_not_conflict(judge, profile, organization, other_organization):
    relate(profile, other_organization, RelationKind.CONSULTING)
    assert conflicts_detect(judge=judge, organization=organization, now=NOW) == []


def test_dismissed_detection_stays_dismissed_after_rescan(judge, profile, organization, secretariat):
    from judging.services import conflict_dismiss

    relate(profile, organization, RelationKind.COMPETITOR)
    [recorded] = conflicts_scan(judges=[judge], organizations=[organization], now=NOW)
    conflict_dismiss(conflict=recorded, actor=secretariat, reason="已核实：非直接竞争对手")

    assert conflicts_scan(judges=[judge], organizations=[organization], now=NOW) == []
    relate(profile, organization, RelationKind.CONSULTING)  # new facts do not revive it either
    assert conflicts_scan(judges=[judge], organizations=[organization], now=NOW) == []
    assert list(Conflict.objects.values_list("status", flat=True)) == [ConflictStatus.DISMISSED]
    assert conflict_reasons(judge=judge, organization=organization, now=NOW) == []
    # the raw detection still reports the facts; only the decision suppresses them
    assert len(conflicts_detect(judge=judge, organization=organization, now=NOW)) == 2


def test_conflict_map_answers_many_pairs_in_three_queries(django_assert_num_queries, organization,
                                                          other_organization):
    judges = [f.UserFactory(username=f"cm{i}", groups=["judge"]) for i in range(4)]
    for j in judges[:2]:
        p = JudgeProfile.objects.create(user=j)
        relate(p, organization, RelationKind.CONSULTING)
    Conflict.objects.create(judge=judges[3], organization=other_organization, source="declared", reason="亲属")
    with django_assert_num_queries(3):
        result = conflict_map(judges, [organization, other_organization], now=NOW)
    assert set(result) == {(judges[0].pk, organization.pk), (judges[1].pk, organization.pk),
                           (judges[3].pk, other_organization.pk)}
    assert result[(judges[3].pk, other_organization.pk)] == ["专家声明：亲属"]
