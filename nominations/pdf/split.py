"""Split a WeasyPrint PDF into one small standalone PDF per page, without drawing again.

A certificate batch is laid out as one document and drawn once, into the combined print
file. Writing each certificate again with WeasyPrint drew every page a second time (the
ornament SVG, every text run) and cut two font subsets per page: more CPU than the
layout. :func:`split_pages` instead reads the combined file and writes each page as its
own PDF:

* the page's content stream, and every image and form it draws, are copied as they are
  (still compressed): the page looks exactly as in the combined file;
* the resources are only those the page names (the combined file shares one resource
  dictionary between all pages);
* each font keeps only the glyphs the page shows. WeasyPrint embeds fonts with their
  glyph ids retained (``/CIDToGIDMap /Identity``), so the text's codes are glyph ids; the
  page's font is a compact TrueType font holding just those glyphs, and a small
  ``/CIDToGIDMap`` stream maps the unchanged codes onto it. Widths (``/W``) and the
  ``/ToUnicode`` map (text extraction, search) are cut to the same codes;
* the bookmarks that point at the page come along; the title is the caller's.

Anything this does not understand (literal text strings, composite glyphs, other font
types, annotations, encryption) raises :class:`SplitUnsupported`, and the caller writes
that document's pages the slow way.
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Sequence
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

__all__ = ["SplitUnsupported", "merge_pages", "split_pages"]

COMPRESSION_LEVEL = 6
# In a content stream: names (resource names, operators' operands), hex strings (the
# glyph codes of Identity-H text) and the start of a literal string (not supported).
_TOKEN = re.compile(rb"/([^\s/\[\]()<>{}%]+)|<([0-9A-Fa-f\s]*)>|(\()")
_TF = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+[-+.\d]+\s+Tf\b")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_CMAP_HEAD = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
              b"/CIDSystemInfo\n<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
              b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
              b"<0000> <ffff>\nendcodespacerange\n")
_CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
_RESOURCE_KINDS = ("/ExtGState", "/XObject", "/Pattern", "/Shading", "/Font", "/ColorSpace", "/Properties")


class SplitUnsupported(ValueError):
    """The PDF uses something :func:`split_pages` does not copy; write pages another way."""


class _NotCut(SplitUnsupported):
    """A font that is copied whole instead of cut to the page's glyphs."""


# --------------------------------------------------------------------------
# TrueType: a compact font holding some glyphs of another
# --------------------------------------------------------------------------

def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


