"""Writes and checks of the accounts app: TOTP devices and backup codes (django-otp), API
tokens (django-rest-knox: stored as digests, each with its expiry), ending an account's web
sessions, and deleting accounts whose sign-up was never activated.

Devices: one TOTP device per account (plugin otp_totp) and one static device holding the
backup codes (plugin otp_static, each code works once). A device is `confirmed` once the
holder has typed a first code from it (web enrolment) or when an administrator created it
with `manage.py otp_enrol` and handed over its URI.

Audit: every change to an account's second factor or credentials goes into the keyed audit
chain (nominations.services.audit), object `auth.user` #id, in the same transaction as the
change. Never a secret: no code, key, URI or token, only what happened, how ("via") and counts.

| action | when | data |
|---|---|---|
| `otp.enrol` | a TOTP device confirmed (web) or created (`otp_enrol`) | device, via, replaced |
| `otp.reset` | `otp_enrol --reset` replaced a confirmed device | device, via, replaced |
| `otp.device_delete` | a device deleted in the admin | device, via |
| `otp.backup_codes_create` | a new set of backup codes | count, via, replaced |
| `otp.backup_code_used` | a backup code signed in (web or API) | left, via |
| `api_token.issue` / `api_token.revoke` | a token issued at sign-in / revoked by its holder | expires_at / reason |
| `api_token.revoke_all` | every token revoked (password changed, deactivated, locked out) | count, reason |
| `session.revoke_all` | every session ended (locked out) | count, reason |
| `account.purge_unactivated` | an account whose sign-up was never activated, deleted | username, joined, days |
| `account.password_reset` | a new password set through the e-mailed reset link | via |
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from importlib import import_module

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import rules
from nominations.services.audit import audit_append, audit_record

log = logging.getLogger(__name__)

PENDING_LOGIN_KEY = "accounts.pending_login"  # the session's half-done two-step sign-in (accounts.views)
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
BACKUP_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"^[0-9]{6}$")


def _iso(moment: datetime | None) -> str | None:
    """A time for an audit entry: UTC, to the second."""
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="seconds") if moment else None


def _audit(*, user, action: str, actor=None, ip: str | None = None, **data) -> None:
    audit_record(obj=user, action=action, actor=actor, ip=ip, data=data)


def _audit_user_id(*, user_id: int, action: str, ip: str | None = None, **data) -> None:
    audit_append(object_type=get_user_model()._meta.label_lower, object_id=str(user_id), action=action,
                 ip=ip, data=data)


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


def totp_enrol_confirm(*, device: TOTPDevice, code: str, ip: str | None = None) -> OtpCheck:
    """Confirm an enrolment with the first code the holder's app shows. The device becomes
    the account's only TOTP device (an older one, e.g. a lost phone's, is removed). Audited
    (`otp.enrol`, by the holder, with how many confirmed devices it replaced)."""
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
        others = TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk)
        replaced = others.filter(confirmed=True).count()
        others.delete()
        _audit(user=device.user, action="otp.enrol", actor=device.user, ip=ip,
               device="totp", via="web", replaced=replaced)
    log.info("TOTP device enrolled for user %s", device.user_id)
    return OtpCheck(device=device)


def totp_enrol_by_command(*, user, reset: bool = False) -> TOTPDevice:
    """`manage.py otp_enrol`: a confirmed device for an administrator to hand over (its
    URI). Refuses to replace an existing device unless `reset` (a lost phone). Audited:
    `otp.reset` when it replaced a confirmed device, else `otp.enrol` (actor: system)."""
    with transaction.atomic():
        existing = TOTPDevice.objects.select_for_update().filter(user=user)
        replaced = existing.filter(confirmed=True).count()
        if replaced and not reset:
            raise ValueError("exists")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        _audit(user=user, action="otp.reset" if replaced else "otp.enrol",
               device="totp", via="command", replaced=replaced)
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
def backup_codes_create(*, user, via: str = "system", actor=None, ip: str | None = None) -> list[str]:
    """A new set of backup codes (the old set stops working); returned once, for display.
    Audited (`otp.backup_codes_create`: how many, how many unused ones it replaced, and
    `via`: enrol, web, command)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME,
                                                       defaults={"confirmed": True})
        replaced, _ = device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        _audit(user=user, action="otp.backup_codes_create", actor=actor, ip=ip,
               count=len(codes), via=via, replaced=replaced)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# -- verification ------------------------------------------------------------------------
