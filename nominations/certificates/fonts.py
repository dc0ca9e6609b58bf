"""Certificate fonts: found once, cut once, then referenced by explicit paths.

Rendering never asks fontconfig to pick a CJK font by family name. Instead,
:func:`ensure_fonts` makes sure that ``CERT_FONT_DIR`` holds:

* ``CertSerif-Regular.otf`` / ``CertSerif-Bold.otf``: subsets of the system's
  Noto Serif CJK SC (or, failing that, Noto Sans CJK SC) covering every GB 2312
  character, ASCII, Latin-1, general and CJK punctuation, full-width forms, 〇
  and any configured extra characters. About 4 MB each instead of a 26 MB
  collection, so loading and embedding them is cheap.
* ``CertSerifFallback-Regular.otf`` / ``CertSerifFallback-Bold.otf``: the
  complete SC face extracted from the TrueType collection (raw table copy).
  It is registered with WeasyPrint only when a certificate contains a
  character missing from the subset (rare given-name characters such as 堃
  or 喆); WeasyPrint then embeds just the glyphs used, so the fallback costs
  nothing for ordinary certificates and never leaves a missing-glyph box for
  rare ones. Extracting the SC face (instead of pointing at the ``.ttc``)
  guarantees Simplified-Chinese glyph forms: a collection would register its
  JP/KR/TC/HK faces under the same family name.

A ``manifest.json`` in the directory records where each file came from; when
every output exists and is newer than its source, :func:`ensure_fonts` returns
without scanning the system fonts at all.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from nominations.certificates import _harfbuzz

logger = logging.getLogger(__name__)

PRIMARY_FAMILY = "CertSerif"
FALLBACK_FAMILY = "CertSerifFallback"
SOURCE_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
BUILDER_VERSION = 1
MANIFEST_NAME = "manifest.json"
INSTALL_HINT = (
    "Install the Debian package fonts-noto-cjk "
    "(apt-get install fonts-noto-cjk), then run scripts/build_cjk_font.py."
)
# Searched in addition to whatever fc-list reports.
KNOWN_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/opentype/noto-cjk"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/local/share/fonts"),
)
_FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")
_STYLE_WEIGHTS = {"regular": 400, "bold": 700}
# Ranges added to GB 2312: ASCII, Latin-1, general punctuation, CJK symbols
# and punctuation (includes 〇 U+3007), full-width and half-width forms.
_EXTRA_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)


class CertificateFontMissing(RuntimeError):
    """No Noto CJK SC font is installed, so certificates cannot be rendered."""


@dataclass(frozen=True)
class FaceSource:
    """One face inside a system font file (``index`` > 0 inside collections)."""

    path: Path
    index: int
    family: str
    weight: int


@dataclass(frozen=True)
class FontSet:
    """Absolute paths of the fonts used by the certificate stylesheet."""

    directory: Path
    regular: Path
    fallback_regular: Path
    bold: Path | None = None
    fallback_bold: Path | None = None

    def faces(self, family: str) -> dict[str, Path]:
        """Return ``{"regular": path, "bold": path}`` (bold when present) for a family."""
        if family == PRIMARY_FAMILY:
            pairs = {"regular": self.regular, "bold": self.bold}
        elif family == FALLBACK_FAMILY:
            pairs = {"regular": self.fallback_regular, "bold": self.fallback_bold}
        else:
            raise ValueError(f"Unknown certificate font family {family!r}")
        return {style: path for style, path in pairs.items() if path is not None}


# --------------------------------------------------------------------------
# Configuration and character sets
# --------------------------------------------------------------------------

def font_dir() -> Path:
    """Return ``settings.CERT_FONT_DIR`` (default ``BASE_DIR / "var" / "fonts"``)."""
    from django.conf import settings

    configured = getattr(settings, "CERT_FONT_DIR", None)
    if configured:
        return Path(configured)
    base_dir = getattr(settings, "BASE_DIR", None) or Path(__file__).resolve().parents[2]
    return Path(base_dir) / "var" / "fonts"


def configured_extra_chars() -> str:
    """Return ``settings.CERT_FONT_EXTRA_CHARS`` (optional, default empty)."""
    from django.conf import settings

    return str(getattr(settings, "CERT_FONT_EXTRA_CHARS", "") or "")


@lru_cache(maxsize=1)
def gb2312_characters() -> str:
    """Return every character encodable in GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars: list[str] = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@lru_cache(maxsize=1)
def base_codepoints() -> frozenset[int]:
    """Return the code points every primary subset covers (without extras)."""
    codepoints = {ord(char) for char in gb2312_characters()}
    for first, last in _EXTRA_RANGES:
        codepoints.update(range(first, last + 1))
    return frozenset(codepoints)


def subset_codepoints(extra_chars: str = "") -> frozenset[int]:
    """Return the base code points plus those of ``extra_chars`` (whitespace ignored)."""
    return base_codepoints() | {ord(char) for char in extra_chars if not char.isspace()}


