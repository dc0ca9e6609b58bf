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
    from nominations.pdf.certificates import default_renderer
    from nominations.models import Certificate
    from nominations.services.publication import certificate_data, certificate_store_pdf

    cert = Certificate.objects.filter(pk=certificate_id).first()
    if cert is None or cert.pdf:
        return False
    certificate_store_pdf(certificate=cert, pdf=default_renderer().render(certificate_data(cert)))
    return True


CERT_CHUNK = 25


@task()
def issue_certificates(batch_id: int) -> int:
    """Render a cycle's certificates (individual PDFs + one print-ready combined PDF),
    updating the batch's progress after each chunk. Safe to run twice."""
    import time

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from nominations.pdf.certificates import default_renderer, merge_pdfs
    from nominations.models import Certificate, CertificateBatch
    from nominations.services.publication import certificate_data, certificate_store_pdf

    batch = CertificateBatch.objects.filter(pk=batch_id).select_related("cycle").first()
    if batch is None or batch.status == CertificateBatch.Status.DONE:
        return 0
    started = time.monotonic()
    certs = list(Certificate.objects.filter(application__cycle=batch.cycle, revoked_at__isnull=True)
                 .order_by("seq"))
    batch.status, batch.total, batch.done = CertificateBatch.Status.RUNNING, len(certs), 0
    batch.save(update_fields=["status", "total", "done"])
    renderer = default_renderer()
    workers = getattr(settings, "CERT_RENDER_WORKERS", 1)
    parts, rendered = [], 0
    try:
        for start in range(0, len(certs), CERT_CHUNK):
            chunk = certs[start:start + CERT_CHUNK]
            result = renderer.issue([certificate_data(c) for c in chunk], workers=workers)
            for cert, pdf in zip(chunk, result.pdfs):
                if not cert.pdf:
                    certificate_store_pdf(certificate=cert, pdf=pdf)
                    rendered += 1
            parts.append(result.combined)
            batch.done = start + len(chunk)
            batch.save(update_fields=["done"])
        combined = merge_pdfs(parts) if len(parts) > 1 else (parts[0] if parts else b"")
        if combined:
            batch.combined_pdf.save(f"{batch.cycle.programme.code}-{batch.cycle.year}-all.pdf",
                                    ContentFile(combined), save=False)
        batch.status = CertificateBatch.Status.DONE
    except Exception as exc:  # recorded for the secretariat, then re-raised for the worker log
        batch.status, batch.error = CertificateBatch.Status.FAILED, str(exc)[:2000]
        raise
    finally:
        batch.finished_at = timezone.now()
        batch.elapsed_ms = int((time.monotonic() - started) * 1000)
        batch.save(update_fields=["status", "error", "combined_pdf", "finished_at", "elapsed_ms"])
    return rendered
