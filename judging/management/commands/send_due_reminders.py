"""E-mail judges whose unsubmitted assignments are due soon. Safe to run twice (cron)."""
from django.core.management.base import BaseCommand

from judging.services import assignments_send_due_reminders


class Command(BaseCommand):
    help = "Send due-date reminders for assignments due within N days that are not yet submitted."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="remind when due within this many days (default 3)")

    def handle(self, *args, days: int, **options):
        sent = assignments_send_due_reminders(within_days=days)
        self.stdout.write(f"已发送 {len(sent)} 条评分提醒 / {len(sent)} reminder(s) sent.")
