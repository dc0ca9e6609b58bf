"""Every API token of an account dies when its password changes, when it is deactivated, or
when django-axes locks it out; a lockout also ends every web session of the account
(receivers connected in AccountsConfig.ready). A password change ends the account's other
sessions by itself: Django checks each session's password-derived hash on every request.

A password change is seen in `pre_save`: `set_password()` leaves `_password` set until the
save, and a hash written some other way differs from the stored one. The re-hash that
`check_password()` does at sign-in when the hasher's parameters changed (it clears
`_password` and saves only the password, over a hash that was due for it) is not a change.
"""
from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db.models.signals import pre_save
from django.dispatch import receiver

from accounts.services import account_locked_out, api_tokens_revoke_all


def _rehash_due(encoded: str) -> bool:
    """Whether check_password() would re-hash this stored hash (as it does on sign-in)."""
    try:
        hasher = identify_hasher(encoded)
    except ValueError:
        return False
    preferred = get_hasher("default")
    return hasher.algorithm != preferred.algorithm or preferred.must_update(encoded)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.tokens_on_user_save")
def revoke_tokens_on_password_change_or_deactivation(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    fields = set(update_fields) if update_fields is not None else None
    if fields is not None and not fields & {"password", "is_active"}:
        return  # e.g. last_login at sign-in
    if getattr(instance, "_password", None) is not None:
        reason = "password_changed"
    else:
        stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
        if stored is not None and stored != instance.password:
            if fields == {"password"} and _rehash_due(stored):
                return  # check_password() upgrading the hash of the same password
            reason = "password_changed"
        elif not instance.is_active:
            reason = "deactivated"
        else:
            return
    # Before the save, in its transaction: a failed save never leaves a token alive that
    # should have died (at worst it revokes tokens of a change that did not happen).
    api_tokens_revoke_all(user_id=instance.pk, reason=reason)


@receiver(user_locked_out, dispatch_uid="accounts.tokens_on_lockout")
def revoke_tokens_on_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    if username:
        session = getattr(request, "session", None) if request is not None else None
        account_locked_out(username=username, ip=ip_address, current_session=session)
