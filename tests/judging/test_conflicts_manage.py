"""Recording, dismissing and withdrawing conflicts; every decision audited."""
import pytest

from judging.enums import ConflictSource, ConflictStatus, RelationKind
from judging.errors import JudgingError, NotFound, NotPermitted
from judging.models import Conflict, JudgeProfile, JudgeRelation
from judging.selectors import conflict_reasons
from judging.services import (
    assignment_create,
    conflict_add,
    conflict_declare,
    conflict_dismiss,
    conflict_dismiss_detected,
    conflict_withdraw,
)
from nominations.models import AuditEntry


def audit_actions(obj):
    return list(AuditEntry.objects.filter(object_type="judging.conflict", object_id=str(obj.pk))
                .values_list("action", flat=True))


def test_secretariat_conflict_is_pinned_and_judge_cannot_withdraw_it(judge, organization, secretariat):
    conflict = conflict_add(judge=judge, organization=organization, actor=secretariat, reason="曾任该单位独立董事")
    assert (conflict.source, conflict.status, conflict.pinned) == (ConflictSource.SECRETARIAT,
                                                                    ConflictStatus.ACTIVE, True)
    with pytest.raises(NotPermitted, match="锁定"):
        conflict_withdraw(conflict=conflict, actor=judge)
    assert Conflict.objects.filter(pk=conflict.pk, status=ConflictStatus.ACTIVE).exists()
    assert audit_actions(conflict) == ["conflict.add"]


def test_judge_can_withdraw_own_unpinned_declaration(judge, organization):
    conflict = conflict_declare(judge=judge, organization=organization, actor=judge, reason="配偶在该公司任职")
    assert conflict_reasons(judge=judge, organization=organization) == ["专家声明：配偶在该公司任职"]
    conflict_withdraw(conflict=conflict, actor=judge)
    assert not Conflict.objects.exists()
    assert conflict_reasons(judge=judge, organization=organization) == []
    assert audit_actions(conflict) == ["conflict.declare", "conflict.withdraw"]


def test_withdrawing_a_declaration_does_not_hide_detected_facts(judge, organization):
    profile = JudgeProfile.objects.create(user=judge)
    JudgeRelation.objects.create(judge=profile, organization_uscc=organization.uscc, organization_name="甲方",
                                 kind=RelationKind.CONSULTING)
    conflict = conflict_declare(judge=judge, organization=organization, actor=judge, reason="咨询")
    conflict_withdraw(conflict=conflict, actor=judge)
    assert conflict_reasons(judge=judge, organization=organization) == ["专家曾为该单位（甲方）提供咨询或辅导"]


def test_judge_cannot_withdraw_a_detected_conflict(judge, organization, secretariat):
    conflict = Conflict.objects.create(judge=judge, organization=organization, source=ConflictSource.DETECTED,
                                       reason="检测")
    with pytest.raises(NotPermitted):
        conflict_withdraw(conflict=conflict, actor=judge)


def test_another_user_cannot_withdraw_or_declare_for_a_judge(judge, organization, outsider):
    conflict = conflict_declare(judge=judge, organization=organization, actor=judge, reason="亲属")
    with pytest.raises(NotFound):
        conflict_withdraw(conflict=conflict, actor=outsider)
    with pytest.raises(NotPermitted):
        conflict_declare(judge=judge, organization=organization, actor=outsider, reason="x")


def test_only_secretariat_dismisses_and_a_reason_is_required(judge, organization, secretariat):
    conflict = conflict_declare(judge=judge, organization=organization, actor=judge, reason="亲属")
    with pytest.raises(NotPermitted):
        conflict_dismiss(conflict=conflict, actor=judge, reason="x")
    with pytest.raises(JudgingError, match="排除理由"):
        conflict_dismiss(conflict=conflict, actor=secretariat, reason=" ")
    dismissed = conflict_dismiss(conflict=conflict, actor=secretariat, reason="经核实已离婚")
    assert (dismissed.status, dismissed.decided_by, dismissed.decision_note) == (
        ConflictStatus.DISMISSED, secretariat, "经核实已离婚")
    assert audit_actions(conflict) == ["conflict.declare", "conflict.dismiss"]


def test_dismissing_an_unrecorded_detection_records_it_dismissed(judge, organization, secretariat, accepted):
    profile = JudgeProfile.objects.create(user=judge, affiliation="甲方", affiliation_uscc=organization.uscc)
    assert profile.pk
    conflict = conflict_dismiss_detected(judge=judge, organization=organization, actor=secretariat,
                                         reason="同名代码录入错误，已更正")
    assert (conflict.source, conflict.status) == (ConflictSource.DETECTED, ConflictStatus.DISMISSED)
    assert conflict_reasons(judge=judge, organization=organization) == []
    # now the judge may be assigned
    assignment_create(application=accepted, judge=judge, stage="document", actor=secretariat)


def test_declaring_reactivates_a_dismissed_record_and_secretariat_can_reinstate(judge, organization, secretariat):
    conflict = conflict_declare(judge=judge, organization=organization, actor=judge, reason="亲属")
    conflict_dismiss(conflict=conflict, actor=secretariat, reason="误报")
    again = conflict_declare(judge=judge, organization=organization, actor=judge, reason="仍然是亲属")
    assert (again.pk, again.status, again.reason) == (conflict.pk, ConflictStatus.ACTIVE, "仍然是亲属")
    conflict_dismiss(conflict=again, actor=secretariat, reason="误报")
    pinned = conflict_add(judge=judge, organization=organization, actor=secretariat, reason="秘书处认定")
    assert (pinned.pk, pinned.status, pinned.pinned) == (conflict.pk, ConflictStatus.ACTIVE, True)
