"""Layout primitives in millimetres: fonts and measurement, positioned lines, pages, wrapping and page breaks.

Line breaks are decided here (with the same TrueType files Chromium is given), so the ground truth knows every
printed line and where it is; Chromium then only renders each line, justified to its box.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from PIL import ImageFont

from bench.heldout.content import Run

PT = 25.4 / 72  # millimetres per point
PAGE_W, PAGE_H = 210.0, 297.0
_TT = "/usr/share/fonts/truetype"
FONT_FILES: dict[str, tuple[str, str, str, str]] = {
    "Liberation Serif": tuple(
        f"{_TT}/liberation2/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic", "BoldItalic")
    ),
    "Noto Serif": tuple(f"{_TT}/noto/NotoSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic", "BoldItalic")),
    "DejaVu Serif": tuple(f"{_TT}/dejavu/DejaVuSerif{s}.ttf" for s in ("", "-Bold", "-Italic", "-BoldItalic")),
    "Liberation Sans": tuple(
        f"{_TT}/liberation2/LiberationSans-{s}.ttf" for s in ("Regular", "Bold", "Italic", "BoldItalic")
    ),
}  # type: ignore[assignment]
FAMILY_WEIGHTS = {"Liberation Serif": 60, "Noto Serif": 24, "DejaVu Serif": 10, "Liberation Sans": 6}


@cache
def _font(family: str, bold: bool, italic: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FILES[family][int(bold) + 2 * int(italic)], 200)


def text_mm(text: str, family: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Advance width of `text` in millimetres at `size` points."""
    return _font(family, bold, italic).getlength(text) / 200 * size * PT


def runs_mm(runs: list[Run], family: str, size: float) -> float:
    return sum(r.gap if r.gap else text_mm(r.text, family, size, r.bold, r.italic) for r in runs)


@dataclass
class Style:
    """Typographic choices of one document (as one agency's template would fix them)."""

    family: str
    size: float
    spacing: float
    indent: float
    top: float
    bottom: float
    left: float
    right: float
    hdr: float
    motto: float
    motto2: float
    gutter: float
    ratio: float
    shift: float
    title: float
    signature_gap: float

    @property
    def cw(self) -> float:
        return PAGE_W - self.left - self.right

    @property
    def lh(self) -> float:
        return self.size * PT * self.spacing

    def width(self, runs: list[Run], size: float | None = None) -> float:
        return runs_mm(runs, self.family, size or self.size)


def random_style(rng: random.Random) -> Style:
    family = rng.choices(list(FAMILY_WEIGHTS), list(FAMILY_WEIGHTS.values()))[0]
    wide = family in ("DejaVu Serif", "Liberation Sans", "Noto Serif")
    size = rng.choice([12.5, 13.0] if wide else [13.0, 14.0, 14.0])
    narrow = rng.random() < 0.45
    return Style(
        family=family,
        size=size,
        spacing=rng.uniform(1.12, 1.4),
        indent=rng.uniform(9.5, 12.7),
        top=rng.uniform(15, 24),
        bottom=rng.uniform(16, 24),
        left=rng.uniform(27, 35),
        right=rng.uniform(13, 20),
        hdr=rng.choice([12.0, 12.5, 13.0]) - (0.5 if wide else 0),
        motto=rng.choice([12.0, 12.5, 13.0]) - (0.5 if wide else 0),
        motto2=rng.choice([13.0, 13.5, 14.0]) - (0.5 if wide else 0),
        gutter=rng.uniform(1.0, 4.5) if narrow else rng.uniform(6, 22),
        ratio=rng.uniform(0.35, 0.45),
        shift=0.0 if narrow else rng.uniform(0, 12),
        title=rng.choice([13.5, 14.0, 14.5]) - (0.5 if wide else 0),
        signature_gap=rng.uniform(20, 30),
    )


@dataclass
class Line:
    """One printed line: its box, text runs, size and alignment."""

    x: float
    y: float
    w: float
    h: float
    runs: list[Run]
    size: float
    align: str = "left"  # left | center | justify
    natural: float = 0.0
    col: str = ""  # "hl"/"hr": inside the header table's left/right cell
    underline: bool = False

    @property
    def text(self) -> str:
        return " ".join("".join(r.text for r in self.runs).split())

    def ink(self) -> tuple[float, float, float, float]:
        """Approximate box of the glyphs (x0, y0, x1, y1) in mm."""
        if self.align == "center":
            x0 = self.x + (self.w - self.natural) / 2
            x1 = x0 + self.natural
        elif self.align == "justify":
            x0, x1 = self.x, self.x + self.w
        else:
            x0, x1 = self.x, self.x + self.natural
        mid, half = self.y + self.h / 2, self.size * PT * 0.42
        return x0, mid - half, x1, mid + half