def normalise_code(code: str | None) -> str:
    """Full-width digits and letters to ASCII, spaces and dashes out, lower case."""
    code = unicodedata.normalize("NFKC", code or "")
    return re.sub(r"[\s\-]", "", code).lower()[:32]


def otp_verify(*, user, code: str | None, via: str = "web", ip: str | None = None) -> OtpCheck:
    """Which device accepts this code, if any. Six digits are checked against the TOTP
    device (a code is accepted once: django-otp keeps the last time step used); anything
    else against the backup codes (each deleted when used). After a wrong code a device
    refuses to check any code for 1, 2, 4, 8 ... seconds (django-otp throttling): such a
    try is not checked at all and says how long to wait. Locking the account after repeated
    failures is django-axes' job (the views report each wrong code to it). A backup code
    used is audited (`otp.backup_code_used`, with how many are left; never the code)."""
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
                if isinstance(device, StaticDevice):
                    _audit(user=user, action="otp.backup_code_used", actor=user, ip=ip,
                           left=device.token_set.count(), via=via)
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
def api_token_create(*, user, ip: str | None = None) -> tuple[AuthToken, str]:
    """A new token for each login, with the account's lifetime; the user's expired tokens
    are removed at the same time. Returns the row and the token text (shown once: only
    its digest is stored). Audited (`api_token.issue`, with its expiry)."""
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = AuthToken.objects.create(user=user, expiry=rules.token_lifetime(user))
        _audit(user=user, action="api_token.issue", actor=user, ip=ip,
               expires_at=_iso(instance.expiry))
    return instance, token


def api_token_revoke(*, token: AuthToken, ip: str | None = None, actor=None, reason: str = "signed_out") -> None:
    """Revoke one token: by its holder, with the request it authenticates (`DELETE
    /api/v1/auth/token/`, reason signed_out), or by an administrator in the admin (reason
    admin). Audited (`api_token.revoke`)."""
    with transaction.atomic():
        _audit(user=token.user, action="api_token.revoke", actor=actor or token.user, ip=ip, reason=reason)
        token.delete()


def api_token_admin_save(*, token: AuthToken, created: bool, actor, ip: str | None = None) -> None:
    """An administrator issues (or edits) a token in knox's admin; an issue is audited
    (`api_token.issue` via admin, with its expiry, none meaning it never expires)."""
    with transaction.atomic():
        token.save()
        if created:
            _audit(user=token.user, action="api_token.issue", actor=actor, ip=ip, via="admin",
                   expires_at=_iso(token.expiry))


REVOKE_REASONS = {"password_changed": "password changed", "deactivated": "account deactivated",
                  "locked_out": "locked out by django-axes"}


def api_tokens_revoke_all(*, user_id: int, reason: str, ip: str | None = None) -> int:
    """Every API token of the account; audited (`api_token.revoke_all`) when there was one.
    `reason` is one of REVOKE_REASONS."""
    with transaction.atomic():
        count, _ = AuthToken.objects.filter(user_id=user_id).delete()
        if count:
            _audit_user_id(user_id=user_id, action="api_token.revoke_all", ip=ip, count=count, reason=reason)
    if count:
        log.info("Revoked %d API token(s) of user %s: %s", count, user_id, REVOKE_REASONS.get(reason, reason))
    return count


# -- sessions ------------------------------------------------------------------------------
def _session_of(decoded, user_id: str) -> bool:
    pending = decoded.get(PENDING_LOGIN_KEY)
    return decoded.get(SESSION_KEY) == user_id or (isinstance(pending, dict) and str(pending.get("user")) == user_id)


