"""Checking what an uploaded file really is: magic bytes and a parse, not the name."""
from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg"}}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}


class UploadRejected(ValueError):
    pass


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


# What a PDF may not carry, found by parsing (names arrive decoded: /J#61vaScript is /JavaScript).
JAVASCRIPT, LAUNCH, ATTACHMENT = "javascript", "launch", "attachment"
MAX_PDF_OBJECTS = 200_000  # a real upload has a few thousand; more is a parsing bomb


def _pdf_refusal(kind: str) -> str:
    return {
        JAVASCRIPT: _("PDF 文件含有 JavaScript 脚本，出于安全原因不予接收。请去除脚本（或“打印”为新的 PDF）后重新上传。"),
        LAUNCH: _("PDF 文件含有启动外部程序的动作（Launch），出于安全原因不予接收。请去除该动作后重新上传。"),
        ATTACHMENT: _("PDF 文件含有嵌入的附件（EmbeddedFile），出于安全原因不予接收。请将附件作为单独的材料上传。"),
    }[kind]


def _forbidden_in(obj) -> str | None:
    """What one parsed dictionary makes the file carry (None when harmless)."""
    from pypdf.generic import DictionaryObject

    if not isinstance(obj, DictionaryObject):
        return None
    keys = set(obj.keys())
    action = obj.get("/S")
    if "/JS" in keys or "/JavaScript" in keys or action == "/JavaScript":
        return JAVASCRIPT  # a JavaScript action, or the catalogue's /Names /JavaScript tree
    if action == "/Launch":
        return LAUNCH
    if ("/EmbeddedFiles" in keys or "/EF" in keys or obj.get("/Type") == "/EmbeddedFile"
            or obj.get("/Subtype") == "/FileAttachment"):
        return ATTACHMENT  # the Names tree, a file specification, the file stream, an annotation
    return None


def _walk(root, seen: set) -> str | None:
    """Depth-first over a parsed object and everything it refers to (iterative: no recursion
    limit, each indirect object once)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise UploadRejected(_("PDF 文件结构过于复杂（对象过多），无法检查。"))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary
            found = _forbidden_in(obj)
            if found:
                return found
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _object_stream_members(reader, stream):
    """Every object packed in a compressed object stream (/Type /ObjStm), parsed one by one,
    whether or not the cross-reference table lists it."""
    from pypdf.generic import read_object

    data = stream.get_data()
    count, first = int(stream.get("/N", 0)), int(stream.get("/First", 0))
    if not 0 <= count <= MAX_PDF_OBJECTS or not 0 <= first <= len(data):
        raise UploadRejected(_("文件不是有效的 PDF（无法解析）。"))
    header = data[:first].split()
    for index in range(min(count, len(header) // 2)):
        offset = first + int(header[2 * index + 1])
        yield read_object(io.BytesIO(data[offset:]), reader)


def pdf_problem(data: bytes) -> str | None:
    """Parse the whole file: the catalogue (OpenAction, AA, the Names trees: JavaScript and
    EmbeddedFiles), the pages and their annotations and actions, and every object of the file,
    including those packed in compressed object streams. Returns the first forbidden kind
    (JAVASCRIPT, LAUNCH, ATTACHMENT) or None; raises UploadRejected for an unreadable,
    encrypted or empty file."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(_("PDF 文件已加密，请上传未加密的文件。"))
        if len(reader.pages) < 1:
            raise UploadRejected(_("PDF 文件没有页面。"))
        seen: set = set()
        found = _walk(reader.trailer, seen)  # catalogue, names, outlines, pages, annotations
        numbers = [(num, gen) for gen, table in reader.xref.items() for num in table]
        numbers += [(num, 0) for num in reader.xref_objStm]
        for num, gen in numbers:  # every object in the file, referenced or not
            found = found or _walk(IndirectObject(num, gen, reader), seen)
            if found:
                break
            obj = reader.get_object(IndirectObject(num, gen, reader))
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                for member in _object_stream_members(reader, obj):
                    found = _walk(member, seen)
                    if found:
                        break
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError,
            RecursionError, OverflowError, MemoryError) as exc:
        raise UploadRejected(_("文件不是有效的 PDF（无法解析）。")) from exc
    return found


def _check_pdf(data: bytes) -> None:
    found = pdf_problem(data)
    if found:
        raise UploadRejected(_pdf_refusal(found))


def inspect_upload(uploaded, *, allowed: list[str]) -> tuple[bytes, str, str]:
    """Validate an uploaded file. Returns (content, content type, sha256) or raises UploadRejected."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise UploadRejected(_("文件过大：%(size).1f MB，上限为 %(limit).0f MB。")
                             % {"size": size / 1048576, "limit": limit / 1048576})
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(_("文件过大，上限为 %(limit).0f MB。") % {"limit": limit / 1048576})
    if not data:
        raise UploadRejected(_("文件为空。"))
    content_type = sniff(data[:16])
    allowed_labels = pgettext("list separator", "、").join(LABELS.get(t, t) for t in allowed)
    if content_type is None or content_type not in allowed:
        raise UploadRejected(_("文件类型不符：此类材料只接收 %(allowed)s 文件，上传的文件内容不是。")
                             % {"allowed": allowed_labels})
    name = getattr(uploaded, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS[content_type]:
        raise UploadRejected(_("文件扩展名与内容不符：内容为 %(kind)s，扩展名为 .%(ext)s。")
                             % {"kind": LABELS[content_type], "ext": ext or "?"})
    if content_type == PDF:
        _check_pdf(data)
    return data, content_type, hashlib.sha256(data).hexdigest()
