"""Writes and checks of the accounts app: TOTP devices and backup codes (django-otp), and
API tokens (django-rest-knox: stored as digests, each with its expiry).

Devices: one TOTP device per account (plugin otp_totp) and one static device holding the
backup codes (plugin otp_static, each code works once). A device is `confirmed` once the
holder has typed a first code from it (web enrolment) or when an administrator created it
with `manage.py otp_enrol` and handed over its URI.
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import rules

log = logging.getLogger(__name__)

TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
BACKUP_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class OtpCheck:
    """The outcome of checking a code: the device that accepted it, or none; `wait` > 0 when
    the code was not checked because of recent wrong codes (seconds before the next try)."""

    device: Device | None = None
    wait: int = 0

    def __bool__(self) -> bool:
        return self.device is not None


# -- TOTP devices ------------------------------------------------------------------------
def totp_device_for(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_login(user) -> bool:
    """Whether signing in asks for a code after the password: staff accounts when the policy
    is on, and any staff account that has a TOTP device (enrolled by choice or by command)."""
    return rules.otp_required_for(user) or (rules.is_staff_account(user) and has_totp(user))


def totp_enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device shown on the enrolment page; the same one until it is
    confirmed, so that reloading the page does not invalidate a QR code already scanned."""
    device = totp_device_for(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrol_confirm(*, device: TOTPDevice, code: str) -> OtpCheck:
    """Confirm an enrolment with the first code the holder's app shows. The device becomes
    the account's only TOTP device (an older one, e.g. a lost phone's, is removed)."""
    code = normalise_code(code)
    if not _TOTP_CODE.match(code):
        return OtpCheck()
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed:
            return OtpCheck()
        wait = _throttle_wait(device)
        if wait:
            return OtpCheck(wait=wait)
        if not device.verify_token(code):
            return OtpCheck()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    log.info("TOTP device enrolled for user %s", device.user_id)
    return OtpCheck(device=device)


def totp_enrol_by_command(*, user, reset: bool = False) -> TOTPDevice:
    """`manage.py otp_enrol`: a confirmed device for an administrator to hand over (its
    URI). Refuses to replace an existing device unless `reset` (a lost phone)."""
    with transaction.atomic():
        existing = TOTPDevice.objects.select_for_update().filter(user=user)
        if existing.filter(confirmed=True).exists() and not reset:
            raise ValueError("exists")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    log.info("TOTP device created by command for user %s", user.pk)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG markup, drawn here (no image service, no script,
    no style attribute: fits a strict Content-Security-Policy)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#111", light="#fff", title="TOTP", omitsize=False)


# -- backup codes ------------------------------------------------------------------------
def backup_codes_create(*, user) -> list[str]:
    """A new set of backup codes (the old set stops working); returned once, for display."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME,
                                                       defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# -- verification ------------------------------------------------------------------------
def normalise_code(code: str | None) -> str:
    """Full-width digits and letters to ASCII, spaces and dashes out, lower case."""
    code = unicodedata.normalize("NFKC", code or "")
    return re.sub(r"[\s\-]", "", code).lower()[:32]


def otp_verify(*, user, code: str | None) -> OtpCheck:
    """Which device accepts this code, if any. Six digits are checked against the TOTP
    device (a code is accepted once: django-otp keeps the last time step used); anything
    else against the backup codes (each deleted when used). After a wrong code a device
    refuses to check any code for 1, 2, 4, 8 ... seconds (django-otp throttling): such a
    try is not checked at all and says how long to wait. Locking the account after repeated
    failures is django-axes' job (the views report each wrong code to it)."""
    code = normalise_code(code)
    if not code:
        return OtpCheck()
    device_class = TOTPDevice if _TOTP_CODE.match(code) else StaticDevice
    wait = 0
    with transaction.atomic():
        for device in device_class.objects.select_for_update().filter(user=user, confirmed=True):
            device_wait = _throttle_wait(device)
            if device_wait:
                wait = max(wait, device_wait)
            elif device.verify_token(code):
                return OtpCheck(device=device)
    return OtpCheck(wait=wait)


def wrong_code_reported(*, request, user) -> bool:
    """A wrong code counts as a failed login for django-axes, like a wrong password (web and
    API alike). True when that locked the account."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def too_soon_message(wait: int) -> str:
    return _("验证码输错后须稍等再试：请在 %(seconds)s 秒后输入应用当时显示的验证码。") % {"seconds": wait}


def _throttle_wait(device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


# -- API tokens --------------------------------------------------------------------------
def api_token_create(*, user) -> tuple[AuthToken, str]:
    """A new token for each login, with the account's lifetime; the user's expired tokens
    are removed at the same time. Returns the row and the token text (shown once: only
    its digest is stored)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user, expiry=rules.token_lifetime(user))


def api_tokens_revoke_all(*, user_id: int, reason: str) -> int:
    count, _ = AuthToken.objects.filter(user_id=user_id).delete()
    if count:
        log.info("Revoked %d API token(s) of user %s: %s", count, user_id, reason)
    return count


def api_tokens_revoke_for_username(*, username: str, reason: str) -> int:
    User = get_user_model()
    user_id = User.objects.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True).first()
    return api_tokens_revoke_all(user_id=user_id, reason=reason) if user_id is not None else 0
