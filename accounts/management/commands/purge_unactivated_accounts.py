"""`manage.py purge_unactivated_accounts [--days N] [--dry-run]`: delete the accounts whose
sign-up was never activated after N days (UNACTIVATED_ACCOUNT_DAYS, 7 by default), each with
an audit entry; never staff, judges, or an account anything refers to. The cron runs the same
through `send_due_reminders`; safe to run twice or on several machines at once."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.services import accounts_unactivated_purge


class Command(BaseCommand):
    help = ("Delete accounts whose sign-up was never activated after N days (UNACTIVATED_ACCOUNT_DAYS); "
            "--dry-run lists them and changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"older than this many days (default UNACTIVATED_ACCOUNT_DAYS, now "
                                 f"{settings.UNACTIVATED_ACCOUNT_DAYS})")
        parser.add_argument("--dry-run", action="store_true", help="print what would be deleted, delete nothing")
        parser.add_argument("--limit", type=int, default=1000, help="at most this many per run (default 1000)")

    def handle(self, *args, days: int | None, dry_run: bool, limit: int, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        if limit < 1:
            raise CommandError("--limit must be 1 or more.")
        accounts = accounts_unactivated_purge(days=days, dry_run=dry_run, limit=limit)
        verb = "would delete" if dry_run else "deleted"
        for account in accounts:
            joined = timezone.localtime(account.date_joined).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{verb} #{account.pk} {account.username} <{account.email}> signed up {joined}")
        days = settings.UNACTIVATED_ACCOUNT_DAYS if days is None else days
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}{len(accounts)} account(s) never activated after "
                          f"{days} days {verb}.")
