"""Signing in with the e-mail address as well as the username.

Public sign-up asks for no username (nominations.services.signup generates one nobody needs
to know): those applicants sign in with their e-mail address. Every other account — the
demo's, the ones the secretariat creates, the older applicants' — keeps signing in with its
username. Django's ModelBackend tries the username first; this backend comes after it and
tries the input as an e-mail address.

Which accounts exist is never told: an unknown name or address costs the same password
hash as a known one with a wrong password (ModelBackend does the same for usernames), and
every failure reads alike. An address shared by several active accounts signs none of them
in by address (each still signs in by its username).

django-axes counts failures per account, not per spelling: `axes_username` maps an address
to its account's username (AXES_USERNAME_CALLABLE), so the username and the address share
one counter and one lockout, and the lockout signal names the account.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

EMAIL_MAX_LENGTH = 254  # the login field's length: an address may be longer than a username (150)


def looks_like_email(identifier: str | None) -> bool:
    return bool(identifier) and "@" in identifier and len(identifier) <= EMAIL_MAX_LENGTH


def user_for_email(identifier: str):
    """The one active account with this address (any case), or None (none, or several)."""
    User = get_user_model()
    users = list(User._default_manager.filter(email__iexact=identifier.strip(), is_active=True)
                 .exclude(email="").order_by("pk")[:2])
    return users[0] if len(users) == 1 else None


def user_for_login(identifier: str | None):
    """The account a login name designates: by username first (exact, as Django compares
    it), else by e-mail address. Active or not; None when there is none."""
    if not identifier:
        return None
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: identifier}).first()
    if user is None and looks_like_email(identifier):
        user = user_for_email(identifier)
    return user


class EmailBackend(ModelBackend):
    """Authenticate by e-mail address and password (after ModelBackend, which tried the
    same input as a username)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if password is None or not looks_like_email(username):
            return None
        user = user_for_email(username)
        if user is None:
            get_user_model()().set_password(password)  # the same work as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username of the account the typed login designates (an
    address becomes its account's username); what was typed when there is no such account."""
    from django.conf import settings

    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        typed = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field) if hasattr(data, "get") else None
    if not isinstance(typed, str) or not looks_like_email(typed):
        return typed
    user = user_for_login(typed)
    return user.get_username() if user is not None else typed
