"""Converting CFF (PostScript) outlines to TrueType for the certificate subset fonts, with
the glyphs ordered by how often Chinese text uses them (smaller, faster PDFs)."""
from __future__ import annotations

import io

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.reorderGlyphs import reorderGlyphs


def cff_to_truetype(data: bytes, max_err: float = 1.0) -> bytes:
    """Convert a CFF-flavoured OpenType font to TrueType (quadratic ``glyf``) outlines.

    ``max_err`` is the tolerated deviation in font units (1/1000 em): invisible.
    """
    font = TTFont(io.BytesIO(data))
    if "glyf" in font:
        return data
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font["maxp"] = _truetype_maxp()
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # No glyph names: smaller, and not needed.
    font.sfntVersion = "\x00\x01\x00\x00"
    reorderGlyphs(font, _frequency_glyph_order(font))
    # Windows Unicode subtables only: the duplicate platform-0 table and the
    # variation-sequence table (format 14) make every embedding ~25 % slower.
    cmap = font["cmap"]
    cmap.tables = [table for table in cmap.tables if (table.platformID, table.platEncID)
                   in ((3, 1), (3, 10))] or cmap.tables
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _codepoint_rank(codepoint: int) -> int:
    """Rank characters by how often certificates use them (lower first).

    ASCII and punctuation, then GB 2312 level-1 hanzi (the 3,755 common ones),
    GB 2312 symbols, level-2 hanzi, and the rest.
    """
    if codepoint < 0x80:
        return 0
    if 0x2000 <= codepoint <= 0x206F or 0x3000 <= codepoint <= 0x303F or (
            0xFF00 <= codepoint <= 0xFFEF):
        return 1
    try:
        high = chr(codepoint).encode("gb2312")[0]
    except UnicodeEncodeError:
        return 5
    if 0xB0 <= high <= 0xD7:
        return 2
    return 3 if high < 0xB0 else 4


def _frequency_glyph_order(font: TTFont) -> list[str]:
    """Return a glyph order with frequently used glyphs first (.notdef stays first).

    WeasyPrint embeds fonts with glyph IDs retained up to the highest one used,
    so low IDs for common glyphs make every embedding (and PDF) smaller/faster.
    """
    order = font.getGlyphOrder()
    rank: dict[str, tuple[int, int]] = {name: (9, index) for index, name in enumerate(order)}
    for codepoint, name in font.getBestCmap().items():
        rank[name] = min(rank[name], (_codepoint_rank(codepoint), codepoint))
    return [order[0]] + sorted(order[1:], key=rank.__getitem__)


def _truetype_maxp() -> object:
    """Return a version 1.0 ``maxp`` table (values are recomputed on save)."""
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxZones",):
        setattr(maxp, field, 1)
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
                  "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                  "maxComponentDepth"):
        setattr(maxp, field, 0)
    return maxp