class _TrueType:
    """The tables of a TrueType font, parsed once; :meth:`subset` cuts compact fonts."""

    # Tables that describe glyphs by id or characters: rebuilt or dropped.
    _REBUILT = {"glyf", "loca", "hmtx", "hhea", "maxp", "head", "cmap", "post",
                "hdmx", "LTSH", "VDMX", "kern", "GSUB", "GPOS", "GDEF", "vmtx", "vhea", "DSIG"}

    def __init__(self, data: bytes) -> None:
        if data[:4] not in (b"\0\1\0\0", b"true"):
            raise _NotCut("embedded font is not TrueType")
        count = struct.unpack_from(">H", data, 4)[0]
        self.tables: dict[str, bytes] = {}
        for index in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            self.tables[tag.decode("latin-1")] = data[offset:offset + length]
        for needed in ("head", "hhea", "maxp", "loca", "glyf", "hmtx"):
            if needed not in self.tables:
                raise _NotCut(f"embedded font has no {needed} table")
        head, glyphs = self.tables["head"], struct.unpack_from(">H", self.tables["maxp"], 4)[0]
        loca = self.tables["loca"]
        if struct.unpack_from(">h", head, 50)[0]:
            self.loca = struct.unpack_from(f">{glyphs + 1}I", loca)
        else:
            self.loca = tuple(2 * value for value in struct.unpack_from(f">{glyphs + 1}H", loca))
        metrics = struct.unpack_from(">H", self.tables["hhea"], 34)[0]
        hmtx = self.tables["hmtx"]
        pairs = struct.unpack_from(f">{2 * metrics}h", hmtx)
        lsbs = struct.unpack_from(f">{glyphs - metrics}h", hmtx, 4 * metrics)
        last_advance = pairs[-2] & 0xFFFF
        self.metrics = [(pairs[2 * i] & 0xFFFF, pairs[2 * i + 1]) for i in range(metrics)]
        self.metrics += [(last_advance, lsb) for lsb in lsbs]
        self.glyph_count = glyphs

    def subset(self, gids: Sequence[int]) -> bytes:
        """A font whose glyph ``i`` is this font's glyph ``gids[i]`` (``gids[0]`` is 0)."""
        glyf, loca_glyf, offsets = self.tables["glyf"], self.loca, [0]
        parts: list[bytes] = []
        size = 0
        for gid in gids:
            if gid >= self.glyph_count:
                raise SplitUnsupported("glyph id beyond the embedded font")
            glyph = glyf[loca_glyf[gid]:loca_glyf[gid + 1]]
            if len(glyph) >= 2 and struct.unpack_from(">h", glyph)[0] < 0:
                raise SplitUnsupported("composite glyph")
            glyph += b"\0" * (-len(glyph) % 4)
            parts.append(glyph)
            size += len(glyph)
            offsets.append(size)
        count = len(gids)
        metrics = self.metrics
        tables = {tag: data for tag, data in self.tables.items() if tag not in self._REBUILT}
        tables["glyf"] = b"".join(parts)
        tables["loca"] = struct.pack(f">{count + 1}I", *offsets)
        tables["hmtx"] = b"".join(struct.pack(">Hh", *metrics[gid]) for gid in gids)
        hhea = bytearray(self.tables["hhea"])
        struct.pack_into(">H", hhea, 34, count)
        tables["hhea"] = bytes(hhea)
        maxp = bytearray(self.tables["maxp"])
        struct.pack_into(">H", maxp, 4, count)
        tables["maxp"] = bytes(maxp)
        head = bytearray(self.tables["head"])
        struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1)  # long loca offsets
        tables["head"] = bytes(head)
        # post format 3: no glyph names (they would describe the old glyph ids).
        post = self.tables.get("post", b"\0\3\0\0" + b"\0" * 28)[:32]
        tables["post"] = b"\0\3\0\0" + post[4:32]
        return _assemble(tables)


