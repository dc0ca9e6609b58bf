"""Automatic assignment: conflict-free, balanced, deterministic, unfilled places reported."""
from collections import Counter

import pytest

from judging.enums import AssignmentState, RelationKind
from judging.errors import JudgingError, NotPermitted
from judging.models import Assignment, AutoAssignRun, JudgeProfile, JudgeRelation
from judging.services import assignment_create, assignment_decline, assignments_auto_assign
from nominations.models import AuditEntry
from tests.judging.conftest import make_judges, new_accepted_application


@pytest.fixture
def four_apps(cycle, recommender, unit, secretariat):
    return [new_accepted_application(cycle=cycle, recommender=recommender, unit=unit, secretariat=secretariat,
                                     industry=industry)
            for industry in ("装备制造", "食品制造", "新材料", "现代物流")]


def pairs():
    return sorted(Assignment.objects.values_list("application_id", "judge_id"))


def test_fills_every_application_balanced_and_records_the_run(four_apps, secretariat):
    judges = make_judges(6)
    result = assignments_auto_assign(cycle=four_apps[0].cycle, stage="document", judges_per_application=3,
                                     actor=secretariat, seed=7)
    per_app = Counter(a for a, _ in pairs())
    assert per_app == {app.pk: 3 for app in four_apps}
    loads = Counter(j for _, j in pairs())
    assert sorted(loads[j.pk] for j in judges) == [2, 2, 2, 2, 2, 2]
    assert result.unfilled == []
    assert len(result.created) == 12
    assert sum(1 for a in Assignment.objects.filter(is_leader=True)) == 4  # one leader per panel
    run = AutoAssignRun.objects.get()
    assert (run.seed, run.created, run.result["unfilled"]) == (7, 12, [])
    assert sorted((c["application"], c["judge"]) for c in run.result["created"]) == pairs()
    entry = AuditEntry.objects.get(action="assignment.auto_assign")
    assert entry.data["seed"] == 7 and len(entry.data["created"]) == 12


def test_loads_stay_within_one_when_places_do_not_divide_evenly(four_apps, secretariat):
    judges = make_judges(5)
    assignments_auto_assign(cycle=four_apps[0].cycle, stage="document", judges_per_application=3,
                            actor=secretariat, seed=1)
    loads = Counter(j for _, j in pairs())
    values = [loads[j.pk] for j in judges]
    assert sum(values) == 12 and max(values) - min(values) <= 1


def test_never_assigns_a_conflicted_or_declined_judge_and_reports_unfilled(four_apps, secretariat):
    judges = make_judges(4)
    target = four_apps[0]
    profile = JudgeProfile.objects.create(user=judges[0])
    JudgeRelation.objects.create(judge=profile, organization_uscc=target.organization.uscc,
                                 organization_name=target.organization.name, kind=RelationKind.CONSULTING)
    declined = assignment_create(application=target, judge=judges[1], stage="document", actor=secretariat)
    assignment_decline(assignment=declined, actor=judges[1], reason="曾为其员工")

    result = assignments_auto_assign(cycle=target.cycle, stage="document", judges_per_application=3,
                                     actor=secretariat, seed=3)
    live = set(Assignment.objects.filter(application=target).exclude(state=AssignmentState.DECLINED)
               .values_list("judge_id", flat=True))
    assert live == {judges[2].pk, judges[3].pk}
    assert result.unfilled == [{"application": target.pk, "missing": 1}]
    assert all(Counter(a for a, _ in pairs())[app.pk] == 3 for app in four_apps[1:])


def test_counts_existing_live_assignments_and_tops_up_after_a_decline(four_apps, secretariat):
    judges = make_judges(6)
    cycle = four_apps[0].cycle
    assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=2, actor=secretariat, seed=5)
    assert Assignment.objects.count() == 8
    again = assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=2, actor=secretariat,
                                    seed=5)
    assert (again.created, again.unfilled) == ([], [])
    first = Assignment.objects.filter(application=four_apps[0]).first()
    assignment_decline(assignment=first, actor=first.judge, reason="亲属在该单位")
    refill = assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=2, actor=secretariat,
                                     seed=5)
    assert [(a.application_id, a.judge_id != first.judge_id) for a in refill.created] == [(four_apps[0].pk, True)]
    assert judges


def test_same_seed_gives_the_same_result_and_another_seed_may_differ(four_apps, secretariat):
    make_judges(8)
    cycle = four_apps[0].cycle
    first = assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=3, actor=secretariat,
                                    seed=42)
    result_a = pairs()
    Assignment.objects.all().delete()
    assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=3, actor=secretariat, seed=42)
    assert pairs() == result_a
    outcomes = set()
    for seed in (1, 2, 3, 4, 5):
        Assignment.objects.all().delete()
        assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=3, actor=secretariat,
                                seed=seed)
        outcomes.add(tuple(pairs()))
    assert len(outcomes) > 1
    assert first.seed == 42


def test_expertise_match_wins_among_equally_loaded_judges(four_apps, secretariat):
    judges = make_judges(8)
    machinery = four_apps[0]  # equally hard to fill: filled first (lowest id), when all loads are 0
    for j in judges[5:]:
        JudgeProfile.objects.create(user=j, expertise=["装备制造"])
    assignments_auto_assign(cycle=machinery.cycle, stage="document", judges_per_application=3, actor=secretariat,
                            seed=9)
    assert set(Assignment.objects.filter(application=machinery).values_list("judge_id", flat=True)) == {
        j.pk for j in judges[5:]}


def test_no_seed_draws_and_records_one(four_apps, secretariat):
    make_judges(3)
    result = assignments_auto_assign(cycle=four_apps[0].cycle, stage="document", judges_per_application=1,
                                     actor=secretariat)
    assert AutoAssignRun.objects.get().seed == result.seed


def test_bad_parameters_and_wrong_role_change_nothing(four_apps, secretariat, judge):
    cycle = four_apps[0].cycle
    with pytest.raises(NotPermitted):
        assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=3, actor=judge)
    with pytest.raises(JudgingError):
        assignments_auto_assign(cycle=cycle, stage="document", judges_per_application=0, actor=secretariat)
    with pytest.raises(JudgingError):
        assignments_auto_assign(cycle=cycle, stage="final", judges_per_application=3, actor=secretariat)
    assert not Assignment.objects.exists() and not AutoAssignRun.objects.exists()


def test_detected_conflicts_are_recorded_for_the_board(four_apps, secretariat):
    from judging.models import Conflict

    judges = make_judges(3)
    profile = JudgeProfile.objects.create(user=judges[0], affiliation="乙", affiliation_uscc=four_apps[2].organization.uscc)
    assert profile.pk
    assignments_auto_assign(cycle=four_apps[0].cycle, stage="document", judges_per_application=1, actor=secretariat,
                            seed=4)
    assert list(Conflict.objects.values_list("judge_id", "organization_id", "source")) == [
        (judges[0].pk, four_apps[2].organization_id, "detected")]
    assert not Assignment.objects.filter(application=four_apps[2], judge=judges[0]).exists()
