"""Certificate fonts: found once, cut once, then referenced by explicit paths.

Rendering never asks fontconfig to pick a CJK font by family name. Instead,
:func:`ensure_fonts` makes sure that ``CERT_FONT_DIR`` holds
``CertSerif-Regular.ttf`` and ``CertSerif-Bold.ttf``: subsets of the system's
Noto Serif CJK SC (or, failing that, Noto Sans CJK SC; the SC face is picked
out of the TrueType collection by its name table) covering every GB 2312
character, ASCII, Latin-1, general and CJK punctuation, full-width forms, 〇
and any configured extra characters. At ~2.8 MB instead of a 26 MB collection
they are cheap to load, shape and embed. Their outlines are converted from CFF
to TrueType: WeasyPrint embeds fonts with glyph IDs retained, and the empty
slots of a ~7,800-glyph font cost ~27 KB per font in a CFF table but almost
nothing in ``glyf``/``loca``, which keeps a certificate around 25 KB.

A ``manifest.json`` in the directory records the source face of each file;
when every output exists and is newer than its source, :func:`ensure_fonts`
returns without scanning the system fonts at all. The first build on a machine
takes 10-30 s (~25 s of CPU, mostly the CFF-to-TrueType conversion; Regular
and Bold run in parallel); the result is also kept in a per-user cache, so any
other CERT_FONT_DIR on the machine (e.g. a test run's temporary one) is filled
by a copy in milliseconds.

Characters outside the subset (rare given-name characters such as 堃 or 喆)
are handled by :func:`build_extra_font`: the renderer detects them with the
subset's cmap and cuts, once per distinct set of characters, a tiny font with
just those glyphs from the same source face (a few milliseconds, cached under
``CERT_FONT_DIR/extra/``). The certificate then uses the font-family list
``CertSerif, CertSerifX<key>, "Noto Serif CJK SC"``. Compared with falling
back to the complete 26 MB face, this keeps such a certificate as small and
as fast as any other (WeasyPrint would copy and re-subset the whole face for
every PDF that uses it). The system family at the end of the list is only a
last resort, e.g. if the source font was uninstalled after the build.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import multiprocessing
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from nominations.pdf import _harfbuzz
from nominations.pdf.truetype import cff_to_truetype

logger = logging.getLogger(__name__)

PRIMARY_FAMILY = "CertSerif"
EXTRA_FAMILY_PREFIX = "CertSerifX"
SOURCE_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
BUILDER_VERSION = 6
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
    """The built certificate fonts and the system faces they were cut from."""

    directory: Path
    regular: Path
    bold: Path | None = None
    sources: dict[str, FaceSource] = field(default_factory=dict, compare=False)

    def faces(self) -> dict[str, Path]:
        """Return ``{"regular": path, "bold": path}`` (bold only when built)."""
        pairs = {"regular": self.regular, "bold": self.bold}
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
    options.layout_features = ["kern"]
    options.desubroutinize = True
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
    truetype: bool = True,
) -> Path:
    """Cut the GB 2312 (+ ``extra_chars``) subset of ``source`` into ``output``.

    Idempotent: nothing is done when ``output`` is newer than the source file
    (unless ``force``). ``backend`` is ``"harfbuzz"`` (~0.3 s; needs
    ``libharfbuzz-subset``, which WeasyPrint needs anyway), ``"fonttools"``
    (``fontTools.subset``, pure Python, 15-50 s per face) or ``"auto"``
    (HarfBuzz when available). With ``truetype`` (the default) the outlines
    are then converted to TrueType, ~8 s per face (see the module docstring).
    """
    if not force and _is_newer(output, source.path):
        return output
    codepoints = sorted(subset_codepoints(extra_chars))
    use_harfbuzz = backend == "harfbuzz" or (backend == "auto" and _harfbuzz.is_available())
    if use_harfbuzz:
        data = _harfbuzz.subset_face(source.path, source.index, codepoints)
    else:
        data = _subset_with_fonttools(source, codepoints)
    if truetype:
        data = cff_to_truetype(data)
    _write_atomic(output, data)
    return output


# --------------------------------------------------------------------------
# ensure_fonts
# --------------------------------------------------------------------------

def _output_name(style: str) -> str:
    """Return the file name of a built subset, e.g. ``CertSerif-Bold.ttf``."""
    return f"{PRIMARY_FAMILY}-{style.capitalize()}.ttf"


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
    sources: dict[str, FaceSource] = {}
    for style, entry in manifest.get("files", {}).items():
        path = directory / entry["file"]
        source = FaceSource(Path(entry["source"]), int(entry["index"]),
                            str(entry["family"]), int(entry["weight"]))
        if not _is_newer(path, source.path):
            return None
        paths[style], sources[style] = path, source
    if "regular" not in paths:
        return None
    return FontSet(directory=directory, regular=paths["regular"], bold=paths.get("bold"),
                   sources=sources)


def _call(job: tuple[Callable[..., Path], tuple[object, ...], dict[str, object]]) -> Path:
    """Run one build job (module-level so that a process pool can pickle it)."""
    function, args, kwargs = job
    return function(*args, **kwargs)


def _run_jobs(jobs: list[tuple[Callable[..., Path], tuple[object, ...], dict[str, object]]]) -> None:
    """Run build jobs, in parallel processes when there are several cores."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or multiprocessing.current_process().daemon:
        for job in jobs:
            _call(job)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        list(pool.map(_call, jobs))


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
    force: bool,
    stale: bool,
) -> FontSet:
    """Build the subset of every source face (in parallel) and write the manifest.

    Built files are also kept in a per-user cache (see :func:`_shared_cache`):
    another ``CERT_FONT_DIR`` on the same machine (a test run's temporary
    directory, a second checkout) then gets a copy in milliseconds.
    """
    cache = _shared_cache(extra_chars, sources)
    if not (cache and not force and _restore_from_cache(cache, directory, sources)):
        jobs = [
            (build_subset_font, (source, directory / _output_name(style), extra_chars),
             {"force": force or stale})
            for style, source in sources.items()
        ]
        _run_jobs(jobs)
        if cache:
            _save_to_cache(cache, directory, sources)
    files = {
        style: {"file": _output_name(style), "source": str(source.path), "index": source.index,
                "family": source.family, "weight": source.weight}
        for style, source in sources.items()
    }
    manifest = {"builder": BUILDER_VERSION, "charset": _charset_key(),
                "extra_chars": extra_chars, "files": files}
    _write_atomic(directory / MANIFEST_NAME,
                  json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    fontset = _fontset_from_manifest(directory, extra_chars)
    assert fontset is not None
    return fontset


def _shared_cache(extra_chars: str, sources: dict[str, FaceSource]) -> Path | None:
    """Return the per-user cache directory for this exact build, if usable.

    ``$CERT_FONT_CACHE``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then
    ``award-certificate-fonts/<key>``; the key covers the builder version,
    the character set and each source file's identity (path, size, mtime).
    Setting ``CERT_FONT_CACHE`` to an empty string disables the cache.
    """
    root = os.environ.get("CERT_FONT_CACHE")
    if root == "":
        return None
    if root is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "award-certificate-fonts")
    parts = [str(BUILDER_VERSION), _charset_key(), extra_chars]
    for style, source in sorted(sources.items()):
        try:
            stat = source.path.stat()
        except OSError:
            return None
        parts += [style, str(source.path), str(source.index), str(stat.st_size),
                  str(stat.st_mtime_ns)]
    return Path(root) / hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _restore_from_cache(cache: Path, directory: Path, sources: dict[str, FaceSource]) -> bool:
    """Copy cached fonts into ``directory``; return False if the cache lacks any."""
    names = [_output_name(style) for style in sources]
    if not all((cache / name).is_file() for name in names):
        return False
    for name in names:
        _write_atomic(directory / name, (cache / name).read_bytes())
    return True


