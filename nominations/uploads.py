"""Checking what an uploaded file really is: magic bytes and a parse, not the name."""
from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg"}}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}
FORBIDDEN_PDF_KEYS = ("/JavaScript", "/Launch", "/EmbeddedFile")


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


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(_("PDF 文件已加密，请上传未加密的文件。"))
        pages = len(reader.pages)
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise UploadRejected(_("文件不是有效的 PDF（无法解析）。")) from exc
    if pages < 1:
        raise UploadRejected(_("PDF 文件没有页面。"))
    if any(key.encode() in data for key in FORBIDDEN_PDF_KEYS):
        raise UploadRejected(_("PDF 文件含有脚本或嵌入程序，出于安全原因不予接收。"))


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
    allowed_labels = "、".join(LABELS.get(t, t) for t in allowed)
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
