"""Sign-in pages: the password step, the code step, TOTP enrolment, backup codes, password reset."""
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_otp, name="login_otp"),
    path("account/two-factor/", views.otp_setup, name="otp_setup"),
    path("account/two-factor/backup-codes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<str:uidb64>/<str:token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
