"""Builds the web font the pages use: Noto Sans JP (SIL Open Font License 1.1), subset to ASCII,
kana and the JIS X 0208 characters (levels 1 and 2 kanji, symbols), as WOFF2 under static/fonts/.

    python -m ops.webfont  [/usr/share/fonts/opentype/noto]   (Debian's fonts-noto-cjk)

The subset is committed, so a server needs neither the system font nor this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts"
WEIGHTS = {"Regular": 400, "Bold": 700}


def jis_x_0208() -> set[str]:
    """Every character of JIS X 0208 (rows 1-84: symbols, kana, level 1 and 2 kanji)."""
    chars = set()
    for row in range(0x21, 0x7F):
        for cell in range(0x21, 0x7F):
            try:
                chars.add(bytes([row | 0x80, cell | 0x80]).decode("euc_jp"))
            except UnicodeDecodeError:
                continue
    return chars


def characters() -> str:
    extra = "〜～－・①②③④⑤⑥⑦⑧⑨⑩㈱㈲№℡々〆ヵヶゔヴ〒￥©®™…‥«»‐–—　"
    ascii_ = {chr(c) for c in range(0x20, 0x7F)}
    latin = {chr(c) for c in range(0xA0, 0x100)}
    return "".join(sorted(jis_x_0208() | ascii_ | latin | set(extra)))


def build(source_dir: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    text = characters()
    for weight in WEIGHTS:
        collection = TTCollection(source_dir / f"NotoSansCJK-{weight}.ttc")
        font = next(f for f in collection.fonts if "JP" in f["name"].getDebugName(1))
        options = subset.Options()
        options.flavor = "woff2"
        # Horizontal text only: no vertical forms or other locales' glyphs (half the size).
        options.layout_features = ["kern", "palt"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        target = OUT / f"NotoSansJP-{weight}.subset.woff2"
        font.flavor = "woff2"
        font.save(target)
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto"))
