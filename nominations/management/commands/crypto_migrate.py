"""Switch a live database to another crypto suite without losing anything.

    manage.py crypto_migrate --to sm            # then set CRYPTO_SUITE=sm for every process
    manage.py crypto_migrate --to sm --dry-run  # count what would change
    manage.py crypto_migrate --status           # which algorithm made the stored values

Re-encrypts ID numbers, recomputes blind indexes (and the keys that hold them) and
certificate fingerprints, and starts a new audit-chain segment linked to the old head.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nominations import crypto
from nominations.services.audit import audit_checkpoint
from nominations.services.crypto_suite import crypto_migrate, crypto_status


class Command(BaseCommand):
    help = "Re-encrypt and re-fingerprint stored values under another crypto suite (sm or international)."

    def add_arguments(self, parser):
        parser.add_argument("--to", choices=sorted(crypto.SUITES), help="the target suite")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
        parser.add_argument("--status", action="store_true", help="show which algorithms the stored values use")

    def handle(self, *args, **options):
        if options["status"] or not options["to"]:
            if not options["status"]:
                raise CommandError("Give --to sm|international (or --status).")
            self._status()
            return
        target = crypto.suite(options["to"])
        try:
            result = crypto_migrate(target.name, dry_run=options["dry_run"])
        except crypto.DecryptionError as exc:
            raise CommandError(f"Nothing changed: an ID number does not decrypt ({exc}). "
                               f"Is FIELD_ENCRYPTION_KEY the one the data was written with?") from exc
        if not options["dry_run"] and result.entry is not None and not result.new_segment:
            audit_checkpoint()  # a new segment was anchored by audit_append on commit
        verb = "Would change" if options["dry_run"] else "Changed"
        self.stdout.write(f"{verb} for suite {target.name} ({target.label}):")
        self.stdout.write(f"  ID numbers re-encrypted ({target.cipher}): {result.reencrypted} "
                          f"(before: {self._fmt(result.ciphers_before)})")
        self.stdout.write(f"  blind indexes recomputed (HMAC-{target.hash.upper()}): {result.reindexed}; "
                          f"application keys {result.live_keys}; award records {result.award_records}")
        self.stdout.write(f"  certificate fingerprints ({target.hash}): {result.certificates}")
        for pk in result.duplicates:
            self.stderr.write(self.style.WARNING(
                f"  application #{pk}: the same person already has a live application in this category "
                f"(written under the other suite); its key was kept, resolve the duplicate"))
        for problem in result.certificate_problems:
            self.stderr.write(self.style.WARNING(f"  certificate {problem}"))
        if result.entry is not None:
            self.stdout.write(f"  audit chain: new segment ({result.entry.alg}) from entry #{result.entry.pk}, "
                              f"linked to the previous head"
                              + (" (rolled back)" if options["dry_run"] else "; checkpoint written"))
        else:
            self.stdout.write("  nothing to do: every stored value already uses this suite.")
        if settings.CRYPTO_SUITE != target.name:
            self.stdout.write(self.style.WARNING(
                f"CRYPTO_SUITE is {settings.CRYPTO_SUITE!r} here: set CRYPTO_SUITE={target.name} in the "
                f"environment of every process, or new values will be written with the old suite."))

    def _status(self):
        status = crypto_status()
        self.stdout.write(f"CRYPTO_SUITE={settings.CRYPTO_SUITE} ({crypto.suite().label})")
        self.stdout.write(f"  ID numbers: {self._fmt(status['id_numbers'])}")
        self.stdout.write(f"  certificate fingerprints: {self._fmt(status['certificate_fingerprints'])}")
        self.stdout.write(f"  audit entries: {self._fmt(status['audit_entries'])}")

    @staticmethod
    def _fmt(counts: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