def sessions_revoke_all(*, user_id: int, reason: str, ip: str | None = None, current=None) -> int:
    """End every web session of the account, signed in or half-way through the two-step
    sign-in. Sessions live in the database (Django's db or cached_db engine): each live one is
    read and those of this account deleted (through the engine, so a cached copy goes too).
    `current` is the session of the request in progress, if any: never deleted behind that
    request's back (its response would fail), but flushed in place when it is the account's.
    Another engine keeps no list to search: nothing is ended, and the log says so. Audited
    (`session.revoke_all`) when there was one."""
    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cached_db"):
        log.warning("Sessions of user %s not revoked (%s): SESSION_ENGINE %s keeps no list of them",
                    user_id, reason, settings.SESSION_ENGINE)
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = str(user_id)
    current_key = getattr(current, "session_key", None)
    keys = [key for key, data in Session.objects.filter(expire_date__gt=timezone.now())
            .exclude(session_key=current_key or "").values_list("session_key", "session_data").iterator(chunk_size=500)
            if _session_of(store().decode(data), wanted)]
    count = len(keys)
    if current is not None and _session_of(current, wanted):
        current.flush()
        count += 1
    with transaction.atomic():
        for key in keys:
            store(session_key=key).delete()
        if count:
            _audit_user_id(user_id=user_id, action="session.revoke_all", ip=ip, count=count, reason=reason)
    if count:
        log.info("Ended %d session(s) of user %s: %s", count, user_id, REVOKE_REASONS.get(reason, reason))
    return count


def account_locked_out(*, username: str, ip: str | None = None, current_session=None) -> tuple[int, int]:
    """django-axes locked this login out: every API token and every session of the account
    it designates end (username, or e-mail address). Returns (tokens, sessions) revoked."""
    from accounts.backends import user_for_login

    user = user_for_login(username)
    if user is None:
        return 0, 0
    return (api_tokens_revoke_all(user_id=user.pk, reason="locked_out", ip=ip),
            sessions_revoke_all(user_id=user.pk, reason="locked_out", ip=ip, current=current_session))


