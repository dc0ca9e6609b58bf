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
