"""Connects committed transitions to e-mail tasks."""
from django.dispatch import receiver

from nominations.signals import application_transitioned
from nominations.tasks import TRANSITION_EMAILS, send_transition_emails


@receiver(application_transitioned, dispatch_uid="nominations.transition_emails")
def _transition_emails(sender, application_id, name, source, **kwargs):
    if name in TRANSITION_EMAILS:
        send_transition_emails.enqueue(application_id, name, source)
