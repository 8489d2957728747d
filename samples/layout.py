"""Page layout in the Decree 30/2020/NĐ-CP style: wrapping, pagination, drawing.

A document is laid out as: a two-column header (agency + number on the left,
national title + place/date on the right), a centred title block, the body, and
a two-column footer ("Nơi nhận" on the left, the signer on the right).  Every
text line that is drawn is also returned, in reading order, as ground truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from samples.content import Para

_FONT_FILES = {
    "noto": ("/usr/share/fonts/truetype/noto", "NotoSerif-Regular", "NotoSerif"),
    "liberation": ("/usr/share/fonts/truetype/liberation2", "LiberationSerif-Regular", "LiberationSerif"),
    "dejavu": ("/usr/share/fonts/truetype/dejavu", "DejaVuSerif", "DejaVuSerif"),
}


def _family(folder: str, regular: str, stem: str) -> dict[str, Path]:
    base = Path(folder)
    return {
        "regular": base / f"{regular}.ttf",
        "bold": base / f"{stem}-Bold.ttf",
        "italic": base / f"{stem}-Italic.ttf",
        "bold_italic": base / f"{stem}-BoldItalic.ttf",
    }


FONTS: dict[str, dict[str, Path]] = {name: _family(*spec) for name, spec in _FONT_FILES.items()}
A4_MM = (210.0, 297.0)
INK = (0, 0, 0)
SEAL_KEY = "sohoa.seal"  # Image.info key telling degrade() where the seal goes


@lru_cache(maxsize=256)
def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


@dataclass
class Line:
    """One drawn line (or a horizontal rule when ``rule`` > 0)."""

    words: list[tuple[str, str]]  # (word, style)
    pt: float
    x0: int  # box left
    width: int  # box width
    align: str = "left"  # left | center | justify
    indent: int = 0  # extra left offset of this line
    before: int = 0  # vertical gap above, px
    spacing: float = 1.2  # line height / font size
    last: bool = True  # last line of its paragraph (never justified)
    rule: float = 0.0  # rule length in px (0: a text line)
    painter: Callable[[Pen, ImageDraw.ImageDraw, Line, int], None] | None = None  # custom drawing (tables, gaps)

    @property
    def text(self) -> str:
        """The line's text with single spaces."""
        return " ".join(word for word, _ in self.words)