def _normalize_extra(extra_chars: str) -> str:
    """Return the extra characters that are not already in the base set, sorted."""
    base = base_codepoints()
    return "".join(sorted({c for c in extra_chars if not c.isspace() and ord(c) not in base}))


@lru_cache(maxsize=1)
def _charset_key() -> str:
    """Return a digest identifying the base character set (the builder's input)."""
    digest = hashlib.sha256(",".join(map(str, sorted(base_codepoints()))).encode())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------
# Locating the system font
# --------------------------------------------------------------------------

def _fc_list_files() -> list[Path]:
    """Return CJK font files reported by ``fc-list`` (empty if fc-list is absent)."""
    try:
        output = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{family}\n"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = []
    for line in output.splitlines():
        file, _, family = line.partition("\t")
        if any(name.lower() in family.lower() for name in ("Noto Serif CJK", "Noto Sans CJK")):
            files.append(Path(file))
    return files


def _known_dir_files(directories: Iterable[Path]) -> list[Path]:
    """Return Noto CJK font files found in ``directories`` (recursively)."""
    files = []
    for directory in directories:
        if directory.is_dir():
            files.extend(
                path for path in directory.rglob("Noto*CJK*")
                if path.suffix.lower() in _FONT_SUFFIXES
            )
    return files


def _face_family(font: TTFont) -> str:
    """Return the typographic family (name ID 16, else ID 1) of a face."""
    name = font["name"]
    return str(name.getDebugName(16) or name.getDebugName(1) or "")


