"""Cut a WOFF2 subset of a bundled font: the glyphs of a given set of characters, nothing else.

fontTools' subsetter costs about 0.3 s to import and 0.15 s per subset, more than a whole small
render; our needs are narrow (one TrueType font, BMP characters, no layout tables beyond
kerning, no hinting), so the font is read and written here with :mod:`struct`:

- glyphs are copied from ``glyf`` without their hinting instructions (browsers draw the SVG
  unhinted, as the layout measures it), composite glyphs with their components renumbered;
- ``cmap`` (format 4), ``hmtx``, ``loca`` and a legacy ``kern`` table are rebuilt for them;
  ``head``, ``hhea``, ``maxp``, ``OS/2`` and ``post`` (version 3, no glyph names) are copied
  with their counts set; ``name`` keeps the copyright and licence notices the licence asks for;
- the tables go into a WOFF2 container without transforms, compressed with brotli.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from functools import cache, cached_property, lru_cache

from ..assets import FONTS

__all__ = ["FONT_FILES", "Font", "font", "woff2_subset"]

FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
#: name IDs kept: copyright, family, subfamily, full name, licence, licence URL.
_NAMES = (0, 1, 2, 4, 13, 14)
# Composite glyph flags (OpenType glyf table).
_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO, _INSTRUCTIONS = 1, 8, 0x20, 0x40, 0x80, 0x100


class Font:
    """The tables of one TrueType font file, as bytes."""

    def __init__(self, tables: dict[str, bytes]) -> None:
        self.tables = tables

    def table(self, tag: str) -> bytes:
        return self.tables[tag]

    @cached_property
    def _cmap(self) -> tuple[list[int], list[int], list[int], list[int], int, bytes]:
        return _cmap_segments(self.table("cmap"))

    def glyph_id(self, char: str) -> int:
        """Return the glyph of ``char``, 0 (.notdef) where the font has none."""
        code = ord(char)
        ends, starts, deltas, ranges, offset, data = self._cmap
        index = bisect_left(ends, code)
        if index == len(ends) or starts[index] > code:
            return 0
        if ranges[index] == 0:
            return (code + deltas[index]) & 0xFFFF
        at = offset + 2 * index + ranges[index] + 2 * (code - starts[index])
        glyph: int = struct.unpack_from(">H", data, at)[0]
        return (glyph + deltas[index]) & 0xFFFF if glyph else 0

    def glyph(self, glyph: int) -> bytes:
        locations = self._locations
        return self.table("glyf")[locations[glyph] : locations[glyph + 1]]

    @cached_property
    def _locations(self) -> tuple[int, ...]:
        return _locations(self)

    def metrics(self, glyph: int) -> tuple[int, int]:
        """Return the advance width and left side bearing of ``glyph``, in font units."""
        count = struct.unpack_from(">H", self.table("hhea"), 34)[0]
        hmtx = self.table("hmtx")
        if glyph < count:
            advance, bearing = struct.unpack_from(">Hh", hmtx, 4 * glyph)
            return advance, bearing
        advance = struct.unpack_from(">H", hmtx, 4 * (count - 1))[0]
        return advance, struct.unpack_from(">h", hmtx, 4 * count + 2 * (glyph - count))[0]

    @cached_property
    def kerning(self) -> dict[tuple[int, int], int]:
        """Return the pairs of the legacy ``kern`` table, in font units."""
        return _kerning(self)

    def name(self, ident: int) -> bytes | None:
        """Return name ``ident`` (Windows, English) as UTF-16BE bytes."""
        data = self.table("name")
        count, strings = struct.unpack_from(">HH", data, 2)
        for index in range(count):
            platform, encoding, language, name_id, length, offset = struct.unpack_from(
                ">6H", data, 6 + 12 * index
            )
            if (platform, encoding, language, name_id) == (3, 1, 0x409, ident):
                return data[strings + offset : strings + offset + length]
        return None


@cache
def font(weight: str) -> Font:
    """Return the bundled font of ``weight`` (``normal`` or ``bold``)."""
    data = (FONTS / FONT_FILES[weight]).read_bytes()
    count = struct.unpack_from(">H", data, 4)[0]
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        tables[tag.decode("latin-1")] = data[offset : offset + length]
    return Font(tables)


def _cmap_segments(data: bytes) -> tuple[list[int], list[int], list[int], list[int], int, bytes]:
    count = struct.unpack_from(">H", data, 2)[0]
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * index)
        if (platform, encoding) == (3, 1) and struct.unpack_from(">H", data, offset)[0] == 4:
            break
    else:  # pragma: no cover - every bundled font has a Windows BMP cmap
        raise ValueError("the font has no format 4 cmap")
    segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
    at = offset + 14

    def array(start: int, signed: bool = False) -> list[int]:
        return list(struct.unpack_from(f">{segments}{'h' if signed else 'H'}", data, start))

    ends = array(at)
    starts = array(at + 2 * segments + 2)
    deltas = array(at + 4 * segments + 2, signed=True)
    ranges_at = at + 6 * segments + 2
    return ends, starts, deltas, array(ranges_at), ranges_at, data


def _locations(source: Font) -> tuple[int, ...]:
    data = source.table("loca")
    if struct.unpack_from(">h", source.table("head"), 50)[0]:
        return struct.unpack(f">{len(data) // 4}I", data)
    return tuple(2 * value for value in struct.unpack(f">{len(data) // 2}H", data))


def _kerning(source: Font) -> dict[tuple[int, int], int]:
    """Return the pairs of the legacy ``kern`` table (format 0 subtables)."""
    data = source.tables.get("kern", b"")
    pairs: dict[tuple[int, int], int] = {}
    if len(data) < 4:
        return pairs
    at = 4
    for _ in range(struct.unpack_from(">H", data, 2)[0]):
        _, length, coverage = struct.unpack_from(">HHH", data, at)
        if coverage >> 8 == 0:
            count = struct.unpack_from(">H", data, at + 6)[0]
            for left, right, value in struct.iter_unpack(
                ">HHh", data[at + 14 : at + 14 + 6 * count]
            ):
                pairs[left, right] = value
        at += length
    return pairs


def _strip(data: bytes, renumber: dict[int, int]) -> bytes:
    """Return a glyph without hinting instructions, its components renumbered."""
    if not data:
        return data
    contours = struct.unpack_from(">h", data)[0]
    if contours >= 0:
        at = 10 + 2 * contours
        skip = struct.unpack_from(">H", data, at)[0]
        return data[:at] + b"\0\0" + data[at + 2 + skip :]
    out = bytearray(data[:10])
    at = 10
    while True:
        flags, component = struct.unpack_from(">HH", data, at)
        size = 4 + (4 if flags & _WORDS else 2)
        size += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
        more = flags & _MORE
        out += struct.pack(">HH", flags & ~_INSTRUCTIONS, renumber[component])
        out += data[at + 4 : at + size]
        at += size
        if not more:
            return bytes(out)


def _components(data: bytes) -> list[int]:
    if not data or struct.unpack_from(">h", data)[0] >= 0:
        return []
    found, at = [], 10
    while True:
        flags, component = struct.unpack_from(">HH", data, at)
        found.append(component)
        at += 4 + (4 if flags & _WORDS else 2)
        at += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
        if not flags & _MORE:
            return found


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _name_table(source: Font, family: str) -> bytes:
    records, strings = [], b""
    for ident in _NAMES:
        value = family.encode("utf-16-be") if ident in (1, 4) else source.name(ident)
        if value is None:
            continue
        records.append(struct.pack(">6H", 3, 1, 0x409, ident, len(value), len(strings)))
        strings += value
    header = struct.pack(">3H", 0, len(records), 6 + 12 * len(records))
    return header + b"".join(records) + strings


def _cmap_table(codes: list[tuple[int, int]]) -> bytes:
    """Return a format 4 cmap with one segment per character (and the closing 0xFFFF one)."""
    segments = [*codes, (0xFFFF, 0)]
    count = len(segments)
    power = 1 << (count.bit_length() - 1)
    ends = struct.pack(f">{count}H", *(code for code, _ in segments))
    deltas = struct.pack(
        f">{count}H",
        *((glyph - code) & 0xFFFF if code != 0xFFFF else 1 for code, glyph in segments),
    )
    body = (
        struct.pack(">4H", 2 * count, 2 * power, power.bit_length() - 1, 2 * count - 2 * power)
        + ends
        + b"\0\0"
        + ends  # start == end: one code per segment
        + deltas
        + b"\0" * (2 * count)
    )
    subtable = struct.pack(">3H", 4, 6 + len(body), 0) + body
    return struct.pack(">HHHHI", 0, 1, 3, 1, 12) + subtable


def _kern_table(pairs: list[tuple[int, int, int]]) -> bytes:
    if not pairs:
        return b""
    count = len(pairs)
    power = 1 << (count.bit_length() - 1)
    body = struct.pack(">4H", count, 6 * power, power.bit_length() - 1, 6 * (count - power))
    body += b"".join(struct.pack(">HHh", *pair) for pair in pairs)
    return struct.pack(">HH", 0, 1) + struct.pack(">3H", 0, 6 + len(body), 1) + body


def _sfnt_tables(weight: str, characters: str, family: str) -> dict[str, bytes]:
    source = font(weight)
    codes = sorted({ord(char) for char in characters if ord(char) < 0xFFFF})
    wanted = [0]
    for code in codes:
        glyph = source.glyph_id(chr(code))
        if glyph not in wanted:
            wanted.append(glyph)
    at = 0
    while at < len(wanted):  # components of composite glyphs come along
        wanted += [c for c in _components(source.glyph(wanted[at])) if c not in wanted]
        at += 1
    renumber = {old: new for new, old in enumerate(wanted)}
    glyf, offsets = b"", [0]
    for old in wanted:
        # .notdef is never drawn (characters the font lacks are not mapped): left empty.
        glyf += _strip(source.glyph(old), renumber) if old else b""
        offsets.append(len(glyf))
    count = len(wanted)
    head = bytearray(source.table("head")[:54])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment: browsers do not check it
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    hhea = bytearray(source.table("hhea")[:36])
    hhea[34:36] = struct.pack(">H", count)
    maxp = bytearray(source.table("maxp")[:32])
    maxp[4:6] = struct.pack(">H", count)
    post = bytearray(source.table("post")[:32])
    post[0:4] = struct.pack(">I", 0x00030000)
    kerning = source.kerning
    pairs = [
        (renumber[left], renumber[right], value)
        for (left, right), value in kerning.items()
        if left in renumber and right in renumber
    ]
    mapped = [(code, renumber[source.glyph_id(chr(code))]) for code in codes]
    tables = {
        "OS/2": source.table("OS/2"),
        "cmap": _cmap_table([(code, glyph) for code, glyph in mapped if glyph]),
        "glyf": glyf,
        "head": bytes(head),
        "hhea": bytes(hhea),
        "hmtx": b"".join(struct.pack(">Hh", *source.metrics(old)) for old in wanted),
        "kern": _kern_table(sorted(pairs)),
        "loca": struct.pack(f">{len(offsets)}I", *offsets),
        "maxp": bytes(maxp),
        "name": _name_table(source, family),
        "post": bytes(post),
    }
    return {tag: data for tag, data in tables.items() if data}


# WOFF2's table tags with a known index (the first of its "known table tags").
_KNOWN = (
    "cmap", "head", "hhea", "hmtx", "maxp", "name", "OS/2", "post", "cvt ", "fpgm",
    "glyf", "loca", "prep", "CFF ", "VORG", "EBDT", "EBLC", "gasp", "hdmx", "kern",
)  # fmt: skip


def _base128(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _woff2(tables: dict[str, bytes]) -> bytes:
    import brotli  # type: ignore[import-untyped]

    # loca must follow glyf in the table directory; both are stored untransformed (version 3).
    order = sorted(tables, key=lambda tag: ("glyf" if tag == "loca" else tag, tag == "loca"))
    directory = b""
    for tag in order:
        transform = 0xC0 if tag in ("glyf", "loca") else 0
        flags = _KNOWN.index(tag) if tag in _KNOWN else 63
        directory += bytes([flags | transform])
        if flags == 63:
            directory += tag.encode("latin-1")
        directory += _base128(len(tables[tag]))
    # Quality 9: quality 10-11 saves 8 % for 20-50 ms per face, more than a small render takes.
    data: bytes = brotli.compress(
        b"".join(tables[tag] for tag in order), mode=brotli.MODE_FONT, quality=9, lgwin=16
    )
    sfnt_size = 12 + 16 * len(tables) + sum(len(_pad(value)) for value in tables.values())
    length = 48 + len(directory) + len(data)
    padding = -length % 4
    header = struct.pack(
        ">4sIIHHIIHHIIIII",
        b"wOF2",
        0x00010000,
        length + padding,
        len(tables),
        0,
        sfnt_size,
        len(data),
        1,
        0,
        0,
        0,
        0,
        0,
        0,
    )
    return header + directory + data + b"\0" * padding


@lru_cache(maxsize=64)  # a batch or watch session redraws the same glyph sets
def woff2_subset(weight: str, characters: str, family: str) -> bytes:
    """Return a WOFF2 font of ``weight`` holding the glyphs of ``characters``, named ``family``."""
    return _woff2(_sfnt_tables(weight, characters, family))
