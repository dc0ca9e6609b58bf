"""Close every open cycle whose application window has ended (run from cron/systemd)."""
from django.core.management.base import BaseCommand

from nominations.services.transitions import cycles_close_expired


class Command(BaseCommand):
    help = "Close open cycles whose application window has ended."

    def handle(self, *args, **options):
        closed = cycles_close_expired()
        self.stdout.write(f"Closed {len(closed)} cycle(s): {closed}")
