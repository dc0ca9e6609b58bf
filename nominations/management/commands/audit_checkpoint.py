"""Write a signed checkpoint of the audit chain (run it from cron, e.g. every 10 minutes).

The checkpoint (count, head id and hash, signed with AUDIT_KEY) is appended as one JSON line
to AUDIT_CHECKPOINT_DIR/audit-checkpoints.jsonl and written to the log (logger
nominations.audit), outside the audit table; verify_audit_chain holds the chain against it.
"""
from django.core.management.base import BaseCommand, CommandError

from nominations.services.audit import audit_checkpoint, checkpoint_path


class Command(BaseCommand):
    help = "Append a signed checkpoint (count and head hash) of the audit chain."

    def handle(self, *args, **options):
        try:
            record = audit_checkpoint()
        except OSError as exc:
            raise CommandError(f"Could not write the checkpoint to {checkpoint_path()}: {exc}") from exc
        if record is None:
            self.stdout.write("The audit log is empty: no checkpoint written.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Checkpoint: {record['count']} entries up to #{record['head_id']} "
            f"({record['head_alg']}, head {record['head_hash'][:16]}…), signed {record['mac_alg']}, "
            f"appended to {checkpoint_path()}."))
