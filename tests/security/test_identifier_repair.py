"""Numbers stored before normalisation (full-width digits) are repaired by crypto_migrate to
the current suite: re-encrypted and re-indexed in ASCII, so the duplicate-nominee check finds
the person again; a person then found twice is reported, never merged."""
from __future__ import annotations

from django.conf import settings

from nominations import crypto
from nominations.services.crypto_suite import crypto_migrate
from tests import factories as f

FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _store_legacy(nominee, number: str) -> None:
    """What the code before normalisation stored for a number typed in full width."""
    type(nominee).objects.filter(pk=nominee.pk).update(
        id_number_encrypted=crypto.encrypt(number), id_number_index=crypto.blind_index(number),
        id_number_masked=number[:6] + "*" * 8 + number[-4:])


def test_full_width_numbers_repaired_and_duplicates_reported(cycle, applicant, organization, other_applicant,
                                                             other_organization, unit):
    number = f.valid_id_number(11)
    first = f.draft_application(cycle=cycle, applicant=applicant, organization=organization, unit=unit,
                                category_code="IND", complete=False,
                                nominee={"name": "张三", "employer": "甲", "id_number": f.valid_id_number(12)})
    _store_legacy(first.nominee, number.translate(FW))
    type(first).objects.filter(pk=first.pk).update(
        live_key=f"ind:{first.category_id}:{crypto.blind_index(number.translate(FW))}")
    second = f.draft_application(cycle=cycle, applicant=other_applicant, organization=other_organization,
                                 unit=unit, category_code="IND", complete=False,
                                 nominee={"name": "张三", "employer": "乙", "id_number": number})

    result = crypto_migrate(settings.CRYPTO_SUITE)

    first.refresh_from_db()
    first.nominee.refresh_from_db()
    assert first.nominee.get_id_number() == number
    assert first.nominee.id_number_index == second.nominee.id_number_index
    assert first.nominee.id_number_masked == number[:6] + "********" + number[-4:]
    assert result.duplicates == [first.pk]  # the same person twice in one category: for the secretariat
    assert crypto_migrate(settings.CRYPTO_SUITE).reencrypted == 0  # nothing left to repair
