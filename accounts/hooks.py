"""What accounts adds to commands owned by other apps, registered in AccountsConfig.ready:
deleting the accounts whose sign-up was never activated runs with `send_due_reminders`,
the command the cron already runs every 10 minutes (deploy/award-cron.service), the way
events adds its reminders (events.hooks)."""
from __future__ import annotations


def register() -> None:
    from accounts.services import accounts_scheduled_run
    from judging.management.commands.send_due_reminders import EXTRA_REMINDERS

    if accounts_scheduled_run not in EXTRA_REMINDERS:
        EXTRA_REMINDERS.append(accounts_scheduled_run)
