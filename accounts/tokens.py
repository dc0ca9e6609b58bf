"""The password reset link's token: Django's generator (the token covers the password hash and
the last sign-in, so it works once, and expires after PASSWORD_RESET_TIMEOUT) under a salt of
its own, so that it is never accepted where another of Django's tokens is (the sign-up
activation link, nominations.services.signup, would sign its holder in), nor the reverse."""
from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class PasswordResetLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.PasswordResetLinkTokenGenerator"


password_reset_tokens = PasswordResetLinkTokenGenerator()
