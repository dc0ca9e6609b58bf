"""Signals sent after a transition has been committed."""
from django.dispatch import Signal

# kwargs: application_id, name, source, target, actor_id, note
application_transitioned = Signal()
# kwargs: cycle_id, name, source, target
cycle_transitioned = Signal()
