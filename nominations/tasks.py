"""Background work. Tasks take ids, refetch, and are safe to run twice."""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from nominations.models import Application


def _applicant_emails(app: Application) -> list[str]:
    emails = {m.user.email for m in app.organization.memberships.select_related("user") if m.user.email}
    if app.organization.contact_email:
        emails.add(app.organization.contact_email)
    return sorted(emails)


def _recommender_emails(app: Application) -> list[str]:
    unit = app.recommending_unit
    if unit is None:
        return []
    emails = {m.user.email for m in unit.memberships.select_related("user") if m.user.email}
    if unit.contact_email:
        emails.add(unit.contact_email)
    return sorted(emails)


def send_templated_email(*, template: str, to: list[str], context: dict) -> bool:
    """Render templates/emails/<template>-{subject,body}.txt (+ optional body.html) and send."""
    if not to:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
        body = render_to_string(f"emails/{template}-body.txt", ctx)
        message = EmailMultiAlternatives(subject=subject, body=body, to=to)
        try:
            message.attach_alternative(render_to_string(f"emails/{template}-body.html", ctx), "text/html")
        except TemplateDoesNotExist:
            pass
        message.send()
    return True


# transition name -> (template, audience)
TRANSITION_EMAILS = {
    "submit": [("application-submitted", "applicant"), ("application-to-recommender", "recommender")],
    "endorse": [("application-endorsed", "applicant")],
    "return": [("application-returned", "applicant")],
    "accept": [("application-accepted", "applicant")],
    "reject": [("application-rejected", "applicant")],
}


@task()
def send_transition_emails(application_id: int, name: str, source: str = "") -> int:
    app = (Application.objects.select_related("cycle__programme", "category", "organization",
                                              "recommending_unit", "nominee")
           .filter(pk=application_id).first())
    if app is None:
        return 0
    sent = 0
    for template, audience in TRANSITION_EMAILS.get(name, []):
        if template == "application-to-recommender" and source == "returned":
            template = "application-resubmitted-to-recommender"
        to = _applicant_emails(app) if audience == "applicant" else _recommender_emails(app)
        sent += send_templated_email(template=template, to=to,
                                     context={"application": app, "resubmitted": source == "returned"})
    return sent


# -- publication -----------------------------------------------------------------
@task()
def send_result_email(application_id: int) -> int:
    """Tell the applicant its final result (published, or not awarded / eliminated)."""
    app = (Application.objects.select_related("cycle__programme", "category", "organization", "nominee")
           .filter(pk=application_id).first())
    if app is None:
        return 0
    template = "result-awarded" if app.state == "published" else "result-not-awarded"
    return int(send_templated_email(template=template, to=_applicant_emails(app), context={"application": app}))


@task()
def send_cycle_results(cycle_id: int) -> int:
    """After a cycle's publication, tell every applicant that was judged but not awarded."""
    ids = Application.objects.filter(cycle_id=cycle_id, state__in=["not_awarded", "eliminated"]).values_list(
        "pk", flat=True)
    return sum(send_result_email.call(pk) for pk in ids)


@task()
def send_objection_outcome(objection_id: int) -> int:
    from nominations.models import Objection

    obj = Objection.objects.select_related("application__cycle__programme").filter(pk=objection_id).first()
    if obj is None or not obj.email:
        return 0
    return int(send_templated_email(template="objection-outcome", to=[obj.email], context={"objection": obj}))


@task()
def render_certificate(certificate_id: int) -> bool:
    """Render and store one certificate's PDF; does nothing when it exists already."""
    from nominations.services.certificate_batches import render_one

    return render_one(certificate_id)


@task()
def issue_certificates(batch_id: int) -> int:
    """Render a cycle's certificates (individual PDFs + one print-ready combined PDF) with
    visible progress. Several workers share one batch, chunk by chunk; a chunk left by a
    worker that died is rendered by another. Safe to run twice (see
    nominations.services.certificate_batches)."""
    from nominations.services.certificate_batches import run_batch

    return run_batch(batch_id)
