"""Sign-in pages: the password step, the code step, TOTP enrolment and backup codes."""
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("account/two-factor/", views.otp_setup, name="otp_setup"),
    path("account/two-factor/backup-codes/", views.otp_backup_codes, name="otp_backup_codes"),
]