@dataclass
class Pen:
    """Fonts and unit conversions for one page size and font family."""

    dpi: int
    family: str
    widths: dict[tuple[str, str, float], float] = field(default_factory=dict)

    def px(self, mm: float) -> int:
        """Millimetres to pixels."""
        return round(mm * self.dpi / 25.4)

    def font_px(self, pt: float) -> int:
        """Points to pixels."""
        return max(1, round(pt * self.dpi / 72))

    def font(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        """The font of ``style`` at ``pt`` points."""
        return _font(str(FONTS[self.family][style]), self.font_px(pt))

    def width(self, text: str, style: str, pt: float) -> float:
        """Advance width of ``text`` in pixels (cached)."""
        key = (text, style, pt)
        if key not in self.widths:
            self.widths[key] = self.font(style, pt).getlength(text)
        return self.widths[key]

    def height(self, line: Line) -> int:
        """Vertical advance of a line, without its gap above."""
        if line.rule:
            return self.px(4.5)
        return round(self.font_px(line.pt) * line.spacing)

    def fit_pt(self, text: str, style: str, pt: float, max_width: float) -> float:
        """Largest size <= ``pt`` (0.5 pt steps, >= 9 pt) at which ``text`` fits."""
        while pt > 9 and self.width(text, style, pt) > max_width:
            pt -= 0.5
        return pt


def wrap(
    pen: Pen, words: list[tuple[str, str]], pt: float, width: int, first_indent: int = 0
) -> list[list[tuple[str, str]]]:
    """Greedy word wrap; a word longer than the line gets a line of its own."""
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    space = pen.width(" ", "regular", pt)
    for word, style in words:
        w = pen.width(word, style, pt)
        limit = width - (first_indent if len(rows) == 1 else 0)
        if rows[-1] and used + space + w > limit:
            rows.append([])
            used = 0.0
        used += (space if rows[-1] else 0) + w
        rows[-1].append((word, style))
    return rows


def para_lines(
    pen: Pen, para: Para, pt: float, x0: int, width: int, *, spacing: float, before: int, indent_mm: float = 10.0
) -> list[Line]:
    """Wrap a paragraph into lines."""
    bold_lead = para.style == "regular"
    words = [(w, "bold" if bold_lead and i < para.lead else para.style) for i, w in enumerate(para.text.split())]
    indent = pen.px(indent_mm) if para.indent and para.align != "center" else 0
    rows = wrap(pen, words, pt, width, indent)
    return [
        Line(
            row,
            pt,
            x0,
            width,
            para.align,
            indent if i == 0 else 0,
            before if i == 0 else 0,
            spacing,
            i == len(rows) - 1,
        )
        for i, row in enumerate(rows)
    ]


def centred(
    pen: Pen, text: str, style: str, pt: float, x0: int, width: int, *, before: int = 0, spacing: float = 1.15
) -> list[Line]:
    """Centred lines (title, subject, header items), wrapped to ``width`` in balanced lines."""
    para = Para(text, style=style, align="center", indent=False)
    lines = para_lines(pen, para, pt, x0, width, spacing=spacing, before=before)
    narrow = width
    while len(lines) > 1 and narrow > width // 2:
        narrow = round(narrow * 0.97)
        trial = para_lines(pen, para, pt, x0, narrow, spacing=spacing, before=before)
        if len(trial) > len(lines):
            break
        lines = trial
    for line in lines:  # keep centring on the full width
        line.width = width
    return lines


BREAK_BEFORE = frozenset({"HUYỆN", "TỈNH", "XÃ", "VÀ", "THÀNH", "QUẬN", "PHƯỜNG"})


def balanced_split(pen: Pen, text: str, style: str, pt: float, max_width: float, depth: int = 2) -> list[str]:
    """``text`` on one line if it fits, else broken into balanced lines (at most ``depth`` + 1).

    Agency names break only before an administrative word ("HUYỆN", "TỈNH", "VÀ",
    ...), so compounds such as "TÀI CHÍNH - KẾ HOẠCH" stay whole; the caller
    shrinks the font if a line is still too wide.
    """
    words = text.split()
    cuts = [i for i in range(1, len(words)) if words[i] in BREAK_BEFORE]
    if pen.width(text, style, pt) <= max_width or not cuts or depth == 0:
        return [text]

    def widest(i: int) -> float:
        return max(pen.width(" ".join(words[:i]), style, pt), pen.width(" ".join(words[i:]), style, pt))

    best = min(cuts, key=widest)
    head, tail = " ".join(words[:best]), " ".join(words[best:])
    return [
        *balanced_split(pen, head, style, pt, max_width, depth - 1),
        *balanced_split(pen, tail, style, pt, max_width, depth - 1),
    ]


Placed = tuple[Line, int]  # a line and the y of its box top (after its gap)


def stack(pen: Pen, lines: list[Line], top: int) -> tuple[list[Placed], int]:
    """Place lines one under another from ``top``; return placements and bottom y."""
    placed, y = [], top
    for line in lines:
        y += line.before
        placed.append((line, y))
        y += pen.height(line)
    return placed, y


def stack_height(pen: Pen, lines: list[Line]) -> int:
    """Total vertical extent of consecutive lines."""
    return sum(line.before + pen.height(line) for line in lines)


def draw_line(pen: Pen, draw: ImageDraw.ImageDraw, line: Line, top: int) -> None:
    """Draw one line whose box starts at ``top`` (after its gap)."""
    if line.painter is not None:
        line.painter(pen, draw, line, top)
        return
    if line.rule:
        y = top + pen.height(line) // 2
        x = line.x0 + (line.width - line.rule) / 2
        draw.line([(x, y), (x + line.rule, y)], fill=INK, width=max(1, pen.px(0.25)))
        return
    fonts = [pen.font(style, line.pt) for _, style in line.words]
    widths = [pen.width(word, style, line.pt) for word, style in line.words]
    space = pen.width(" ", "regular", line.pt)
    natural = sum(widths) + space * (len(widths) - 1)
    avail = line.width - line.indent
    gap = space
    if line.align == "justify" and not line.last and len(widths) > 1:
        stretched = (avail - sum(widths)) / (len(widths) - 1)
        gap = stretched if stretched < 3 * space else space
    x = line.x0 + line.indent + (max(0.0, avail - natural) / 2 if line.align == "center" else 0)
    ascent, descent = fonts[0].getmetrics()
    baseline = top + (pen.height(line) - ascent - descent) // 2 + ascent
    for (word, _), font, w in zip(line.words, fonts, widths, strict=True):
        draw.text((x, baseline), word, font=font, fill=INK, anchor="ls")
        x += w + gap


@dataclass
class Style:
    """Per-document typographic choices (drawn from the seed)."""

    header_pt: float
    body_pt: float
    spacing: float
    para_gap_pt: float
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left

    @classmethod
    def random(cls, rng: random.Random) -> Style:
        """Sizes and margins inside the Decree 30 ranges."""
        return cls(
            header_pt=rng.choice([12.0, 13.0]),
            body_pt=rng.choice([13.0, 13.5, 14.0]),
            spacing=rng.choice([1.15, 1.2, 1.25]),
            para_gap_pt=rng.choice([3.0, 4.0, 6.0]),
            margins_mm=(rng.uniform(20, 25), rng.uniform(15, 20), rng.uniform(20, 25), rng.uniform(30, 35)),
        )


def new_page(pen: Pen) -> Image.Image:
    """A blank white A4 page at the pen's resolution."""
    size = (pen.px(A4_MM[0]), pen.px(A4_MM[1]))
    page = Image.new("RGB", size, "white")
    page.info["dpi"] = (pen.dpi, pen.dpi)
    return page