def _scan_file(path: Path) -> list[FaceSource]:
    """Return the faces of a font file or collection, read from their name tables."""
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = list(TTCollection(str(path), lazy=True).fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
        return [
            FaceSource(path, index, _face_family(font), int(font["OS/2"].usWeightClass))
            for index, font in enumerate(fonts)
        ]
    except (OSError, TTLibError, KeyError) as exc:
        logger.debug("Skipping unreadable font %s: %s", path, exc)
        return []


def find_source_faces(search_paths: Sequence[Path] | None = None) -> dict[str, FaceSource]:
    """Find Noto Serif CJK SC (else Noto Sans CJK SC) Regular and, if present, Bold.

    ``search_paths`` (files or directories) replaces the default discovery
    (``fc-list`` plus well-known Debian/Fedora font directories).

    Raises:
        CertificateFontMissing: if no Regular face of either family exists.
    """
    if search_paths is None:
        candidates = _fc_list_files() + _known_dir_files(KNOWN_FONT_DIRS)
    else:
        candidates = [p for p in search_paths if p.is_file()]
        candidates += _known_dir_files(p for p in search_paths if p.is_dir())
    faces = [face for path in sorted(set(candidates)) for face in _scan_file(path)]
    for family in SOURCE_FAMILIES:
        chosen = {
            style: face
            for style, weight in _STYLE_WEIGHTS.items()
            for face in faces
            if face.family == family and face.weight == weight
        }
        if "regular" in chosen:
            return chosen
    raise CertificateFontMissing(
        f"No {' / '.join(SOURCE_FAMILIES)} font found for certificates. {INSTALL_HINT}"
    )


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------

def _is_newer(output: Path, source: Path) -> bool:
    """Return whether ``output`` exists and is at least as new as ``source``."""
    if not output.exists():
        return False
    if not source.exists():  # Source uninstalled: the built copy is still valid.
        return True
    return output.stat().st_mtime >= source.stat().st_mtime


def _write_atomic(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` through a temporary file and a rename."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _subset_with_fonttools(source: FaceSource, codepoints: Iterable[int]) -> bytes:
    """Subset with ``fontTools.subset`` (slow on CJK fonts: ~15-50 s per face)."""
    from fontTools import subset

    options = subset.Options()
    options.hinting = False
    options.layout_features = ["kern", "palt", "locl"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    options.name_IDs = ["*"]
    font = TTFont(str(source.path), fontNumber=source.index, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def build_subset_font(
    source: FaceSource,
    output: Path,
    extra_chars: str = "",
    *,
    force: bool = False,
    backend: str = "auto",
) -> Path:
    """Cut the GB 2312 (+ ``extra_chars``) subset of ``source`` into ``output``.

    Idempotent: nothing is done when ``output`` is newer than the source file
    (unless ``force``). ``backend`` is ``"harfbuzz"`` (fast, needs
    ``libharfbuzz-subset``, which WeasyPrint needs anyway), ``"fonttools"``
    (pure Python, ~100x slower) or ``"auto"`` (HarfBuzz when available).
    """
    if not force and _is_newer(output, source.path):
        return output
    codepoints = sorted(subset_codepoints(extra_chars))
    use_harfbuzz = backend == "harfbuzz" or (backend == "auto" and _harfbuzz.is_available())
    if use_harfbuzz:
        data = _harfbuzz.subset_face(source.path, source.index, codepoints)
    else:
        data = _subset_with_fonttools(source, codepoints)
    _write_atomic(output, data)
    return output


def extract_face(source: FaceSource, output: Path, *, force: bool = False) -> Path:
    """Copy one face of a collection into a standalone font file, tables untouched."""
    if not force and _is_newer(output, source.path):
        return output
    if source.path.suffix.lower() not in (".ttc", ".otc"):
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, output)
        return output
    font = TTFont(str(source.path), fontNumber=source.index, lazy=True)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)  # Lazy: raw table data, no recompiling.
    _write_atomic(output, buffer.getvalue())
    return output


# --------------------------------------------------------------------------
# ensure_fonts
# --------------------------------------------------------------------------

def _output_name(family: str, style: str) -> str:
    """Return the file name of a built font, e.g. ``CertSerif-Bold.otf``."""
    return f"{family}-{style.capitalize()}.otf"


def _read_manifest(directory: Path) -> dict | None:
    """Return the parsed manifest, or None when absent or unreadable."""
    try:
        return json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _fontset_from_manifest(directory: Path, extra_chars: str) -> FontSet | None:
    """Return the FontSet if the manifest is current and every file is fresh."""
    manifest = _read_manifest(directory)
    if not manifest or manifest.get("builder") != BUILDER_VERSION:
        return None
    if manifest.get("charset") != _charset_key():
        return None
    if not set(_normalize_extra(extra_chars)) <= set(manifest.get("extra_chars", "")):
        return None
    paths: dict[str, Path] = {}
    for key, entry in manifest.get("files", {}).items():
        path = directory / entry["file"]
        if not _is_newer(path, Path(entry["source"])):
            return None
        paths[key] = path
    if "regular" not in paths or "fallback_regular" not in paths:
        return None
    return FontSet(
        directory=directory,
        regular=paths["regular"],
        bold=paths.get("bold"),
        fallback_regular=paths["fallback_regular"],
        fallback_bold=paths.get("fallback_bold"),
    )


@contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    """Serialize builds across processes (pool workers, parallel tests)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_all(
    directory: Path,
    extra_chars: str,
    sources: dict[str, FaceSource],
    *,
    force_subset: bool,
    force_full: bool,
) -> FontSet:
    """Build every font file from ``sources`` and write the manifest."""
    files: dict[str, dict[str, object]] = {}
    for style, source in sources.items():
        subset_path = directory / _output_name(PRIMARY_FAMILY, style)
        build_subset_font(source, subset_path, extra_chars, force=force_subset)
        full_path = directory / _output_name(FALLBACK_FAMILY, style)
        extract_face(source, full_path, force=force_full)
        for key, path in ((style, subset_path), (f"fallback_{style}", full_path)):
            files[key] = {"file": path.name, "source": str(source.path),
                          "index": source.index, "family": source.family}
    manifest = {"builder": BUILDER_VERSION, "charset": _charset_key(),
                "extra_chars": extra_chars, "files": files}
    _write_atomic(directory / MANIFEST_NAME,
                  json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    fontset = _fontset_from_manifest(directory, extra_chars)
    assert fontset is not None
    return fontset


def ensure_fonts(
    directory: Path | None = None,
    extra_chars: str | None = None,
    *,
    force: bool = False,
    search_paths: Sequence[Path] | None = None,
) -> FontSet:
    """Return the certificate fonts, building them first if missing or stale.

    The fast path only reads ``manifest.json`` and stats a few files. A build
    takes about 2 seconds (HarfBuzz backend) and is serialized by a file lock.

    Raises:
        CertificateFontMissing: if fonts must be built and no Noto CJK SC exists.
    """
    directory = Path(directory) if directory is not None else font_dir()
    extra = _normalize_extra(configured_extra_chars() if extra_chars is None else extra_chars)
    if not force and (fontset := _fontset_from_manifest(directory, extra)):
        return fontset
    with _build_lock(directory):
        if not force and (fontset := _fontset_from_manifest(directory, extra)):
            return fontset
        previous = _read_manifest(directory) or {}
        # Keep extra characters added earlier (e.g. by the build script).
        extra = _normalize_extra(extra + str(previous.get("extra_chars", "")))
        charset_changed = (
            previous.get("builder") != BUILDER_VERSION
            or previous.get("charset") != _charset_key()
            or previous.get("extra_chars", "") != extra
        )
        sources = find_source_faces(search_paths)
        logger.info("Building certificate fonts in %s from %s", directory,
                    ", ".join(f"{s.path}#{s.index}" for s in sources.values()))
        return _build_all(directory, extra, sources,
                          force_subset=force or charset_changed, force_full=force)


# --------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _cmap_codepoints(path: str, mtime_ns: int) -> frozenset[int]:
    """Return the code points mapped by a font's cmap (cached per file version)."""
    font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap() or {})


def font_codepoints(path: Path) -> frozenset[int]:
    """Return the code points covered by the font at ``path`` (cached)."""
    return _cmap_codepoints(str(path), path.stat().st_mtime_ns)


def missing_characters(text: str, path: Path) -> str:
    """Return the distinct characters of ``text`` that the font at ``path`` lacks."""
    covered = font_codepoints(path)
    seen = dict.fromkeys(c for c in text if ord(c) not in covered and not c.isspace())
    return "".join(seen)
