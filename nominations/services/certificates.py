"""Certificates (荣誉证书): numbers allocated at publication, PDFs rendered after commit,
whole-cycle issuing batches with progress."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nominations import crypto
from nominations.errors import InvalidState, NotPermitted
from nominations.models import Application, Certificate, CertificateBatch, Cycle, Publication
from nominations.rules import is_secretariat
from nominations.services.audit import audit_record

BATCH_STALE_AFTER = dt.timedelta(minutes=15)


def certificate_allocate(*, application: Application, now: dt.datetime) -> Certificate:
    """The certificate row for a published application; idempotent. Its number is
    <PROGRAMME>-<CYCLE>-<SEQ>, gap-free within the cycle and never reused. Runs inside the
    publishing act's transaction (the cycle's sequence is incremented in the database)."""
    existing = Certificate.objects.filter(application=application).first()
    if existing:
        return existing
    cycle = application.cycle
    Cycle.objects.filter(pk=cycle.pk).update(certificate_seq=F("certificate_seq") + 1)
    seq = Cycle.objects.values_list("certificate_seq", flat=True).get(pk=cycle.pk)
    nominee = application.nominee
    holder = f"{nominee.name}（{nominee.employer}）" if nominee else application.organization.name
    return Certificate.objects.create(
        application=application, number=f"{cycle.programme.code}-{cycle.year}-{seq:03d}", seq=seq,
        holder=holder, title=application.title, award_name=cycle.programme.name, cycle_label=cycle.label,
        category_name=application.category.name, issuer=cycle.programme.awarding_body, issued_at=now)


def certificate_data(cert: Certificate):
    from nominations.pdf.certificates import CertificateData

    return CertificateData(number=cert.number, holder=cert.holder, title=cert.title,
                           award_name=cert.award_name, cycle_label=cert.cycle_label,
                           category_name=cert.category_name, issuer=cert.issuer,
                           issued_on=timezone.localtime(cert.issued_at).date(), verify_url=cert.verify_url,
                           check_code=cert.check_code)


def certificate_store_pdf(*, certificate: Certificate, pdf: bytes) -> Certificate:
    if certificate.pdf:
        return certificate  # rendered already: running twice issues nothing twice
    certificate.pdf.save(f"{certificate.number}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf_digest = crypto.digest(pdf)  # SM3 or SHA-256, by CRYPTO_SUITE
    certificate.pdf_size = len(pdf)
    certificate.save(update_fields=["pdf", "pdf_sha256", "pdf_digest", "pdf_size"])
    return certificate


def certificate_batch_create(*, cycle: Cycle, actor, ip: str | None = None) -> CertificateBatch:
    """Queue a new issuing run for a published cycle (renders what is missing and a fresh
    combined PDF; certificates already rendered are kept as they are)."""
    if not is_secretariat(actor):
        raise NotPermitted(_("只有秘书处可以生成证书。"))
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not Publication.objects.filter(cycle=locked).exists():
            raise InvalidState(_("本周期尚未发布结果，不能生成证书。"))
        # A batch that has been pending or running for long is taken as lost (worker stopped).
        busy = CertificateBatch.objects.filter(
            cycle=locked, status__in=[CertificateBatch.Status.PENDING, CertificateBatch.Status.RUNNING],
            created_at__gte=timezone.now() - BATCH_STALE_AFTER)
        if busy.exists():
            raise InvalidState(_("已有一批证书正在生成，请等待完成后再重新生成。"))
        batch = batch_queue(cycle=locked, actor=actor)
        audit_record(obj=batch, action="certificates.issue", actor=actor, ip=ip, data={"cycle": locked.pk})
    return batch


def batch_queue(*, cycle: Cycle, actor) -> CertificateBatch:
    """Inside the caller's transaction: a batch row for the cycle's live certificates, and its
    rendering queued on commit."""
    batch = CertificateBatch.objects.create(
        cycle=cycle, requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        total=Certificate.objects.filter(application__cycle=cycle, revoked_at__isnull=True).count())

    def _enqueue(pk=batch.pk):
        from nominations.services.certificate_batches import enqueue_batch
        enqueue_batch(pk)

    transaction.on_commit(_enqueue)
    return batch
