"""Reads: what each user may see, fetched and authorised together."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from nominations import rules, workflow
from nominations.enums import ApplicationState
from nominations.errors import NotFound
from nominations.models import Application, AuditEntry, Cycle, Document, Organization


def applications_visible_to(user) -> QuerySet[Application]:
    """Applicant: own organizations'; recommender: naming its unit; secretariat: all.
    Judges and committee reach applications through judging's selectors, not here."""
    qs = Application.objects.select_related(
        "cycle__programme", "category", "organization", "nominee", "recommending_unit")
    if rules.is_secretariat(user):
        return qs
    q = Q(pk__in=[])
    org_ids = rules.organization_ids(user)
    unit_ids = rules.unit_ids(user)
    if org_ids:
        q |= Q(organization_id__in=org_ids)
    if unit_ids:
        # A recommender sees what was submitted to it, never another unit's drafts.
        q |= Q(recommending_unit_id__in=unit_ids) & ~Q(state=ApplicationState.DRAFT)
    return qs.filter(q)


def application_for_user(user, pk) -> Application:
    """The application if `user` may see it; NotFound alike for missing and not yours."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("申报不存在。")) from None
    app = applications_visible_to(user).filter(pk=pk).first()
    if app is None and workflow.may_access(user, pk):
        app = Application.objects.select_related(
            "cycle__programme", "category", "organization", "nominee", "recommending_unit").filter(pk=pk).first()
    if app is None:
        raise NotFound(_("申报不存在或您无权查看。"))
    return app


def application_documents(application: Application) -> QuerySet[Document]:
    return application.documents.select_related("uploaded_by").order_by("kind", "uploaded_at")


# Who read which file is confidential (judges' identities): kept in the audit log and the
# admin, never in the history that applicants, recommenders and panel members see.
ACCESS_ACTIONS = ("document.download",)


def application_history(application: Application, *, include_access: bool = False) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.filter(object_type="nominations.application", object_id=str(application.pk))
    if not include_access:
        qs = qs.exclude(action__in=ACCESS_ACTIONS)
    return qs.select_related("actor").order_by("id")


def organizations_for_user(user) -> QuerySet[Organization]:
    if rules.is_secretariat(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=rules.organization_ids(user))


def organization_for_user(user, pk) -> Organization:
    org = organizations_for_user(user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("单位不存在或您无权查看。"))
    return org


def cycles_state_counts(cycle_ids) -> dict[int, dict[str, int]]:
    """{cycle id: {state: n}} for any number of cycles in one query; every state present."""
    counts = {pk: dict.fromkeys(ApplicationState.values, 0) for pk in cycle_ids}
    rows = (Application.objects.filter(cycle_id__in=list(counts)).values("cycle_id", "state")
            .annotate(n=Count("id")).order_by())
    for row in rows:
        counts[row["cycle_id"]][row["state"]] = row["n"]
    return counts


def cycle_state_counts(cycle: Cycle) -> dict[str, int]:
    return cycles_state_counts([cycle.pk])[cycle.pk]


def cycles_with_counts() -> QuerySet[Cycle]:
    return (Cycle.objects.select_related("programme")
            .annotate(n_applications=Count("applications", filter=~Q(applications__state=ApplicationState.DRAFT)))
            .order_by("-year", "programme__order"))
