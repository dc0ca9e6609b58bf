"""PDF uploads are parsed, not grepped (issue 8 §2): JavaScript, Launch actions and embedded
files are refused wherever they sit — the catalogue's OpenAction and Names trees, a page's
additional actions, an annotation, an object packed in a compressed object stream (listed or
orphaned) — and however their names are spelt (/J#61vaScript); encrypted files are refused;
the size limit and the magic-byte check stay. Every file is built here, with pypdf or by hand."""
from __future__ import annotations

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from rest_framework.test import APIClient

from nominations.demo import sample_pdf
from nominations.models import Document
from nominations.uploads import ATTACHMENT, JAVASCRIPT, LAUNCH, UploadRejected, inspect_upload, pdf_problem
from tests.stored import stored_files

CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s >>"


def classic(catalog_extra: bytes = b"", page_extra: bytes = b"", more: dict[int, bytes] | None = None) -> bytes:
    """A one-page PDF with a classic cross-reference table (offsets computed)."""
    objects = {1: CATALOG % catalog_extra, 2: PAGES, 3: PAGE % page_extra, **(more or {})}
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)


def with_object_stream(packed: dict[int, bytes], catalog_extra: bytes = b"", listed: bool = True) -> bytes:
    """A PDF 1.5 file whose objects `packed` live in a Flate-compressed object stream, with a
    cross-reference stream; `listed=False` leaves them out of it (orphans a viewer may still find)."""
    objects = {1: CATALOG % catalog_extra, 2: PAGES, 3: PAGE % b""}
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    body, pairs = b"", []
    for num in sorted(packed):
        pairs.append(b"%d %d" % (num, len(body)))
        body += packed[num] + b"\n"
    header = b" ".join(pairs) + b"\n"
    stream = zlib.compress(header + body)
    stm = max([*objects, *packed]) + 1
    offsets[stm] = len(out)
    out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stm, len(packed), len(header), len(stream))) + stream + b"\nendstream\nendobj\n"
    xref_num = stm + 1
    size = xref_num + 1
    xref_at = len(out)
    rows = b""
    for num in range(size):
        if num in offsets:
            rows += b"\x01" + offsets[num].to_bytes(4, "big") + b"\x00\x00"
        elif num == xref_num:
            rows += b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"
        elif num in packed and listed:
            rows += b"\x02" + stm.to_bytes(4, "big") + sorted(packed).index(num).to_bytes(2, "big")
        else:
            rows += b"\x00" + b"\x00" * 4 + b"\xff\xff"
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % (xref_num, size, len(rows))) + rows + b"\nendstream\nendobj\n"
    return out + b"startxref\n%d\n%%%%EOF\n" % xref_at


