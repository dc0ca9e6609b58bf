"""Exporting a cycle's ranking and every score to Excel in the background (issue 11 §4): the
act queues a job whose progress the exports page shows (nominations.services.jobs)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from judging.errors import NotPermitted
from nominations.models import BackgroundJob, Cycle
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record
from nominations.services.jobs import job_create


def export_queue(*, cycle: Cycle, actor, ip: str | None = None) -> BackgroundJob:
    """Queue the export (scores with judges' names: the secretariat only; audited)."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以导出评分。"))
    with transaction.atomic():
        job = job_create(kind=BackgroundJob.Kind.EXPORT, cycle=cycle, actor=actor)
        audit_record(obj=cycle, action="export.queue", actor=actor, ip=ip, data={"job": job.pk})

        def _enqueue(job_id=job.pk):
            from judging import tasks

            tasks.export_cycle.enqueue(job_id)

        transaction.on_commit(_enqueue)
    return job
