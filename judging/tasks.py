"""Judging e-mail, after commit. Tasks take ids, refetch, and are safe to run twice."""
from __future__ import annotations

from django.utils.translation import gettext
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
def feedback_generate_cycle(cycle_id: int, actor_id: int | None = None, job_id: int | None = None) -> int:
    """(Re)generate the draft feedback report of every scored application of a cycle.
    Released reports are never touched, so running it twice regenerates only drafts.
    One renderer (fonts, stylesheet) serves the whole cycle. Returns the number rendered.
    `job_id`: the BackgroundJob that shows its progress (nominations.services.jobs)."""
    from django.contrib.auth import get_user_model

    from judging.errors import WorkflowError
    from judging.services.feedback_pdf import default_renderer
    from judging.selectors.feedback import feedback_pending_ids
    from judging.services.feedback import feedback_generate
    from nominations.models import Cycle
    from nominations.services.jobs import job_advance, job_fail, job_finish, job_start

    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        job_fail(job_id, gettext("评选周期不存在。"))
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    done = 0
    try:
        renderer = default_renderer()
        pending = list(feedback_pending_ids(cycle))
        job_start(job_id, total=len(pending))
        for pk in pending:
            try:
                feedback_generate(application=pk, actor=actor, renderer=renderer)
            except WorkflowError:
                pass  # released meanwhile, or no longer in a reportable state
            else:
                done += 1
            job_advance(job_id)
    except Exception as exc:
        job_fail(job_id, f"{type(exc).__name__}: {exc}")
        raise
    job_finish(job_id)
    return done


# -- exports ------------------------------------------------------------------------------------
@task()
def export_cycle(job_id: int) -> bool:
    """Build a cycle's Excel export (ranking and every score) into the job's result file,
    reporting progress sheet by sheet."""
    from judging.export import cycle_export_xlsx, export_steps
    from nominations.models import BackgroundJob
    from nominations.services.jobs import job_advance, job_fail, job_finish, job_start

    job = BackgroundJob.objects.select_related("cycle__programme").filter(pk=job_id).first()
    if job is None:
        return False
    try:
        job_start(job.pk, total=export_steps(job.cycle))
        content = cycle_export_xlsx(cycle=job.cycle, progress=lambda: job_advance(job.pk))
        job_finish(job.pk, content=content, name=f"{job.cycle.programme.code}-{job.cycle.year}-scores.xlsx")
    except Exception as exc:
        job_fail(job.pk, f"{type(exc).__name__}: {exc}")
        raise
    return True