def _assemble(tables: dict[str, bytes]) -> bytes:
    """Write an sfnt with ``tables`` (sorted tags, 4-byte aligned, checksums set)."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1,
                         count * 16 - power * 16)
    offset = 12 + 16 * count
    directory, body = [], []
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset, len(data)))
        padded = data + b"\0" * (-len(data) % 4)
        body.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    head_at = 12 + 16 * count + sum(len(part) for tag, part in zip(tags, body) if tag < "head")
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


# --------------------------------------------------------------------------
# A minimal PDF writer
# --------------------------------------------------------------------------

class _Writer:
    """Objects numbered as they are added; the result is a classic PDF 1.7 file."""

    def __init__(self) -> None:
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def put(self, number: int, body: bytes) -> int:
        self.objects[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.put(self.reserve(), body)

    def add_stream(self, dictionary: bytes, data: bytes) -> int:
        """A stream object; ``dictionary`` is the inside of ``<< >>`` without /Length."""
        return self.add(b"<<" + dictionary + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream")

    def write(self, root: int, info: int) -> bytes:
        out = [b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"]
        offsets, position = [], len(out[0])
        for number, body in enumerate(self.objects, 1):
            assert body is not None, f"object {number} reserved but not written"
            chunk = b"%d 0 obj\n" % number + body + b"\nendobj\n"
            offsets.append(position)
            out.append(chunk)
            position += len(chunk)
        size = len(self.objects) + 1
        xref = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        xref += [b"%010d 00000 n \n" % offset for offset in offsets]
        out += xref
        out.append(b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n"
                   % (size, root, info, position))
        return b"".join(out)


def _primitive(obj: PdfObject) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# The splitter
# --------------------------------------------------------------------------

class _Font:
    """A Type0 / CIDFontType2 font of the source PDF, with what a page needs to cut it."""

    def __init__(self, font: DictionaryObject) -> None:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            raise _NotCut("font is not Type0 with Identity-H")
        cid_font = font["/DescendantFonts"][0].get_object()
        if cid_font.get("/Subtype") != "/CIDFontType2" or cid_font.get("/CIDToGIDMap", "/Identity") != "/Identity":
            raise _NotCut("font is not a CIDFontType2 with identity glyph map")
        descriptor = cid_font["/FontDescriptor"].get_object()
        if "/FontFile2" not in descriptor:
            raise _NotCut("font has no embedded TrueType program")
        self.font, self.cid_font, self.descriptor = font, cid_font, descriptor
        self.program = _TrueType(descriptor["/FontFile2"].get_object().get_data())
        self.widths: dict[int, bytes] = {}  # code -> its width, written
        widths = cid_font.get("/W", ArrayObject())
        index = 0
        while index < len(widths):
            first = int(widths[index])
            if isinstance(widths[index + 1], ArrayObject):
                for offset, width in enumerate(widths[index + 1]):
                    self.widths[first + offset] = _primitive(width)
                index += 2
            else:
                for cid in range(first, int(widths[index + 1]) + 1):
                    self.widths[cid] = _primitive(widths[index + 2])
                index += 3
        if "/DW" not in cid_font:  # the default width is 1000: no need to list those
            self.widths = {cid: width for cid, width in self.widths.items() if width != b"1000"}
        # The dictionaries' other entries, written once.
        self.descriptor_entries = [_primitive(NameObject(key)) + b" " + _primitive(value)
                                   for key, value in descriptor.items() if key != "/FontFile2"]
        self.cid_entries = [_primitive(NameObject(key)) + b" " + _primitive(value.get_object())
                            for key, value in cid_font.items()
                            if key not in ("/W", "/CIDToGIDMap", "/FontDescriptor")]
        self.font_entries = [_primitive(NameObject(key)) + b" " + _primitive(value.get_object())
                             for key, value in font.items() if key not in ("/DescendantFonts", "/ToUnicode")]
        self.unicode: dict[int, bytes] = {}
        if "/ToUnicode" in font:
            cmap = font["/ToUnicode"].get_object().get_data()
            if b"beginbfrange" in cmap:
                raise SplitUnsupported("ToUnicode with ranges")
            for code, text in _BFCHAR.findall(cmap.split(b"endcodespacerange", 1)[-1]):
                self.unicode[int(code, 16)] = text


class _Splitter:
    def __init__(self, pdf: bytes) -> None:
        self.reader = PdfReader(io.BytesIO(pdf))
        if self.reader.is_encrypted:
            raise SplitUnsupported("encrypted")
        self.fonts: dict[int, _Font | None] = {}
        self.decoded: dict[int, bytes] = {}
        root = self.reader.trailer["/Root"].get_object()
        self.lang = root.get("/Lang")
        self.page_numbers = {page.indirect_reference.idnum: index
                             for index, page in enumerate(self.reader.pages)}
        self.bookmarks: dict[int, list[DictionaryObject]] = {}
        if "/Outlines" in root:
            item = root["/Outlines"].get_object().get("/First")
            while item is not None:
                item = item.get_object()
                destination = item.get("/Dest")
                if isinstance(destination, ArrayObject) and isinstance(destination[0], IndirectObject):
                    page = self.page_numbers.get(destination[0].idnum)
                    if page is not None:
                        self.bookmarks.setdefault(page, []).append(item)
                item = item.get("/Next")

    # ---- reading -----------------------------------------------------------
    def _content(self, stream: Any) -> bytes:
        reference = stream.indirect_reference if hasattr(stream, "indirect_reference") else None
        key = reference.idnum if reference is not None else id(stream)
        if key not in self.decoded:
            self.decoded[key] = stream.get_data()
        return self.decoded[key]

    def _font(self, reference: IndirectObject) -> _Font | None:
        """The font to cut per page, or None for one copied whole (e.g. a CFF font: the
        tiny extra font of rare characters)."""
        if reference.idnum not in self.fonts:
            try:
                self.fonts[reference.idnum] = _Font(reference.get_object())
            except _NotCut:
                self.fonts[reference.idnum] = None
        return self.fonts[reference.idnum]

    def _scan(self, content: bytes, resources: DictionaryObject, used: dict[int, set[int]],
              names_by_resources: dict[int, set[bytes]]) -> None:
        """Record the names ``content`` uses from ``resources`` and the glyphs of each font,
        then scan the forms it draws."""
        names: set[bytes] = set()
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else {}
        current: set[int] | None = None
        font_at = {match.start(): match.group(1) for match in _TF.finditer(content)}
        for match in _TOKEN.finditer(content):
            name, hexa, literal = match.groups()
            if literal is not None:
                raise SplitUnsupported("literal string in a content stream")
            if name is not None:
                names.add(name)
                if match.start() in font_at:
                    reference = fonts.get("/" + name.decode("latin-1"))
                    if not isinstance(reference, IndirectObject):
                        raise SplitUnsupported("font not an indirect object")
                    current = used.setdefault(reference.idnum, {0}) if self._font(reference) else None
            elif hexa:
                if current is None:
                    continue  # not text (e.g. a hex string operand outside BT/ET)
                digits = re.sub(rb"\s", b"", hexa)
                current.update(struct.unpack(f">{len(digits) // 4}H", bytes.fromhex(digits.decode())))
        names_by_resources.setdefault(id(resources), set()).update(names)
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for key, reference in xobjects.get_object().items():
                if key[1:].encode("latin-1") not in names:
                    continue
                xobject = reference.get_object()
                if xobject.get("/Subtype") == "/Form":
                    inner = xobject.get("/Resources")
                    inner = inner.get_object() if inner is not None else DictionaryObject()
                    self._scan(self._content(xobject), inner, used, names_by_resources)

    # ---- writing -----------------------------------------------------------
    def split(self, titles: Sequence[str] | None) -> list[bytes]:
        pages = self.reader.pages
        if titles is not None and len(titles) != len(pages):
            raise ValueError("one title per page")
        info = self.reader.trailer.get("/Info")
        info = info.get_object() if info is not None else DictionaryObject()
        return [self._page(index, page, info, None if titles is None else titles[index])
                for index, page in enumerate(pages)]

    def _page(self, index: int, page: Any, info: DictionaryObject, title: str | None) -> bytes:
        if "/Annots" in page:
            raise SplitUnsupported("page with annotations")
        resources = page["/Resources"].get_object()
        used: dict[int, set[int]] = {}
        names: dict[int, set[bytes]] = {}
        contents = page.raw_get("/Contents")
        if isinstance(contents.get_object(), ArrayObject):
            raise SplitUnsupported("page with several content streams")
        self._scan(self._content(contents.get_object()), resources, used, names)

        writer = _Writer()
        numbers: dict[int, int] = {}
        catalog, pages_number, page_number = writer.reserve(), writer.reserve(), writer.reserve()
        fonts = {idnum: self._write_font(writer, self.fonts[idnum], gids) for idnum, gids in used.items()}

        def serialize(obj: Any, resources_names: set[bytes] | None = None) -> bytes:
            if isinstance(obj, IndirectObject):
                if obj.idnum in fonts:
                    return b"%d 0 R" % fonts[obj.idnum]
                if obj.idnum == page.indirect_reference.idnum:
                    return b"%d 0 R" % page_number
                if obj.idnum not in numbers:
                    numbers[obj.idnum] = writer.reserve()
                    target = obj.get_object()
                    writer.put(numbers[obj.idnum], serialize_direct(target))
                return b"%d 0 R" % numbers[obj.idnum]
            return serialize_direct(obj)

        def serialize_resources(resources: DictionaryObject) -> bytes:
            wanted = names.get(id(resources), set())
            parts = []
            for kind, value in resources.items():
                if kind in _RESOURCE_KINDS:
                    entries = value.get_object()
                    kept = [b"/" + key[1:].encode("latin-1") + b" " + serialize(entry)
                            for key, entry in entries.items() if key[1:].encode("latin-1") in wanted]
                    if kept:
                        parts.append(_primitive(NameObject(kind)) + b" <<" + b" ".join(kept) + b">>")
                else:
                    parts.append(_primitive(NameObject(kind)) + b" " + serialize(value))
            return b"<<" + b" ".join(parts) + b">>"

        def serialize_direct(obj: Any) -> bytes:
            if isinstance(obj, StreamObject):
                data = obj._data  # still encoded: copied as it is
                entries = [_primitive(NameObject(key)) + b" " + (
                    serialize_resources(value.get_object()) if key == "/Resources" else serialize(value))
                    for key, value in obj.items() if key != "/Length"]
                return (b"<<" + b" ".join(entries) + b" /Length %d>>\nstream\n" % len(data)
                        + data + b"\nendstream")
            if isinstance(obj, DictionaryObject):
                return b"<<" + b" ".join(_primitive(NameObject(key)) + b" " + serialize(value)
                                         for key, value in obj.items()) + b">>"
            if isinstance(obj, ArrayObject):
                return b"[" + b" ".join(serialize(value) for value in obj) + b"]"
            return _primitive(obj)

        contents_number = serialize(contents)
        box_entries = b" ".join(_primitive(NameObject(key)) + b" " + serialize(page[key])
                                for key in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox", "/ArtBox",
                                            "/Rotate", "/UserUnit") if key in page)
        writer.put(page_number, b"<</Type /Page /Parent %d 0 R " % pages_number + box_entries
                   + b" /Contents " + contents_number + b" /Resources " + serialize_resources(resources) + b">>")
        writer.put(pages_number, b"<</Type /Pages /Count 1 /Kids [%d 0 R]>>" % page_number)

        catalog_entries = b"/Type /Catalog /Pages %d 0 R" % pages_number
        if bookmarks := self.bookmarks.get(index):
            outlines = writer.reserve()
            items = [writer.reserve() for _ in bookmarks]
            for position, (number, item) in enumerate(zip(items, bookmarks)):
                entries = [b"/Parent %d 0 R" % outlines, b"/Count 0"]
                entries.append(b"/Title " + _primitive(item["/Title"]))
                entries.append(b"/Dest " + serialize(item["/Dest"]))
                if position:
                    entries.append(b"/Prev %d 0 R" % items[position - 1])
                if position + 1 < len(items):
                    entries.append(b"/Next %d 0 R" % items[position + 1])
                writer.put(number, b"<<" + b" ".join(entries) + b">>")
            writer.put(outlines, b"<</Count %d /First %d 0 R /Last %d 0 R>>" % (len(items), items[0], items[-1]))
            catalog_entries += b" /Outlines %d 0 R" % outlines
        if self.lang is not None:
            catalog_entries += b" /Lang " + _primitive(self.lang)
        writer.put(catalog, b"<<" + catalog_entries + b">>")
        info_entries = {key: value for key, value in info.items()}
        if title is not None:
            info_entries["/Title"] = TextStringObject(title)
        info_number = writer.add(b"<<" + b" ".join(_primitive(NameObject(key)) + b" " + serialize(value)
                                                   for key, value in info_entries.items()) + b">>")
        return writer.write(catalog, info_number)

    def _write_font(self, writer: _Writer, font: _Font, codes: set[int]) -> int:
        """Write the page's cut of ``font``: Type0, CIDFont, descriptor, program, maps."""
        cids = sorted(codes)
        program = font.program.subset(cids)
        gid_map = bytearray(2 * (cids[-1] + 1))
        for gid, cid in enumerate(cids):
            struct.pack_into(">H", gid_map, 2 * cid, gid)
        file_number = writer.add_stream(b"/Filter /FlateDecode /Length1 %d" % len(program),
                                        zlib.compress(program, COMPRESSION_LEVEL))
        map_number = writer.add_stream(b"/Filter /FlateDecode", zlib.compress(bytes(gid_map), COMPRESSION_LEVEL))
        descriptor_number = writer.add(b"<<" + b" ".join(font.descriptor_entries)
                                       + b" /FontFile2 %d 0 R>>" % file_number)
        widths, run_start, run = [], None, []
        for cid in cids:
            if cid not in font.widths:
                continue
            if run_start is not None and cid == run_start + len(run):
                run.append(font.widths[cid])
                continue
            if run_start is not None:
                widths.append(b"%d [" % run_start + b" ".join(run) + b"]")
            run_start, run = cid, [font.widths[cid]]
        if run_start is not None:
            widths.append(b"%d [" % run_start + b" ".join(run) + b"]")
        cid_number = writer.add(b"<<" + b" ".join(font.cid_entries) + b" /W [" + b" ".join(widths) + b"]"
                                + b" /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R>>" % (descriptor_number, map_number))
        entries = font.font_entries + [b"/DescendantFonts [%d 0 R]" % cid_number]
        if font.unicode:
            mapped = [cid for cid in cids if cid in font.unicode]
            lines = []
            for start in range(0, len(mapped), 100):
                block = mapped[start:start + 100]
                lines.append(b"%d beginbfchar\n" % len(block) + b"".join(
                    b"<%04x> <%s>\n" % (cid, font.unicode[cid]) for cid in block) + b"endbfchar\n")
            cmap = _CMAP_HEAD + b"".join(lines) + _CMAP_TAIL
            number = writer.add_stream(b"/Filter /FlateDecode", zlib.compress(cmap, COMPRESSION_LEVEL))
            entries.append(b"/ToUnicode %d 0 R" % number)
        return writer.add(b"<<" + b" ".join(entries) + b">>")


