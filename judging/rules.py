"""Who may do what in judging: small predicates over a user and an object.

They read attributes only (plus the cached role lookups of nominations.rules), so
services, views, the API and templates share one definition. Facts that need a
query (conflicts, the panel) live in judging.selectors.
"""
from __future__ import annotations

from nominations.rules import is_committee, is_judge, is_secretariat  # noqa: F401  (re-exported)


def is_assignment_judge(user, assignment) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and assignment.judge_id == user.pk


# Transition permissions (django-fsm signature: instance, user).
def assignment_judge(assignment, user) -> bool:
    return is_assignment_judge(user, assignment)


def assignment_judge_or_secretariat(assignment, user) -> bool:
    return is_assignment_judge(user, assignment) or is_secretariat(user)


def secretariat(instance, user) -> bool:
    return is_secretariat(user)


def may_view_ranking(user) -> bool:
    return is_secretariat(user) or is_committee(user)


def may_manage_judging(user) -> bool:
    """Assign judges, manage the pool and conflicts, export scores."""
    return is_secretariat(user)
