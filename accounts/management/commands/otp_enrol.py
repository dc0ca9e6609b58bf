"""`manage.py otp_enrol <username>`: create the account's TOTP device and print its
otpauth:// URI, for an authenticator app (or print it as a QR code in the terminal).
Each enrolment, reset and new set of backup codes goes into the audit chain (never the secret)."""
from __future__ import annotations

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = ("Create a user's TOTP device (two-factor sign-in) and print its otpauth:// URI on the first line "
            "of standard output; --reset replaces an existing device (lost phone).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="replace the user's existing TOTP device")
        parser.add_argument("--qr", action="store_true", help="also print the URI as a QR code for the terminal")
        parser.add_argument("--backup-codes", action="store_true",
                            help="also print a new set of backup codes (each works once; the old set stops working)")

    def handle(self, *args, username: str, reset: bool, qr: bool, backup_codes: bool, **options):
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            device = services.totp_enrol_by_command(user=user, reset=reset)
        except ValueError:
            raise CommandError(f"{username!r} already has a TOTP device; use --reset to replace it "
                               "(the old one stops working).") from None
        self.stdout.write(device.config_url)
        if qr:
            segno.make(device.config_url, error="m").terminal(out=self.stdout._out, compact=True)
        if backup_codes:
            self.stdout.write("\n".join(services.backup_codes_create(user=user, via="command")))
        self.stderr.write(f"TOTP device created for {username}: add the URI above to an authenticator app "
                          f"(secret {services.totp_secret(device)}). It is the account's second factor from now on.")
