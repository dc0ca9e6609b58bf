"""Minimal cffi binding to HarfBuzz's subsetter (``libharfbuzz-subset``).

WeasyPrint already requires HarfBuzz (and uses ``hb-subset`` itself to embed
fonts), so these shared libraries are present wherever certificates can be
rendered at all. Cutting the GB 2312 subset of Noto Serif CJK with HarfBuzz
takes well under a second, against roughly 50 seconds per face with
``fontTools.subset``; :mod:`nominations.pdf.fonts` therefore prefers
this backend and only falls back to fontTools when the library is missing.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from cffi import FFI

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;

hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_clear (hb_set_t *set);
hb_set_t *hb_set_create (void);
void hb_set_destroy (hb_set_t *set);
int hb_set_next (const hb_set_t *set, hb_codepoint_t *codepoint);
void hb_face_collect_unicodes (hb_face_t *face, hb_set_t *out);
hb_tag_t hb_tag_from_string (const char *str, int len);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

# Values from hb-subset.h (stable ABI).
_FLAG_NO_HINTING = 0x001
_FLAG_DESUBROUTINIZE = 0x004
_SETS_DROP_TABLE_TAG = 3
_SETS_LAYOUT_FEATURE_TAG = 6

# Only kerning survives: the default feature list would pull GSUB alternates
# (vertical forms, other locales' glyph variants) into the subset: 13.5k
# glyphs instead of 7.8k, which makes every embedding in a PDF slower.
_LAYOUT_FEATURES = (b"kern",)

# Vertical-writing and baseline tables are useless for horizontal certificates.
_DROPPED_TABLES = (b"VORG", b"vhea", b"vmtx", b"BASE", b"DSIG")


class HarfBuzzUnavailable(RuntimeError):
    """``libharfbuzz`` or ``libharfbuzz-subset`` cannot be loaded."""


@lru_cache(maxsize=1)
def _libraries() -> tuple[FFI, Any, Any]:
    """Load the HarfBuzz libraries once per process."""
    ffi = FFI()
    ffi.cdef(_CDEF)
    try:
        harfbuzz = ffi.dlopen("libharfbuzz.so.0")
        subset = ffi.dlopen("libharfbuzz-subset.so.0")
    except OSError as exc:
        raise HarfBuzzUnavailable(str(exc)) from exc
    return ffi, harfbuzz, subset


def is_available() -> bool:
    """Return whether the HarfBuzz subsetter can be used in this process."""
    try:
        _libraries()
    except HarfBuzzUnavailable:
        return False
    return True


def subset_face(path: Path, index: int, codepoints: Iterable[int]) -> bytes:
    """Return an OpenType font holding only ``codepoints`` of face ``index``.

    Hinting is dropped (PDF viewers do not use it), charstrings are
    desubroutinized (WeasyPrint desubroutinizes when embedding anyway, and a
    flat CFF is quicker to subset again) and only kerning is kept from the
    OpenType layout features.
    """
    ffi, harfbuzz, subset = _libraries()
    blob = harfbuzz.hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == ffi.NULL:
        raise OSError(f"HarfBuzz cannot read font file {path}")
    face = harfbuzz.hb_face_create(blob, index)
    subset_input = subset.hb_subset_input_create_or_fail()
    result = ffi.NULL
    try:
        unicodes = subset.hb_subset_input_unicode_set(subset_input)
        for codepoint in codepoints:
            harfbuzz.hb_set_add(unicodes, codepoint)
        dropped = subset.hb_subset_input_set(subset_input, _SETS_DROP_TABLE_TAG)
        for tag in _DROPPED_TABLES:
            harfbuzz.hb_set_add(dropped, harfbuzz.hb_tag_from_string(tag, 4))
        features = subset.hb_subset_input_set(subset_input, _SETS_LAYOUT_FEATURE_TAG)
        harfbuzz.hb_set_clear(features)
        for tag in _LAYOUT_FEATURES:
            harfbuzz.hb_set_add(features, harfbuzz.hb_tag_from_string(tag, 4))
        subset.hb_subset_input_set_flags(subset_input, _FLAG_NO_HINTING | _FLAG_DESUBROUTINIZE)
        result = subset.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            raise OSError(f"HarfBuzz failed to subset {path} (face {index})")
        return _face_bytes(ffi, harfbuzz, result)
    finally:
        if result != ffi.NULL:
            harfbuzz.hb_face_destroy(result)
        subset.hb_subset_input_destroy(subset_input)
        harfbuzz.hb_face_destroy(face)
        harfbuzz.hb_blob_destroy(blob)


def face_codepoints(path: Path, index: int = 0) -> frozenset[int]:
    """Return the code points mapped by the cmap of face ``index`` of a font file."""
    ffi, harfbuzz, _ = _libraries()
    blob = harfbuzz.hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == ffi.NULL:
        raise OSError(f"HarfBuzz cannot read font file {path}")
    face = harfbuzz.hb_face_create(blob, index)
    unicodes = harfbuzz.hb_set_create()
    try:
        harfbuzz.hb_face_collect_unicodes(face, unicodes)
        codepoint = ffi.new("hb_codepoint_t *", 0xFFFFFFFF)  # HB_SET_VALUE_INVALID
        found = []
        while harfbuzz.hb_set_next(unicodes, codepoint):
            found.append(codepoint[0])
        return frozenset(found)
    finally:
        harfbuzz.hb_set_destroy(unicodes)
        harfbuzz.hb_face_destroy(face)
        harfbuzz.hb_blob_destroy(blob)


def _face_bytes(ffi: FFI, harfbuzz: Any, face: Any) -> bytes:
    """Serialize a HarfBuzz face to bytes."""
    blob = harfbuzz.hb_face_reference_blob(face)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)
