"""What events adds to commands owned by other apps, registered in EventsConfig.ready:
its reminders to `send_due_reminders` and its demo data to `seed_demo`.

A host's revoked award needs no hook in nominations: the flag is read from the host's
application state whenever events are listed (events.selectors.events_annotated), and the
reminder command tells the secretariat once per event (events.services.reminders).
nominations' revoke act stays unaware of events.
"""
from __future__ import annotations


def register() -> None:
    from events.demo import seed_events
    from events.services.reminders import events_scheduled_run
    from judging.management.commands.send_due_reminders import EXTRA_REMINDERS
    from nominations.management.commands.seed_demo import EXTRA_SEEDERS

    if events_scheduled_run not in EXTRA_REMINDERS:
        EXTRA_REMINDERS.append(events_scheduled_run)
    if seed_events not in EXTRA_SEEDERS:
        EXTRA_SEEDERS.append(seed_events)