def _save_to_cache(cache: Path, directory: Path, sources: dict[str, FaceSource]) -> None:
    """Best-effort copy of freshly built fonts into the per-user cache."""
    try:
        for style in sources:
            name = _output_name(style)
            _write_atomic(cache / name, (directory / name).read_bytes())
    except OSError as exc:
        logger.debug("Cannot write the certificate font cache %s: %s", cache, exc)


def ensure_fonts(
    directory: Path | None = None,
    extra_chars: str | None = None,
    *,
    force: bool = False,
    search_paths: Sequence[Path] | None = None,
) -> FontSet:
    """Return the certificate fonts, building them first if missing or stale.

    The fast path only reads ``manifest.json`` and stats a few files. A build
    takes 10-30 s (milliseconds when the per-user cache has it) and is
    serialized by a file lock (pool workers and parallel test processes wait
    for one build instead of racing).

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
        return _build_all(directory, extra, sources, force=force, stale=charset_changed)


# --------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _cmap_codepoints(path: str, mtime_ns: int) -> frozenset[int]:
    """Return the code points mapped by a font's cmap (cached per file version)."""
    if _harfbuzz.is_available():
        return _harfbuzz.face_codepoints(Path(path))
    font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap() or {})


def font_codepoints(path: Path) -> frozenset[int]:
    """Return the code points covered by the font at ``path`` (cached)."""
    return _cmap_codepoints(str(path), path.stat().st_mtime_ns)


# --------------------------------------------------------------------------
# Extra glyphs for characters outside the subset
# --------------------------------------------------------------------------

def extra_key(chars: str) -> str:
    """Return a short stable key for a set of characters (used in names)."""
    canonical = "".join(sorted(set(chars)))
    return hashlib.sha256(canonical.encode()).hexdigest()[:10]


def extra_family(chars: str) -> str:
    """Return the CSS family name of the extra font for ``chars``."""
    return f"{EXTRA_FAMILY_PREFIX}{extra_key(chars)}"


def source_coverage(fonts: FontSet) -> frozenset[int]:
    """Return the code points that the source faces of ``fonts`` can provide."""
    sets = [_source_codepoints(str(src.path), src.index)
            for src in fonts.sources.values() if src.path.exists()]
    return frozenset.intersection(*sets) if sets else frozenset()


@lru_cache(maxsize=8)
def _source_codepoints(path: str, index: int) -> frozenset[int]:
    """Return (cached) the code points of one face of a system font file."""
    if _harfbuzz.is_available():
        return _harfbuzz.face_codepoints(Path(path), index)
    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap() or {})


def build_extra_font(fonts: FontSet, chars: str, style: str) -> Path:
    """Return a tiny font holding just ``chars`` (a few glyphs), cutting it if needed.

    Cut from the same source face as the subset, with HarfBuzz when available
    (milliseconds; fontTools otherwise), and cached in ``<CERT_FONT_DIR>/extra/``.
    """
    source = fonts.sources[style]
    output = fonts.directory / "extra" / f"{extra_family(chars)}-{style.capitalize()}.otf"
    if _is_newer(output, source.path):
        return output
    codepoints = sorted({ord(char) for char in chars})
    if _harfbuzz.is_available():
        data = _harfbuzz.subset_face(source.path, source.index, codepoints)
    else:
        data = _subset_with_fonttools(source, codepoints)
    _write_atomic(output, data)
    return output