def written(build) -> bytes:
    """A PDF written by pypdf after `build(writer)`."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})


def _encrypt(writer):
    writer.encrypt(user_password="", owner_password="owner")


CLEAN = {
    "demo sample": sample_pdf("清白的文件"),
    "classic table": classic(),
    "object stream": with_object_stream({4: b"<< /Producer (test) >>"}, b"/Info 4 0 R"),
    "link to a web page": classic(page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                                             b"/A << /S /URI /URI (https://example.org/) >> >>]"),
    "pypdf blank page": written(lambda w: None),
    "text mentioning JavaScript": classic(more={4: b"<< /Length 44 >>\nstream\nBT (/JavaScript /Launch /EmbeddedFile) Tj ET\nendstream"}),
}

BAD = {
    # pypdf-written
    "pypdf add_open_action (JavaScript name tree)": (
        written(lambda w: w.add_open_action(JavaScript("app.alert(1)"))), JAVASCRIPT),
    "pypdf OpenAction JavaScript": (written(_open_action_js), JAVASCRIPT),
    "pypdf add_attachment (EmbeddedFiles)": (written(lambda w: w.add_attachment("run.exe", b"MZ\x90\x00")),
                                             ATTACHMENT),
    # hand-built, catalogue
    "OpenAction /J#61vaScript": (classic(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), JAVASCRIPT),
    "OpenAction by reference, all hex": (classic(b"/OpenAction 4 0 R", more={
        4: b"<< /#53 /#4a#61#76#61#53#63#72#69#70#74 /#4a#53 (x) >>"}), JAVASCRIPT),
    "catalogue AA": (classic(b"/AA << /WC << /S /JavaScript /JS (x) >> >>"), JAVASCRIPT),
    "Names JavaScript tree": (classic(b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
                                      more={4: b"<< /S /JavaScript /JS 5 0 R >>",
                                            5: b"<< /Length 12 >>\nstream\napp.alert(1)\nendstream"}), JAVASCRIPT),
    "OpenAction Launch": (classic(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), LAUNCH),
    "OpenAction /L#61unch": (classic(b"/OpenAction << /S /L#61unch /Win << /F (calc.exe) >> >>"), LAUNCH),
    "Names EmbeddedFiles": (classic(b"/Names << /E#6dbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
                                    more={4: b"<< /Type /Filespec /F (a.exe) >>"}), ATTACHMENT),
    # pages and annotations
    "page AA JavaScript": (classic(page_extra=b"/AA << /O << /S /JavaScript /JS (x) >> >>"), JAVASCRIPT),
    "link annotation Launch": (classic(page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                                                  b"/A << /S /Launch /F (calc) >> >>]"), LAUNCH),
    "widget JavaScript by reference": (classic(page_extra=b"/Annots [4 0 R]", more={
        4: b"<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] /A 5 0 R >>", 5: b"<< /S /JavaScript /JS (x) >>"}),
        JAVASCRIPT),
    "FileAttachment annotation": (classic(page_extra=b"/Annots [<< /Type /Annot /Subtype /FileAttachment "
                                                     b"/Rect [0 0 9 9] /FS (x.bin) >>]"), ATTACHMENT),
    "next action chain": (classic(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /Launch /F (x) >> >>"),
                          LAUNCH),
    # anywhere in the file
    "orphan object (no reference)": (classic(more={4: b"<< /S /JavaScript /JS (x) >>"}), JAVASCRIPT),
    "object stream, referenced": (with_object_stream({4: b"<< /S /JavaScript /JS (app.alert(1)) >>"},
                                                     b"/OpenAction 4 0 R"), JAVASCRIPT),
    "object stream, escaped names": (with_object_stream({4: b"<< /S /J#61vaScript /J#53 (x) >>"},
                                                        b"/OpenAction 4 0 R"), JAVASCRIPT),
    "object stream, orphan not in xref": (with_object_stream({4: b"<< /S /Launch /F (calc) >>"}, listed=False),
                                          LAUNCH),
    "object stream, embedded file": (with_object_stream({4: b"<< /Type /E#6dbeddedFile /Length 0 >>"}),
                                     ATTACHMENT),
}


@pytest.mark.parametrize("name", CLEAN)
def test_clean_pdfs_pass(name):
    assert pdf_problem(CLEAN[name]) is None


@pytest.mark.parametrize("name", BAD)
def test_forbidden_content_found_and_named(name):
    data, kind = BAD[name]
    assert pdf_problem(data) == kind
    with pytest.raises(UploadRejected) as err:
        inspect_upload(SimpleUploadedFile("x.pdf", data), allowed=["application/pdf"])
    assert {JAVASCRIPT: "JavaScript", LAUNCH: "Launch", ATTACHMENT: "附件"}[kind] in str(err.value)


@pytest.mark.parametrize(("data", "fragment"), [
    (written(_encrypt), "已加密"),
    (b"%PDF-1.7\n" + b"[" * 100_000, "不是有效的 PDF"),
    (b"%PDF-1.4\n garbage", "不是有效的 PDF"),
    (classic().replace(b"/Count 1", b"/Count 0").replace(b"/Kids [3 0 R]", b"/Kids []"), "没有页面"),
    (b"MZ\x90\x00" + classic(), "只接收 PDF"),  # magic bytes first
], ids=["encrypted", "100000 brackets", "garbage", "no pages", "not a PDF"])
def test_unreadable_encrypted_or_fake_refused(data, fragment):
    with pytest.raises(UploadRejected) as err:
        inspect_upload(SimpleUploadedFile("x.pdf", data), allowed=["application/pdf"])
    assert fragment in str(err.value)


def test_size_limit_kept(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRejected) as err:
        inspect_upload(SimpleUploadedFile("x.pdf", classic() + b"%" * 2000), allowed=["application/pdf"])
    assert "文件过大" in str(err.value)


@pytest.mark.parametrize("name", ["OpenAction /J#61vaScript", "object stream, referenced", "Names EmbeddedFiles"])
def test_api_upload_refused_with_the_reason_and_nothing_stored(draft, applicant, name):
    data, kind = BAD[name]
    client = APIClient()
    client.force_authenticate(applicant)
    before, files_before = Document.objects.count(), stored_files(f"applications/{draft.pk}")
    response = client.post(f"/api/v1/applications/{draft.pk}/documents/",
                           {"kind": "evidence", "file": SimpleUploadedFile("x.pdf", data)}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert {JAVASCRIPT: "JavaScript", LAUNCH: "Launch", ATTACHMENT: "附件"}[kind] in str(body)
    assert Document.objects.count() == before
    assert stored_files(f"applications/{draft.pk}") == files_before