def split_pages(pdf: bytes, titles: Sequence[str] | None = None) -> list[bytes]:
    """Return each page of ``pdf`` (written by WeasyPrint) as a standalone PDF.

    ``titles`` (one per page) replace the document title in each file's metadata.
    Raises :class:`SplitUnsupported` when the PDF holds something this cannot copy.
    """
    return _Splitter(pdf).split(titles)


def _copy(writer: _Writer, numbers: dict[int, int], obj: Any) -> bytes:
    """``obj`` written for ``writer``: indirect objects copied once (``numbers`` maps the source's
    object numbers to the writer's), streams as they are (still encoded)."""
    if isinstance(obj, IndirectObject):
        if obj.idnum not in numbers:
            numbers[obj.idnum] = writer.reserve()
            writer.put(numbers[obj.idnum], _copy(writer, numbers, obj.get_object()))
        return b"%d 0 R" % numbers[obj.idnum]
    if isinstance(obj, StreamObject):
        data = obj._data
        entries = [_primitive(NameObject(key)) + b" " + _copy(writer, numbers, value)
                   for key, value in obj.items() if key != "/Length"]
        return b"<<" + b" ".join(entries) + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"
    if isinstance(obj, DictionaryObject):
        return b"<<" + b" ".join(_primitive(NameObject(key)) + b" " + _copy(writer, numbers, value)
                                 for key, value in obj.items()) + b">>"
    if isinstance(obj, ArrayObject):
        return b"[" + b" ".join(_copy(writer, numbers, value) for value in obj) + b"]"
    return _primitive(obj)


