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


def _heading_rank(element) -> int:
    """1-4 for h1-h4, then a program's name, an outcome's ○ line and captions; 0 for no heading."""
    classes = set((element.get("class") or "").split())
    if element.tag in {"h1", "h2", "h3", "h4"}:
        return int(element.tag[1])
    if "program-name" in classes:
        return 5
    if "category" in classes:
        return 6
    return 7 if element.tag in {"caption", "figcaption"} else 0


def _is_heading(element) -> bool:
    return _heading_rank(element) > 0


def stranded_headings(document) -> list[tuple[int, str]]:
    """(page number, heading text) for each page that ends with a heading, or with a heading and
    only its lead-in paragraph while the table, list or figure they introduce starts on the next page."""
    from weasyprint.formatting_structure import boxes

    root = next(box.element for box in document.pages[0]._page_box.children if box.element_tag == "html")
    parents = {child: parent for parent in root.iter() for child in parent}
    # The element of the last line, table row or image laid out on each page (a line's element is
    # its block: the paragraph, the heading, the cell).
    last_on_page = {
        number: box.element
        for number, box in laid_out(
            document, lambda box: isinstance(box, boxes.LineBox | boxes.TableRowBox | boxes.ReplacedBox)
        )
    }
    found = []
    for number in range(1, len(document.pages)):
        element = last_on_page.get(number)
        while element is not None and element.tag not in {"p", "caption"} and not _is_heading(element):
            element = parents.get(element)  # from a cell or a line's inline to its block
            if element is not None and element.tag in {"body", "section", "div", "html"}:
                element = None
        if element is None:
            continue
        if _is_heading(element):
            found.append((number, "".join(element.itertext()).strip()))
            continue
        siblings = list(parents[element])
        index = siblings.index(element)
        following = siblings[index + 1] if index + 1 < len(siblings) else None
        earlier = index - 1
        while earlier >= 0 and siblings[earlier].tag == "p" and not _is_heading(siblings[earlier]):
            earlier -= 1
        if following is None or earlier < 0 or not _is_heading(siblings[earlier]):
            continue
        heading = siblings[earlier]
        # The paragraphs introduce what follows (a table, a list, a sub-heading); a paragraph
        # followed by more text or by a heading of the same rank is content in its own right.
        if following.tag == "p" and not _is_heading(following):
            continue
        if _is_heading(following) and _heading_rank(following) <= _heading_rank(heading):
            continue
        found.append((number, "".join(heading.itertext()).strip()))
    return found


def laid_out(document, matches) -> list[tuple[int, object]]:
    """(page number, box) for each box in the pages' flow whose element `matches`, in order."""
    from weasyprint.formatting_structure import boxes

    found = []
    for number, page in enumerate(document.pages, start=1):
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox):
                continue
            found += [
                (number, box) for box in child.descendants() if box.element is not None and matches(box)
            ]
    return found


def content_bottom(document, page_number: int) -> float:
    """Where the page's area for content ends (the top of its bottom margin)."""
    page_box = document.pages[page_number - 1]._page_box
    return page_box.content_box_y() + page_box.height
