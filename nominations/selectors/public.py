"""Reads for the public pages (公示, winners, certificate verification) and for the
secretariat's notice, objection and publication desks.

Public reads never load a nominee's identity document fields: they are deferred here
so that no template or serializer can show them by accident.
"""
from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.crypto import constant_time_compare

from nominations import rules
from nominations.enums import ApplicationState as S
from nominations.models import (
    CHECK_CODE_LENGTH,
    OBJECTION_OPEN,
    Application,
    Certificate,
    CertificateBatch,
    Cycle,
    Objection,
    ObjectionState,
    AwardRecord,
    NoticeEntry,
    Publication,
    PublicNotice,
)

NOMINEE_PRIVATE = ("nominee__id_number_encrypted", "nominee__id_number_index", "nominee__id_number_masked",
                   "nominee__id_type")


def public_applications() -> QuerySet[Application]:
    """Applications with what a public page shows (holder, title, programme, category)."""
    return (Application.objects.select_related("cycle__programme", "category", "organization", "nominee")
            .defer(*NOMINEE_PRIVATE))


# -- public notices --------------------------------------------------------------------
def notices_public() -> QuerySet[PublicNotice]:
    """Every notice (upcoming, open, past), newest first, with its frozen entries."""
    return (PublicNotice.objects.select_related("cycle__programme")
            .prefetch_related(Prefetch("entries", queryset=NoticeEntry.objects.order_by("order", "id")))
            .order_by("-starts_at", "-id"))


def notice_public(pk) -> PublicNotice | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return notices_public().filter(pk=pk).first()


# -- winners ---------------------------------------------------------------------------
def winners(*, programme: str | None = None, cycle_label: str | None = None) -> QuerySet[AwardRecord]:
    """Every published award (an application is listed here if and only if it is published),
    as frozen at publication, with its announcement and certificate."""
    qs = (AwardRecord.objects.filter(application__state=S.PUBLISHED, publication__isnull=False)
          .select_related("programme", "publication", "application__certificate"))
    if programme:
        qs = qs.filter(programme__code=programme)
    if cycle_label:
        qs = qs.filter(cycle_label=cycle_label)
    return qs.order_by("programme__order", "-year", "cycle_label", "publication__published_at",
                       "application__certificate__seq", "id")


def publications(*, programme: str | None = None, cycle_label: str | None = None) -> QuerySet[Publication]:
    """Announcements (main and supplementary), by programme and cycle, oldest first within a cycle."""
    qs = Publication.objects.select_related("cycle__programme")
    if programme:
        qs = qs.filter(cycle__programme__code=programme)
    if cycle_label:
        qs = qs.filter(cycle__label=cycle_label)
    return qs.order_by("cycle__programme__order", "-cycle__year", "cycle__label", "published_at", "id")


def main_announcements(cycle_ids) -> dict[int, Publication]:
    """Each cycle's main results announcement, by cycle id (one query)."""
    return {p.cycle_id: p for p in Publication.objects.filter(cycle_id__in=list(cycle_ids),
                                                              kind=Publication.Kind.MAIN)}


def published_cycle_labels() -> list[str]:
    return sorted(set(Publication.objects.values_list("cycle__label", flat=True)), reverse=True)


# -- certificates ----------------------------------------------------------------------
def certificate_by_code(code: str) -> Certificate | None:
    if not code or len(code) > 64:
        return None
    return (Certificate.objects.select_related("application__cycle__programme")
            .filter(verification_code=code).first())


def certificate_by_number(number: str, check: str) -> Certificate | None:
    """The certificate with this number whose verification code starts with `check` (the
    check code printed under the QR code); None for a wrong or incomplete pair alike.
    The number and the check code are compared without regard to case or spaces."""
    number = "".join((number or "").split()).upper()
    check = "".join((check or "").split())
    if not number or len(number) > 40 or len(check) != CHECK_CODE_LENGTH:
        return None
    cert = (Certificate.objects.select_related("application__cycle__programme")
            .filter(number__iexact=number).first())
    if cert is None or not constant_time_compare(cert.check_code.lower(), check.lower()):
        return None
    return cert


def certificate_for_user(user, application_pk) -> Certificate | None:
    """The application's certificate for its applicants and the secretariat; None for
    everyone else alike (missing, not published, not yours)."""
    cert = (Certificate.objects.select_related("application__cycle__programme", "application__organization")
            .filter(application_id=application_pk).first())
    if cert is None:
        return None
    if rules.is_secretariat(user) or rules.is_application_applicant(user, cert.application):
        return cert
    return None


def cycle_certificates(cycle: Cycle) -> QuerySet[Certificate]:
    return (Certificate.objects.filter(application__cycle=cycle)
            .select_related("application__category", "application__organization").order_by("seq"))


def cycle_batches(cycle: Cycle) -> QuerySet[CertificateBatch]:
    return CertificateBatch.objects.filter(cycle=cycle).select_related("requested_by").order_by("-created_at", "-id")


# -- applicant results -----------------------------------------------------------------
def applicant_results(user) -> QuerySet[Application]:
    """The user's organizations' submitted applications, with publication and certificate."""
    return (Application.objects.filter(organization_id__in=rules.organization_ids(user))
            .exclude(state=S.DRAFT)
            .select_related("cycle__programme", "category", "organization", "nominee", "certificate",
                            "award_record__publication")
            .defer(*NOMINEE_PRIVATE)
            .order_by("-cycle__year", "cycle__programme__order", "reference", "id"))


# -- secretariat desks -----------------------------------------------------------------
def notice_desk_applications(cycle: Cycle) -> QuerySet[Application]:
    """The cycle's applications from committee approval on, with objection counts."""
    states = [S.APPROVED, S.PUBLIC_NOTICE, S.AWARDED, S.PUBLISHED, S.REVOKED]
    return (Application.objects.filter(Q(cycle=cycle) & (Q(state__in=states) | Q(notices__isnull=False)))
            .distinct()
            .select_related("cycle__programme", "category", "organization", "nominee")
            .defer(*NOMINEE_PRIVATE)
            .annotate(objections_open=Count("objections", filter=Q(objections__status__in=OBJECTION_OPEN),
                                            distinct=True),
                      objections_upheld=Count("objections", filter=Q(objections__status=ObjectionState.UPHELD),
                                              distinct=True),
                      objections_total=Count("objections", distinct=True))
            .order_by("category__order", "reference", "id"))


def objections_for_desk(*, notice=None, status: str | None = None) -> QuerySet[Objection]:
    qs = (Objection.objects.select_related("notice__cycle__programme", "application__organization",
                                           "application__nominee", "application__category", "resolved_by")
          .defer(*(f"application__{f}" for f in NOMINEE_PRIVATE)))
    if notice is not None:
        qs = qs.filter(notice=notice)
    if status == "open":  # 异议待处理, as counted on the 工作台
        qs = qs.filter(status__in=list(OBJECTION_OPEN))
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def objection_counts_by_status(*, notice=None) -> dict[str, int]:
    qs = Objection.objects.all()
    if notice is not None:
        qs = qs.filter(notice=notice)
    counts = {s: 0 for s in ObjectionState.values}
    counts.update({row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id")).order_by()})
    return counts
