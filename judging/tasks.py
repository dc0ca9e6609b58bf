"""Judging e-mail, after commit. Tasks take ids, refetch, and are safe to run twice."""
from __future__ import annotations

from django_tasks import task

from judging.enums import OUTSTANDING
from judging.models import Assignment, person_name
from nominations.tasks import send_templated_email


def _assignment(pk: int) -> Assignment | None:
    return (Assignment.objects.select_related("application__cycle__programme", "application__category",
                                              "application__organization", "application__nominee", "judge")
            .filter(pk=pk).first())


def _context(a: Assignment) -> dict:
    return {"assignment": a, "application": a.application, "judge_name": person_name(a.judge)}


@task()
def send_assignment_notice(assignment_id: int) -> int:
    a = _assignment(assignment_id)
    if a is None or not a.judge.email or a.state not in OUTSTANDING:
        return 0
    return int(send_templated_email(template="judging-assignment", to=[a.judge.email], context=_context(a)))


@task()
def send_due_reminder(assignment_id: int) -> int:
    a = _assignment(assignment_id)
    if a is None or not a.judge.email or a.state not in OUTSTANDING:
        return 0
    return int(send_templated_email(template="judging-due-reminder", to=[a.judge.email], context=_context(a)))


@task()
def send_reopen_notice(assignment_id: int) -> int:
    a = _assignment(assignment_id)
    if a is None or not a.judge.email:
        return 0
    return int(send_templated_email(template="judging-reopened", to=[a.judge.email], context=_context(a)))
