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


# -- feedback reports (评审反馈报告) ------------------------------------------------------
@task()
def feedback_generate_cycle(cycle_id: int, actor_id: int | None = None) -> int:
    """(Re)generate the draft feedback report of every scored application of a cycle.
    Released reports are never touched, so running it twice regenerates only drafts.
    One renderer (fonts, stylesheet) serves the whole cycle. Returns the number rendered."""
    from django.contrib.auth import get_user_model

    from judging.errors import WorkflowError
    from judging.services.feedback_pdf import default_renderer
    from judging.selectors.feedback import feedback_pending_ids
    from judging.services.feedback import feedback_generate
    from nominations.models import Cycle

    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    renderer = default_renderer()
    done = 0
    for pk in feedback_pending_ids(cycle):
        try:
            feedback_generate(application=pk, actor=actor, renderer=renderer)
        except WorkflowError:
            continue  # released meanwhile, or no longer in a reportable state
        done += 1
    return done
