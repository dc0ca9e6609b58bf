"""Applicants' self-service sign-up, without telling anyone which addresses or usernames exist.

The form asks for a name, an e-mail address and a password, no username: the address is the
login (accounts.backends signs in by username or address) and the account gets a generated
username (`a` + 11 random characters) that says nothing about anyone else's. Every valid
request gets the same answer ("check your mailbox") and costs the same (one password hash,
one e-mail): a new address receives an activation link for an account created inactive; an
address that already has an account receives a "you already have an account" mail instead,
and nothing is created. The link signs the new applicant in once. An account whose link is
never used is deleted after UNACTIVATED_ACCOUNT_DAYS (accounts.services.accounts_unactivated_purge).
"""
from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from nominations.models.audit import AuditEntry
from nominations.services.audit import audit_record


def _send(template: str, email: str, context: dict) -> None:
    from nominations.tasks import send_templated_email

    send_templated_email(template=template, to=[email], context=context)


ACTIVATION_LINK_SECONDS = 3 * 24 * 3600  # "3 天内" in the mails


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Django's token (same salt: links already mailed keep working), valid for
    ACTIVATION_LINK_SECONDS rather than PASSWORD_RESET_TIMEOUT (the password reset link's
    hour, whose tokens have a salt of their own: accounts.tokens)."""

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - ts > ACTIVATION_LINK_SECONDS:
            return False
        return any(constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks])


activation_tokens = ActivationTokenGenerator()


USERNAME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: readable if ever read aloud


def signup_username() -> str:
    """A username for a signed-up account: random and unused (55 bits; a clash is drawn
    again, at a cost that depends on nobody's input)."""
    User = get_user_model()
    while True:
        username = "a" + "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(11))
        if not User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
            return username


def signup_request(*, first_name: str, email: str, password: str, ip: str | None = None):
    """Create an inactive applicant account (generated username, the address as login) and
    mail its activation link, or, when the address already has an account, mail a reminder
    instead. Returns the new user or None; callers must answer the same either way."""
    User = get_user_model()
    email = email.strip()
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        make_password(password)  # the same work as a sign-up, so timing does not tell
        signup_username()
        context = {"user": existing}
        if users_pending_activation().filter(pk=existing.pk).exists():
            # Signed up and never activated: the owner gets the link again (the password
            # chosen then stays; this request's is discarded).
            context["path"] = _activation_path(existing)
        transaction.on_commit(lambda: _send("signup-existing", email, context))
        return None
    with transaction.atomic():
        user = User(username=signup_username(), first_name=first_name, email=email, is_active=False)
        user.set_password(password)
        user.save()
        audit_record(obj=user, action="signup", actor=None, ip=ip, data={"active": False})
    path = _activation_path(user)
    transaction.on_commit(lambda: _send("signup-activate", email, {"user": user, "path": path}))
    return user


def users_pending_activation():
    """Accounts made by public sign-up whose activation link was never used: inactive,
    never signed in, with a `signup` audit entry and no `signup.activate` one (an account
    the secretariat made, or deactivated, is never one of them)."""
    User = get_user_model()
    entries = AuditEntry.objects.filter(object_type=User._meta.label_lower,
                                        object_id=Cast(OuterRef("pk"), CharField()))
    return (User._default_manager.filter(is_active=False, last_login__isnull=True)
            .filter(Exists(entries.filter(action="signup")))
            .exclude(Exists(entries.filter(action="signup.activate"))))


def _activation_path(user) -> str:
    return reverse("signup_activate", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                            activation_tokens.make_token(user)])


def signup_activate(*, uidb64: str, token: str, ip: str | None = None):
    """The user whose activation link this is, now active; None for a wrong or used link.
    The token stops working once the user has signed in (Django's token covers last_login)."""
    User = get_user_model()
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk).first()
        if user is None or not activation_tokens.check_token(user, token):
            return None
        if not user.is_active:
            if not users_pending_activation().filter(pk=user.pk).exists():
                return None  # an account the secretariat deactivated stays so
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(obj=user, action="signup.activate", actor=user, ip=ip)
    return user
