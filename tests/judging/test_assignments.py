"""Manual assignment, the assignment state machine, leaders, e-mail and reminders."""
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from judging.enums import AssignmentState, ConflictSource, ConflictStatus
from judging.errors import InvalidState, JudgingError, NotPermitted
from judging.models import Assignment, Conflict, JudgeProfile
from judging.services import (
    assignment_accept,
    assignment_create,
    assignment_decline,
    assignment_reopen,
    assignment_set_due,
    assignments_send_due_reminders,
    conflict_add,
)
from nominations.models import AuditEntry
from tests.judging.conftest import fill_and_submit, make_judges


def test_create_assigns_emails_the_judge_and_first_becomes_leader(accepted, secretariat,
                                                                  django_capture_on_commit_callbacks):
    j1, j2 = make_judges(2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        a1 = assignment_create(application=accepted, judge=j1, stage="document", actor=secretariat)
        a2 = assignment_create(application=accepted, judge=j2, stage="document", actor=secretariat)
    assert [(a.judge, a.state, a.is_leader) for a in Assignment.objects.order_by("id")] == [
        (j1, AssignmentState.ASSIGNED, True), (j2, AssignmentState.ASSIGNED, False)]
    assert (a1.is_leader, a2.is_leader) == (True, False)
    assert sorted(m.to[0] for m in mail.outbox) == ["j1@example.com", "j2@example.com"]
    assert "评审任务" in mail.outbox[0].subject


def test_conflicted_judge_is_refused_with_the_reason_and_nothing_changes(accepted, judge, secretariat,
                                                                         django_capture_on_commit_callbacks):
    JudgeProfile.objects.create(user=judge, affiliation="甲方", affiliation_uscc=accepted.organization.uscc)
    mail.outbox.clear()
    with pytest.raises(JudgingError) as exc, django_capture_on_commit_callbacks(execute=True):
        assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    assert exc.value.status == 400
    assert exc.value.missing == ["专家的工作单位（甲方）即该申报单位"]
    assert "须回避" in exc.value.message
    assert not Assignment.objects.exists()
    assert mail.outbox == []


def test_duplicate_is_refused(accepted, judge, secretariat):
    assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    with pytest.raises(JudgingError, match="不能重复分配") as exc:
        assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    assert exc.value.code == "duplicate"
    assert Assignment.objects.count() == 1


def test_application_not_yet_accepted_cannot_get_judges(submitted, judge, secretariat):
    with pytest.raises(InvalidState, match="已提交"):
        assignment_create(application=submitted, judge=judge, stage="document", actor=secretariat)
    assert not Assignment.objects.exists()


def test_wrong_stage_role_or_judge_is_refused(accepted, judge, outsider, secretariat):
    with pytest.raises(InvalidState):
        assignment_create(application=accepted, judge=judge, stage="site", actor=secretariat)
    with pytest.raises(NotPermitted):
        assignment_create(application=accepted, judge=judge, stage="document", actor=judge)
    with pytest.raises(JudgingError, match="不是评审专家"):
        assignment_create(application=accepted, judge=outsider, stage="document", actor=secretariat)
    assert not Assignment.objects.exists()


def test_decline_records_a_declared_conflict_passes_leadership_and_audits(accepted, secretariat):
    j1, j2 = make_judges(2)
    a1 = assignment_create(application=accepted, judge=j1, stage="document", actor=secretariat)
    a2 = assignment_create(application=accepted, judge=j2, stage="document", actor=secretariat)
    with pytest.raises(JudgingError, match="回避理由"):
        assignment_decline(assignment=a1, actor=j1, reason="")
    declined = assignment_decline(assignment=a1, actor=j1, reason="近三年曾为该单位提供咨询")
    assert (declined.state, declined.is_leader, declined.decline_reason) == (
        AssignmentState.DECLINED, False, "近三年曾为该单位提供咨询")
    assert Assignment.objects.get(pk=a2.pk).is_leader is True
    conflict = Conflict.objects.get()
    assert (conflict.judge, conflict.organization, conflict.source, conflict.status) == (
        j1, accepted.organization, ConflictSource.DECLARED, ConflictStatus.ACTIVE)
    actions = list(AuditEntry.objects.filter(object_type__in=["judging.assignment", "judging.conflict"])
                   .values_list("object_type", "action"))
    assert actions == [("judging.assignment", "assignment.create"), ("judging.assignment", "assignment.leader"),
                       ("judging.assignment", "assignment.create"), ("judging.assignment", "assignment.decline"),
                       ("judging.conflict", "conflict.declare"), ("judging.assignment", "assignment.leader")]
    with pytest.raises(JudgingError, match="已回避过"):
        assignment_create(application=accepted, judge=j1, stage="document", actor=secretariat)


def test_accept_is_refused_when_a_conflict_appeared_after_assignment(accepted, judge, secretariat):
    a = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    conflict_add(judge=judge, organization=accepted.organization, actor=secretariat, reason="举报核实")
    with pytest.raises(JudgingError, match="利益冲突"):
        assignment_accept(assignment=a, actor=judge)
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.ASSIGNED


def test_only_own_judge_accepts_and_only_secretariat_reopens(review_app, judges, secretariat,
                                                              django_capture_on_commit_callbacks):
    app, assignments = review_app
    with pytest.raises(NotPermitted):
        assignment_accept(assignment=assignments[0], actor=judges[1])
    fill_and_submit(assignments[0], judges[0], 50)
    with pytest.raises(NotPermitted):
        assignment_reopen(assignment=assignments[0], actor=judges[0], reason="想改")
    with pytest.raises(JudgingError, match="退回理由"):
        assignment_reopen(assignment=assignments[0], actor=secretariat, reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reopened = assignment_reopen(assignment=assignments[0], actor=secretariat, reason="4.7.4 未写改进机会")
    assert (reopened.state, reopened.reopen_reason) == (AssignmentState.REOPENED, "4.7.4 未写改进机会")
    assert [m.to for m in mail.outbox] == [["j1@example.com"]]
    resubmitted = fill_and_submit(reopened, judges[0], 55)
    assert resubmitted.state == AssignmentState.SUBMITTED


def test_accepting_twice_is_a_state_error(accepted, judge, secretariat):
    a = assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)
    assignment_accept(assignment=a, actor=judge)
    with pytest.raises(InvalidState) as exc:
        assignment_accept(assignment=Assignment.objects.get(pk=a.pk), actor=judge)
    assert exc.value.status == 409


def test_due_reminders_are_sent_once_and_rearmed_by_a_new_due_date(accepted, secretariat,
                                                                    django_capture_on_commit_callbacks):
    now = timezone.now()
    j1, j2, j3 = make_judges(3)
    soon = assignment_create(application=accepted, judge=j1, stage="document", actor=secretariat,
                             due_at=now + dt.timedelta(days=2))
    assignment_create(application=accepted, judge=j2, stage="document", actor=secretariat,
                      due_at=now + dt.timedelta(days=10))
    declined = assignment_create(application=accepted, judge=j3, stage="document", actor=secretariat,
                                 due_at=now + dt.timedelta(days=1))
    assignment_decline(assignment=declined, actor=j3, reason="亲属")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert assignments_send_due_reminders(within_days=3, now=now) == [soon.pk]
        assert assignments_send_due_reminders(within_days=3, now=now) == []
        call_command("send_due_reminders", "--days", "3", stdout=io.StringIO())
    assert [(m.to, "评分提醒" in m.subject) for m in mail.outbox] == [(["j1@example.com"], True)]
    assignment_set_due(assignment=soon, due_at=now + dt.timedelta(days=1), actor=secretariat)
    assert assignments_send_due_reminders(within_days=3, now=now) == [soon.pk]


def test_progress_board_counts_assignments_per_stage_and_state(review_app, judges, secretariat,
                                                                django_assert_num_queries):
    from judging.selectors import judging_progress
    from tests.judging.conftest import fill_and_submit

    app, assignments = review_app
    fill_and_submit(assignments[0], judges[0], 60)
    with django_assert_num_queries(2):
        [row] = judging_progress(cycle=app.cycle)
    doc = row["stages"]["document"]
    assert (row["application"], doc["accepted"], doc["submitted"], doc["declined"], doc["live"]) == (app, 4, 1, 0, 5)