@dataclass
class Rule:
    x: float
    y: float
    w: float
    thick: float = 0.28


@dataclass
class TableBox:
    x: float
    y: float
    widths: list[float]
    row_h: float
    rows: list[list[str]]
    size: float
    head: bool


@dataclass
class Page:
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    tables: list[TableBox] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)
    anchors: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    header: tuple[float, float, float, float, float] | None = None  # x, y, left w, gutter, right w

    def add(self, line: Line, record: bool = True) -> Line:
        self.lines.append(line)
        if record and line.text:
            self.truth.append(line.text)
        return line


class Flow:
    """Vertical flow over pages with page breaks and Decree 30 page numbers from page 2."""

    def __init__(self, style: Style) -> None:
        self.st = style
        self.pages = [Page()]
        self.y = style.top

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def need(self, height: float) -> None:
        if self.y + height > PAGE_H - self.st.bottom:
            self.break_page()

    def break_page(self) -> None:
        self.pages.append(Page())
        number = str(len(self.pages))
        h = self.st.size * PT * 1.3
        y = max(7.0, self.st.top - 11)
        self.page.add(self.line(self.st.left, y, self.st.cw, h, [Run(number)], self.st.size, "center"))
        self.y = self.st.top

    def line(
        self, x: float, y: float, w: float, h: float, runs: list[Run], size: float, align: str, **kw: object
    ) -> Line:
        return Line(x, y, w, h, runs, size, align, runs_mm(runs, self.st.family, size), **kw)  # type: ignore[arg-type]


def _merge(tokens: list[tuple[str, bool, bool]]) -> list[Run]:
    runs: list[Run] = []
    for i, (word, bold, italic) in enumerate(tokens):
        text = word + (" " if i < len(tokens) - 1 else "")
        if runs and (runs[-1].bold, runs[-1].italic) == (bold, italic):
            runs[-1].text += text
        else:
            runs.append(Run(text, bold, italic))
    return runs


def wrap(runs: list[Run], family: str, size: float, first: float, rest: float) -> list[list[Run]]:
    """Greedy line breaking of styled runs within `first` then `rest` millimetres."""
    tokens = [(word, r.bold, r.italic) for r in runs for word in r.text.split()]
    lines: list[list[tuple[str, bool, bool]]] = []
    cur: list[tuple[str, bool, bool]] = []
    cur_w = 0.0
    for tok in tokens:
        tw = text_mm(tok[0], family, size, tok[1], tok[2])
        space = text_mm(" ", family, size, tok[1], tok[2])
        limit = (first if not lines else rest) * 0.982
        if cur and cur_w + space + tw > limit:
            lines.append(cur)
            cur, cur_w = [tok], tw
        else:
            cur_w = tw if not cur else cur_w + space + tw
            cur.append(tok)
    if cur:
        lines.append(cur)
    return [_merge(line) for line in lines]


UNIT_WORDS = {"HUYỆN", "XÃ", "TỈNH", "THÀNH", "THỊ", "PHƯỜNG", "VÀ"}


def split_caps(text: str, fits: Callable[[str], bool], rng: random.Random, single_bias: float = 0.5) -> list[str]:
    """Split an agency name in capitals over 1-3 lines that fit, breaking where agencies do.

    Good breaks are before "VÀ" or an administrative unit ("HUYỆN YÊN KHÁNH"), or after a dash ("TÀI CHÍNH -");
    never before a dash. Other breaks are only used when nothing else fits.
    """
    words = text.split()
    ok = [i for i in range(1, len(words)) if words[i] != "-"]

    def cost(i: int) -> float:
        return 0.0 if words[i] in UNIT_WORDS or words[i - 1] == "-" else 8.0

    cands: list[tuple[float, list[str]]] = [(0.0, [text])]
    for i in ok:
        parts = [" ".join(words[:i]), " ".join(words[i:])]
        cands.append((cost(i) + abs(len(parts[0]) - len(parts[1])) / 4, parts))
    for i in ok:
        for j in (j for j in ok if j > i):
            parts = [" ".join(words[:i]), " ".join(words[i:j]), " ".join(words[j:])]
            cands.append((20 + cost(i) + cost(j), parts))
    valid = [c for c in cands if all(fits(line) for line in c[1])]
    if not valid:
        return max(cands, key=lambda c: len(c[1]))[1]
    if len(valid[0][1]) == 1 and (rng.random() < single_bias or len(words) <= 2 or len(valid) == 1):
        return valid[0][1]
    multi = [c for c in valid if len(c[1]) > 1] or valid
    best = min(multi, key=lambda c: c[0])
    return valid[0][1] if len(valid[0][1]) == 1 and best[0] >= 8 else best[1]
