import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nominations.errors import InvalidState, WorkflowError
from nominations.models import Document
from nominations.models.applications import private_storage
from nominations.services.intake import document_delete, document_upload
from tests import factories as f
from tests.stored import read_stored, stored_files


def _upload(app, user, name, content, kind="evidence"):
    return document_upload(application=app, actor=user, kind=kind,
                           uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"))


def test_pdf_stored_privately_with_sha256(draft, applicant, settings):
    doc = _upload(draft, applicant, "证实性材料.pdf", f.pdf_upload().read())
    import hashlib
    with doc.file.open("rb") as fh:
        data = fh.read()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data) and doc.name == "证实性材料.pdf" and doc.content_type == "application/pdf"
    assert read_stored(doc.file.name) == data
    assert doc.file.storage is private_storage()
    assert doc.file.name.startswith(f"applications/{draft.pk}/") and "证实" not in doc.file.name


@pytest.mark.parametrize("name,content,fragment", [
    ("fake.pdf", b"<html><body>not a pdf</body></html>", "只接收 PDF"),
    ("broken.pdf", b"%PDF-1.4\n this is not really a pdf", "不是有效的 PDF"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "只接收 PDF"),
    ("empty.pdf", b"", "文件为空"),
])
def test_fake_or_broken_files_rejected_and_nothing_stored(draft, applicant, name, content, fragment, settings):
    files_before = stored_files(f"applications/{draft.pk}")
    before = Document.objects.count()
    with pytest.raises(WorkflowError) as err:
        _upload(draft, applicant, name, content)
    assert fragment in err.value.field_errors["file"][0]
    assert Document.objects.count() == before
    assert stored_files(f"applications/{draft.pk}") == files_before


def test_pdf_with_wrong_extension_rejected(draft, applicant):
    with pytest.raises(WorkflowError) as err:
        _upload(draft, applicant, "report.docx", f.pdf_upload().read())
    assert "扩展名与内容不符" in err.value.message


def test_pdf_with_javascript_rejected(draft, applicant):
    data = f.pdf_upload().read().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(WorkflowError) as err:
        _upload(draft, applicant, "evil.pdf", data)
    assert "脚本" in err.value.message


def test_oversize_rejected(draft, applicant, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(WorkflowError) as err:
        _upload(draft, applicant, "big.pdf", f.pdf_upload().read())
    assert "文件过大" in err.value.message


def test_kind_not_in_category_rejected(draft, applicant):
    with pytest.raises(WorkflowError) as err:
        _upload(draft, applicant, "x.pdf", f.pdf_upload().read(), kind="financial_statement")
    assert err.value.field_errors["kind"] == ["本类别不接收该类型的材料：financial_statement。"]


def test_documents_frozen_after_submit_and_unlocked_by_return(submitted, applicant, recommender):
    count = submitted.documents.count()
    with pytest.raises(InvalidState):
        _upload(submitted, applicant, "late.pdf", f.pdf_upload().read())
    with pytest.raises(InvalidState):
        document_delete(document=submitted.documents.first(), actor=applicant)
    assert submitted.documents.count() == count
    returned = f.advance(submitted, ["return"], {"return": recommender})
    _upload(returned, applicant, "补充.pdf", f.pdf_upload().read())
    assert returned.documents.count() == count + 1


def test_other_applicant_cannot_upload(draft, other_applicant):
    with pytest.raises(WorkflowError) as err:
        _upload(draft, other_applicant, "x.pdf", f.pdf_upload().read())
    assert err.value.status == 403
