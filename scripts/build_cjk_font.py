"""Build the certificate fonts (GB 2312 subsets of Noto Serif CJK SC) into CERT_FONT_DIR.

Usage, from the repository root::

    .venv/bin/python scripts/build_cjk_font.py [--dir DIR] [--extra 堃喆] [--force]

Idempotent: when the fonts exist and are newer than the system font they were
cut from, nothing is rebuilt (well under a second). Run it once at deployment
(or let the first certificate render do it: ``ensure_fonts()`` builds on
demand). Needs the Debian package ``fonts-noto-cjk``.

The same code is importable: ``nominations.pdf.fonts.ensure_fonts()``
and ``nominations.pdf.fonts.build_subset_font(...)``.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def setup_django() -> None:
    """Use the project settings if they import; otherwise a minimal configuration."""
    import django
    from django.conf import settings

    module = os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        importlib.import_module(module)
    except Exception:  # Settings not importable here: only CERT_FONT_DIR matters.
        settings.configure(
            CERT_FONT_DIR=Path(os.environ.get("CERT_FONT_DIR", REPO_ROOT / "var" / "fonts")))
    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or check) the fonts; print what is there. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="output directory (default: CERT_FONT_DIR)")
    parser.add_argument("--extra", default=None,
                        help="extra characters to include in the subset (e.g. 堃喆)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--search", type=Path, action="append",
                        help="font file or directory to search instead of fc-list (repeatable)")
    args = parser.parse_args(argv)

    setup_django()
    from nominations.pdf.fonts import CertificateFontMissing, ensure_fonts

    start = time.perf_counter()
    try:
        fonts = ensure_fonts(args.dir, args.extra, force=args.force, search_paths=args.search)
    except CertificateFontMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    print(f"certificate fonts in {fonts.directory} ({elapsed:.2f} s):")
    for style, path in fonts.faces().items():
        source = fonts.sources.get(style)
        origin = f"  <- {source.path} #{source.index} ({source.family})" if source else ""
        print(f"  {style:8s} {path.name}  {path.stat().st_size / 1024 / 1024:.1f} MB{origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
