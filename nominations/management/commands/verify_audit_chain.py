"""Verify the tamper-evident audit chain; exits non-zero when it is broken."""
from django.core.management.base import BaseCommand, CommandError

from nominations.services.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def handle(self, *args, **options):
        ok, count, broken = audit_verify_chain()
        if not ok:
            raise CommandError(f"Audit chain broken at entry #{broken} (after {count} valid entries).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries."))
