"""Applicants' self-service sign-up, without telling anyone whether an e-mail is registered.

Every valid request gets the same answer ("check your mailbox") and costs the same (one
password hash, one e-mail): a new address receives an activation link for an account created
inactive; an address that already has an account receives a "you already have an account"
mail instead, and nothing is created. The link signs the new applicant in once.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from nominations.services.audit import audit_record


def _send(template: str, email: str, context: dict) -> None:
    from nominations.tasks import send_templated_email

    send_templated_email(template=template, to=[email], context=context)


def signup_request(*, username: str, first_name: str, email: str, password: str, ip: str | None = None):
    """Create an inactive applicant account and mail its activation link, or, when the
    address already has an account, mail a reminder instead. Returns the new user or None;
    callers must answer the same either way."""
    User = get_user_model()
    email = email.strip()
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        make_password(password)  # the same work as a sign-up, so timing does not tell
        transaction.on_commit(lambda: _send("signup-existing", email, {"user": existing}))
        return None
    with transaction.atomic():
        user = User(username=username, first_name=first_name, email=email, is_active=False)
        user.set_password(password)
        user.save()
        audit_record(obj=user, action="signup", actor=None, ip=ip, data={"active": False})
    path = reverse("signup_activate", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                            default_token_generator.make_token(user)])
    transaction.on_commit(lambda: _send("signup-activate", email, {"user": user, "path": path}))
    return user


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
        if user is None or not default_token_generator.check_token(user, token):
            return None
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(obj=user, action="signup.activate", actor=user, ip=ip)
    return user