def merge_pages(pdfs: Sequence[bytes], *, title: str | None = None) -> bytes:
    """Concatenate PDFs page by page (e.g. the parts of a batch drawn by several processes):
    every object of each source copied once, streams as they are — no decoding, no
    re-compression. The language and metadata are the first source's (the title replaced by
    ``title``); bookmarks are not kept. Raises :class:`SplitUnsupported` for pages that inherit
    their resources or boxes from the page tree, or an encrypted source."""
    writer = _Writer()
    catalog, pages_number = writer.reserve(), writer.reserve()
    kids: list[int] = []
    lang = info = None
    for pdf in pdfs:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted:
            raise SplitUnsupported("encrypted")
        if info is None:
            root = reader.trailer["/Root"].get_object()
            lang = root.get("/Lang")
            info = reader.trailer.get("/Info")
            info = info.get_object() if info is not None else DictionaryObject()
        numbers: dict[int, int] = {}
        pages = list(reader.pages)
        for page in pages:  # numbered first: annotations and destinations may point at pages
            if "/Resources" not in page or "/MediaBox" not in page:
                raise SplitUnsupported("page inheriting from the page tree")
            numbers[page.indirect_reference.idnum] = writer.reserve()
        for page in pages:
            number = numbers[page.indirect_reference.idnum]
            entries = [_primitive(NameObject(key)) + b" " + _copy(writer, numbers, value)
                       for key, value in page.items() if key != "/Parent"]
            writer.put(number, b"<</Parent %d 0 R " % pages_number + b" ".join(entries) + b">>")
            kids.append(number)
    writer.put(pages_number, b"<</Type /Pages /Count %d /Kids [" % len(kids)
               + b" ".join(b"%d 0 R" % kid for kid in kids) + b"]>>")
    writer.put(catalog, b"<</Type /Catalog /Pages %d 0 R" % pages_number
               + (b" /Lang " + _primitive(lang) if lang is not None else b"") + b">>")
    entries = dict((info or DictionaryObject()).items())
    if title is not None:
        entries["/Title"] = TextStringObject(title)
    info_number = writer.add(b"<<" + b" ".join(_primitive(NameObject(key)) + b" " + _copy(writer, {}, value)
                                               for key, value in entries.items()) + b">>")
    return writer.write(catalog, info_number)
