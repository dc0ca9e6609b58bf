"""Who may do what with events: small predicates over a user and an event (no queries beyond
the cached role facts of nominations.rules and the event's prefetched hosts)."""
from __future__ import annotations

from nominations import rules as nrules

is_secretariat = nrules.is_secretariat


def is_member_of(user, organization_id: int) -> bool:
    return organization_id in nrules.organization_ids(user)


def host_organization_ids(event) -> set[int]:
    return {h.organization_id for h in event.hosts.all() if h.organization_id}


def is_host_member(user, event) -> bool:
    return bool(host_organization_ids(event) & nrules.organization_ids(user))


def may_see_registrations(user, event) -> bool:
    """The secretariat sees every registration; a host organization's members see theirs."""
    return is_secretariat(user) or is_host_member(user, event)


def may_see_phones(user, event) -> bool:
    return is_secretariat(user) or (event.show_phones_to_host and is_host_member(user, event))


def may_register(user) -> bool:
    """An enterprise account: a member of at least one organization."""
    return bool(nrules.organization_ids(user))


def may_manage_registration(user, registration) -> bool:
    return is_secretariat(user) or is_member_of(user, registration.organization_id)