# -- password reset by e-mail ------------------------------------------------------------------
def password_reset_link_lifetime() -> dict:
    """How long a reset link works, for the mail and the "sent" page: whole `hours`, else
    `minutes` (PASSWORD_RESET_TIMEOUT)."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    return {"hours": seconds // 3600 if seconds % 3600 == 0 else None, "minutes": max(1, seconds // 60)}


def password_reset_mail(*, user, uid: str, token: str, email: str) -> None:
    """Mail the reset link (`emails/password-reset`, with the link's lifetime) after the commit,
    through the project's mail like the sign-up mails (SITE_URL, never the request's Host).
    Called by Django's PasswordResetForm (accounts.forms) for each active account with a
    usable password and this address; nothing at all for any other address."""
    from nominations.tasks import send_templated_email

    path = reverse("password_reset_confirm", args=[uid, token])
    context = {"user": user, "path": path, **password_reset_link_lifetime()}
    transaction.on_commit(lambda: send_templated_email(template="password-reset", to=[email], context=context))


def password_reset_set(*, form, token: str | None, ip: str | None = None):
    """Set the new password of a reset link (Django's SetPasswordForm, already validated by
    AUTH_PASSWORD_VALIDATORS). Atomic → lock the account → check the link's token again on the
    locked row (a second submission of the same link finds it spent) and that the account is
    still active → save: the pre_save receiver revokes every API token (accounts.signals,
    `api_token.revoke_all`, reason password_changed) and every other web session stops
    authenticating (its password-derived hash no longer matches, half-done two-step sign-ins
    too) → audit entry (`account.password_reset`; never the token or the password).
    Signs nobody in. Returns the user, or None when the link is no longer good."""
    from accounts.tokens import password_reset_tokens

    User = get_user_model()
    with transaction.atomic():
        user = User._default_manager.select_for_update().filter(pk=form.user.pk, is_active=True).first()
        if user is None or not user.has_usable_password() or not password_reset_tokens.check_token(user, token):
            return None
        form.user = user
        form.save()
        _audit(user=user, action="account.password_reset", actor=user, ip=ip, via="email")
    log.info("Password of user %s reset by e-mail link", user.pk)
    return user


# -- devices in the admin ----------------------------------------------------------------------
def _device_kind(device) -> str:
    return "totp" if isinstance(device, TOTPDevice) else "backup" if isinstance(device, StaticDevice) else "other"


def otp_device_admin_save(*, device: Device, created: bool, changed: list[str], actor, ip: str | None = None) -> None:
    """An administrator adds or edits a device in the admin: saved and audited (`otp.enrol`
    via admin for a new one, `otp.device_change` with the names of the fields changed)."""
    with transaction.atomic():
        device.save()
        if created:
            _audit(user=device.user, action="otp.enrol", actor=actor, ip=ip, device=_device_kind(device),
                   via="admin", replaced=0)
        elif changed:
            _audit(user=device.user, action="otp.device_change", actor=actor, ip=ip, device=_device_kind(device),
                   via="admin", fields=sorted(changed))


def otp_device_delete(*, device: Device, actor, ip: str | None = None, via: str = "admin") -> None:
    """Delete a device (a lost phone: the account enrols again at its next sign-in); audited
    (`otp.device_delete`)."""
    with transaction.atomic():
        _audit(user=device.user, action="otp.device_delete", actor=actor, ip=ip, device=_device_kind(device), via=via)
        device.delete()


# -- accounts never activated -------------------------------------------------------------------
@dataclass(frozen=True)
class PurgedAccount:
    pk: int
    username: str
    email: str
    date_joined: datetime


def accounts_unactivated(*, days: int | None = None, now: datetime | None = None):
    """Accounts made by public sign-up whose activation link was never used, older than
    `days` (UNACTIVATED_ACCOUNT_DAYS): inactive, never signed in, no staff or superuser flag,
    no group (secretariat, judge, committee), no permission of their own."""
    from nominations.services.signup import users_pending_activation

    days = settings.UNACTIVATED_ACCOUNT_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (users_pending_activation()
            .filter(date_joined__lt=cutoff, is_staff=False, is_superuser=False,
                    groups__isnull=True, user_permissions__isnull=True)
            .order_by("date_joined", "pk"))


def _holds_nothing(user) -> bool:
    """Whether deleting the account would delete, protect or update nothing else: no row of
    any model points at it (found by Django's own deletion collector, so a relation added
    later counts without a change here), not even an audit entry it acted in."""
    collector = Collector(using=router.db_for_write(type(user)), origin=user)
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return False
    if any(model is not type(user) and instances for model, instances in collector.data.items()):
        return False
    if any(qs.exists() if hasattr(qs, "exists") else bool(qs) for qs in collector.fast_deletes):
        return False
    return not any(any(objs.exists() if hasattr(objs, "exists") else bool(objs) for objs in updates)
                   for updates in collector.field_updates.values())


def accounts_unactivated_purge(*, days: int | None = None, now: datetime | None = None, dry_run: bool = False,
                               limit: int | None = 1000) -> list[PurgedAccount]:
    """Delete the accounts whose sign-up was never activated after `days` (default
    UNACTIVATED_ACCOUNT_DAYS), at most `limit` per run (the rest at the next run); never
    staff, judges, committee or secretariat members, nor an account that anything refers
    to (an organization membership, a registration, a device, an audit entry it acted in ...).

    Each account: atomic → lock its row → check again that it is still one to delete (its
    owner may be activating it right now) and holds nothing → audit entry
    (`account.purge_unactivated`: username, when it signed up, the days; not its e-mail
    address) → delete. Safe to run on several machines at once. `dry_run` checks the same
    and changes nothing. Returns the accounts deleted (or that would be)."""
    days = settings.UNACTIVATED_ACCOUNT_DAYS if days is None else days
    now = now or timezone.now()
    User = get_user_model()
    candidates = accounts_unactivated(days=days, now=now).values_list("pk", flat=True)
    done: list[PurgedAccount] = []
    for pk in list(candidates[:limit] if limit else candidates):
        with transaction.atomic():
            user = User._default_manager.select_for_update().filter(pk=pk).first()
            if user is None or not accounts_unactivated(days=days, now=now).filter(pk=pk).exists():
                continue
            if not _holds_nothing(user):
                continue
            purged = PurgedAccount(pk=user.pk, username=user.get_username(), email=user.email,
                                   date_joined=user.date_joined)
            if not dry_run:
                _audit(user=user, action="account.purge_unactivated", username=purged.username,
                       joined=_iso(user.date_joined), days=days)
                user.delete()
            done.append(purged)
    if done and not dry_run:
        log.info("Deleted %d account(s) never activated after %d days: %s", len(done), days,
                 ", ".join(f"#{a.pk}" for a in done))
    return done


def accounts_scheduled_run(*, now: datetime | None = None) -> tuple[int, str]:
    """The cron's share (`send_due_reminders`, accounts.hooks): delete the accounts never activated."""
    purged = accounts_unactivated_purge(now=now)
    return len(purged), f"已删除 {len(purged)} 个逾期未激活的注册账号 / {len(purged)} unactivated account(s) deleted."
