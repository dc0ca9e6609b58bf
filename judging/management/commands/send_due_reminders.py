"""E-mail judges whose unsubmitted assignments are due soon. Safe to run twice (cron).

Other apps add their own scheduled reminders to EXTRA_REMINDERS in their AppConfig.ready
(events: the day-before reminder to registrants); each is called with `now=None` and
returns (count, line to print), and must itself be safe to run twice."""
from django.core.management.base import BaseCommand

from judging.services import assignments_send_due_reminders

EXTRA_REMINDERS: list = []


class Command(BaseCommand):
    help = "Send due-date reminders for assignments due within N days that are not yet submitted."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="remind when due within this many days (default 3)")

    def handle(self, *args, days: int, **options):
        sent = assignments_send_due_reminders(within_days=days)
        self.stdout.write(f"已发送 {len(sent)} 条评分提醒 / {len(sent)} reminder(s) sent.")
        for reminder in EXTRA_REMINDERS:
            _count, line = reminder(now=None)
            self.stdout.write(line)
