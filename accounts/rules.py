"""Who must use two factors, and how long an API token lives.

Staff accounts are the secretariat, the committee, judges, and anyone who may enter the
admin (is_staff / is_superuser): they decide and publish awards, so when
STAFF_OTP_REQUIRED is on they sign in with a password AND a TOTP code, everywhere (web,
admin, API token). Applicants and recommenders sign in with a password.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from nominations import rules as roles


def is_staff_account(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or roles.is_secretariat(user)
                or roles.is_judge(user) or roles.is_committee(user))


def otp_required_for(user) -> bool:
    """True when this account may act only after a TOTP code (the policy is on and it is staff)."""
    return bool(settings.STAFF_OTP_REQUIRED) and getattr(user, "is_active", False) and is_staff_account(user)


def otp_unverified(user) -> bool:
    """A signed-in staff account whose session has not passed the second step."""
    if not settings.STAFF_OTP_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return otp_required_for(user)


def token_lifetime(user) -> timedelta:
    """8 hours for staff accounts, 7 days for applicants and recommenders (both from the environment)."""
    return settings.API_TOKEN_TTL_STAFF if is_staff_account(user) else settings.API_TOKEN_TTL
