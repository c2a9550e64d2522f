"""Reading generated PDFs back: text (pypdf) and the embedded font's glyphs (fontTools)."""

from __future__ import annotations

import io
import re
import unicodedata

from fontTools.ttLib import TTFont
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def is_japanese(char: str) -> bool:
    name = unicodedata.name(char, "")
    return any(word in name for word in ("CJK", "HIRAGANA", "KATAKANA", "FULLWIDTH", "IDEOGRAPHIC"))


def _to_unicode_map(stream: bytes) -> dict[int, str]:
    """CID → text from a ToUnicode CMap (bfchar and bfrange sections)."""
    text = stream.decode("latin-1")
    mapping: dict[int, str] = {}

    def decode(hex_text: str) -> str:
        return bytes.fromhex(hex_text).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(cid, 16)] = decode(uni)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(uni, 16)
            for offset, cid in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[cid] = chr(base + offset)
    return mapping


def embedded_fonts(pdf: bytes) -> list[dict]:
    """Each embedded Type0 font: its name, the TrueType program and its CID → text map."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, dict] = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            name = str(font["/BaseFont"])
            if name in found:
                found[name]["cid_to_text"].update(_to_unicode_map(font["/ToUnicode"].get_object().get_data()))
                continue
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor["/FontFile2"].get_object().get_data()
            cid_to_gid = descendant.get("/CIDToGIDMap")
            found[name] = {
                "name": name,
                "program": program,
                "identity": cid_to_gid is None or str(cid_to_gid) == "/Identity",
                "cid_to_text": _to_unicode_map(font["/ToUnicode"].get_object().get_data()),
            }
    return list(found.values())


def glyph_problems(pdf: bytes) -> tuple[set[str], list[str]]:
    """(Japanese characters checked, problems): every Japanese character of the text must map to a
    glyph of the embedded font that is not .notdef and has an outline (glyf contours)."""
    text = pdf_text(pdf)
    wanted = {c for c in text if is_japanese(c) and not c.isspace()}
    problems: list[str] = []
    covered: set[str] = set()
    fonts = embedded_fonts(pdf)
    if not fonts:
        return wanted, ["no embedded Type0 font"]
    for font in fonts:
        assert font["identity"], "CIDToGIDMap must be Identity (CID = glyph id)"
        tt = TTFont(io.BytesIO(font["program"]))
        glyph_order = tt.getGlyphOrder()
        glyf = tt["glyf"]
        for cid, chars in font["cid_to_text"].items():
            for char in chars:
                if char not in wanted:
                    continue
                covered.add(char)
                if cid == 0 or cid >= len(glyph_order):
                    problems.append(f"{char}: CID {cid} is .notdef or outside the font")
                    continue
                glyph = glyf[glyph_order[cid]]
                if glyph_order[cid] == ".notdef" or not glyph.numberOfContours:
                    problems.append(f"{char}: glyph {glyph_order[cid]} has no outline")
    missing = wanted - covered
    problems.extend(f"{char}: no glyph in any embedded font" for char in sorted(missing))
    return wanted, problems
