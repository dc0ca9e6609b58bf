import pytest

from nominations.errors import WorkflowError
from nominations.models import AuditEntry, Membership, Organization
from nominations.services.intake import organization_create

VALID = "91310115MA1H7K3P06"
LEGACY = "91350100M0001TGQXM"


def test_applicant_registers_organization_and_becomes_member(outsider):
    org = organization_create(actor=outsider, name="上海浦江精密机械有限公司", uscc=VALID.lower())
    assert org.uscc == VALID
    assert list(Membership.objects.filter(organization=org).values_list("user__username", flat=True)) == ["outsider"]
    assert AuditEntry.objects.filter(object_type="nominations.organization", object_id=str(org.pk),
                                     action="organization.create").count() == 1


def test_applicant_invalid_code_refused_and_nothing_saved(outsider):
    with pytest.raises(WorkflowError) as err:
        organization_create(actor=outsider, name="某公司", uscc="91310115MA1H7K3P07")
    assert err.value.field_errors["uscc"][0].startswith("统一社会信用代码校验位错误")
    assert Organization.objects.count() == 0 and Membership.objects.count() == 0


def test_applicant_cannot_override_legacy_code(outsider):
    with pytest.raises(WorkflowError):
        organization_create(actor=outsider, name="早期试点公司", uscc=LEGACY, override_reason="老代码")
    assert not Organization.objects.exists()


def test_secretariat_registers_legacy_code_with_reason(secretariat):
    org = organization_create(actor=secretariat, name="早期试点公司", uscc=LEGACY,
                              override_reason="2015年试点期间赋码，经登记机关确认有效")
    assert org.uscc_override_reason.startswith("2015年试点")
    assert not Membership.objects.filter(organization=org).exists()
    entry = AuditEntry.objects.get(object_type="nominations.organization", object_id=str(org.pk))
    assert entry.data == {"uscc": LEGACY, "override": True}


def test_secretariat_needs_a_reason_for_legacy_code(secretariat):
    with pytest.raises(WorkflowError) as err:
        organization_create(actor=secretariat, name="早期试点公司", uscc=LEGACY)
    assert "例外理由" in err.value.field_errors["uscc"][-1]


def test_duplicate_code_refused(outsider, other_applicant):
    organization_create(actor=outsider, name="甲公司", uscc=VALID)
    with pytest.raises(WorkflowError) as err:
        organization_create(actor=other_applicant, name="乙公司", uscc=VALID)
    assert err.value.code == "duplicate_uscc"
    assert Organization.objects.filter(uscc=VALID).count() == 1
