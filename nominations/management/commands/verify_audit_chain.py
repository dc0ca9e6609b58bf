"""Verify the keyed audit chain against its signed checkpoints; exits non-zero when it is broken.

Prints each segment with the algorithm it used, the checkpoints found, and every problem:
an edited entry, a rewrite without AUDIT_KEY, removed entries (the missing range), the
newest entries removed (as far as the latest checkpoint), a forged checkpoint.
"""
from django.core.management.base import BaseCommand, CommandError

from nominations.services.audit import audit_verify, checkpoint_path

MAX_LISTED = 20


class Command(BaseCommand):
    help = "Verify the audit chain (all segments) against the signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument("--checkpoints", action="append", default=[], metavar="FILE",
                            help="also check against the checkpoints in FILE (a copy of the checkpoint "
                                 "file, or a log file holding 'audit checkpoint' lines); repeatable")

    def handle(self, *args, **options):
        report = audit_verify(options["checkpoints"])
        for number, seg in enumerate(report.segments, start=1):
            if seg.count == 1:
                span = f"entry #{seg.first_id} (seq {seg.first_seq}, 1)"
            else:
                span = f"entries #{seg.first_id}–#{seg.last_id} (seq {seg.first_seq}–{seg.last_seq}, {seg.count})"
            self.stdout.write(f"Segment {number}: {span}: {seg.alg} — {seg.description}")
        latest = report.latest_checkpoint
        if latest:
            self.stdout.write(f"Checkpoints: {report.checkpoints_valid} valid; latest matching {latest['at']} "
                              f"counted {latest['count']} entries up to #{latest['head_id']} "
                              f"(signed {latest['mac_alg']}).")
        elif report.checkpoints_valid:
            self.stdout.write(f"Checkpoints: {report.checkpoints_valid} valid, none matching the table.")
        else:
            self.stdout.write(self.style.WARNING(f"Checkpoints: none valid (looked in {checkpoint_path()})."))
        if report.unanchored and report.ok:
            first, last = report.unanchored
            self.stdout.write(self.style.WARNING(
                f"Entries seq {first}–{last} are newer than the latest checkpoint: their removal could not "
                f"be detected yet (run manage.py audit_checkpoint)."))
        if not report.ok:
            problems = report.sorted_problems()
            for problem in problems[:MAX_LISTED]:
                self.stderr.write(f"  - {problem.message}")
            if len(problems) > MAX_LISTED:
                self.stderr.write(f"  … and {len(problems) - MAX_LISTED} more problems.")
            first = problems[0]
            where = f" at entry #{first.entry_id}" if first.entry_id else ""
            more = f" ({len(problems)} problems in all)" if len(problems) > 1 else ""
            raise CommandError(f"Audit chain broken{where}: {first.message}{more}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.count} entries."))
