from nominations.enums import ApplicationState
from nominations.models import AuditEntry


def test_application_walks_from_draft_to_accepted(accepted):
    assert accepted.state == ApplicationState.ACCEPTED
    assert accepted.reference == "QGA-2018-0001"
    actions = list(AuditEntry.objects.filter(object_id=str(accepted.pk), object_type="nominations.application")
                   .values_list("action", flat=True))
    assert [a for a in actions if not a.startswith("document")] == ["create", "submit", "endorse", "accept"]
