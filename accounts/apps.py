from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in for every account: the two-step web login (password, then a TOTP code for
    staff), self-service TOTP enrolment with backup codes, and API tokens with a life cycle."""

    name = "accounts"
    verbose_name = _("账号与登录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import schema, signals  # noqa: F401  (OpenAPI schemes; token revocation receivers)
        from accounts import hooks
        from accounts.admin import audit_account_admins

        audit_account_admins()  # the admin (first in INSTALLED_APPS) has registered django-otp's and knox's
        hooks.register()  # the cron's send_due_reminders also deletes accounts never activated


class AwardAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site: a staff session must be two-factor verified
    when STAFF_OTP_REQUIRED is on (accounts.admin.AwardAdminSite)."""

    default = False  # named explicitly in INSTALLED_APPS, in place of "django.contrib.admin"
    default_site = "accounts.admin.AwardAdminSite"
