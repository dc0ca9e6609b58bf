"""Who may do what: small predicates over a user and an object.

These read attributes only (no queries beyond cached membership ids), so that
services, views, the API and templates share one definition of each role.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from nominations.enums import ApplicationState as S

if TYPE_CHECKING:  # pragma: no cover
    from django.contrib.auth.models import AbstractBaseUser

SECRETARIAT = "secretariat"
JUDGE = "judge"
COMMITTEE = "committee"


def _group_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_award_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._award_groups = cached
    return cached


def is_secretariat(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or SECRETARIAT in _group_names(user)
    )


def is_judge(user) -> bool:
    return JUDGE in _group_names(user)


def is_committee(user) -> bool:
    return COMMITTEE in _group_names(user)


def organization_ids(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_award_org_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("organization_id", flat=True))
        user._award_org_ids = cached
    return cached


def unit_ids(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_award_unit_ids", None)
    if cached is None:
        cached = frozenset(user.recommender_memberships.values_list("unit_id", flat=True))
        user._award_unit_ids = cached
    return cached


def is_applicant(user) -> bool:
    return bool(organization_ids(user))


def is_recommender(user) -> bool:
    return bool(unit_ids(user))


def forget_roles(user) -> None:
    """Drop cached role facts after memberships change in this request."""
    for attr in ("_award_groups", "_award_org_ids", "_award_unit_ids"):
        if hasattr(user, attr):
            delattr(user, attr)


# -- application predicates ------------------------------------------------------
def is_application_applicant(user, application) -> bool:
    return application.organization_id in organization_ids(user)


def is_application_recommender(user, application) -> bool:
    return application.recommending_unit_id is not None and application.recommending_unit_id in unit_ids(user)


def secretariat_or_recommender(application, user) -> bool:
    return is_secretariat(user) or is_application_recommender(user, application)


def applicant_of(application, user) -> bool:
    return is_application_applicant(user, application)


def recommender_of(application, user) -> bool:
    return is_application_recommender(user, application)


def secretariat(instance, user) -> bool:
    return is_secretariat(user)


def can_edit_application(user, application) -> bool:
    return application.state in (S.DRAFT, S.RETURNED) and is_application_applicant(user, application)


TransitionPermission = Callable[[object, "AbstractBaseUser"], bool]
