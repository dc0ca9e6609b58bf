"""Award certificates (荣誉证书) rendered to PDF with WeasyPrint.

Public API:

* :class:`~nominations.certificates.render.CertificateData` - the input record.
* :class:`~nominations.certificates.render.CertificateRenderer` - reusable renderer
  (``render``, ``render_many``, ``combine``).
* :func:`~nominations.certificates.render.render_certificate` - one-shot helper.
* :func:`~nominations.certificates.fonts.ensure_fonts` - build the CJK font subset.

Submodules are imported lazily so that importing this package stays cheap
(WeasyPrint is only loaded when a certificate is actually rendered).
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "CertificateData",
    "CertificateFontMissing",
    "CertificateRenderer",
    "ensure_fonts",
    "render_certificate",
]

_EXPORTS = {
    "CertificateData": "nominations.certificates.render",
    "CertificateRenderer": "nominations.certificates.render",
    "render_certificate": "nominations.certificates.render",
    "CertificateFontMissing": "nominations.certificates.fonts",
    "ensure_fonts": "nominations.certificates.fonts",
}


def __getattr__(name: str) -> Any:
    """Import public names on first access (PEP 562)."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
