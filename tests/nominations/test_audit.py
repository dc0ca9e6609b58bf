import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nominations.models import AuditEntry
from nominations.services.audit import audit_verify_chain
from tests.nominations import audit_tamper


def test_every_transition_audited_with_chain(accepted):
    entries = list(AuditEntry.objects.filter(object_type="nominations.application", object_id=str(accepted.pk))
                   .exclude(action__startswith="document"))
    assert [(e.action, e.source, e.target, e.actor_name) for e in entries] == [
        ("create", "", "draft", "applicant"),
        ("submit", "draft", "submitted", "applicant"),
        ("endorse", "submitted", "endorsed", "recommender"),
        ("accept", "endorsed", "accepted", "sec"),
    ]
    all_entries = list(AuditEntry.objects.order_by("id"))
    for prev, entry in zip(all_entries, all_entries[1:]):
        assert entry.prev_hash == prev.hash
    assert audit_verify_chain() == (True, len(all_entries), None)


def test_tampering_is_detected(accepted):
    entry = AuditEntry.objects.filter(action="accept").get()
    audit_tamper.edit(entry.pk, note="篡改")
    ok, _count, broken = audit_verify_chain()
    assert (ok, broken) == (False, entry.pk)
    with pytest.raises(CommandError, match=f"broken at entry #{entry.pk}"):
        call_command("verify_audit_chain")


def test_entries_are_append_only(accepted):
    entry = AuditEntry.objects.first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
