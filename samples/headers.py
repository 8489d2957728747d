"""The two-column header of a document, with its opt-in variations.

Left column: parent agency, issuing agency, a short rule, then "Số: …" (and for
a công văn the "V/v …" subject under it).  Right column: the national title,
the motto, a rule, then the place and date.  With the default
:class:`~samples.variations.LayoutOptions` this draws exactly the usual header;
the variations change the column split, the agency's wrapping, the gap between
the columns and leave a blank for a handwritten number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import TYPE_CHECKING

from PIL import ImageDraw

from samples.content import Content
from samples.layout import BREAK_BEFORE, INK, Line, Pen, Placed, balanced_split, centred, stack, stack_height
from samples.letters import subject_lines
from samples.variations import LayoutOptions
from samples.vocab import date_words

if TYPE_CHECKING:
    from samples.compose import Frame

Box = tuple[int, int, int, int]
SECONDARY_CUTS = frozenset({("BAN", "NHÂN"), ("-", "KẾ")})  # breaks used only to reach the wanted line count


@dataclass
class HeaderInfo:
    """What the header tells the marks: the agency's line count and the blank left for the number."""

    agency_lines: int = 0
    number_gaps: list[Box] = field(default_factory=list)


def split_agency(pen: Pen, text: str, style: str, pt: float, count: int) -> list[str]:
    """``text`` on ``count`` lines where its words allow it (fewer otherwise), widest line smallest."""
    words = text.split()
    primary = [i for i in range(1, len(words)) if words[i] in BREAK_BEFORE]
    secondary = [i for i in range(1, len(words)) if (words[i - 1], words[i]) in SECONDARY_CUTS]
    cuts = sorted(set(primary + secondary))
    wanted = min(count - 1, len(cuts))
    if wanted <= 0:
        return [text]

    def cost(chosen: tuple[int, ...]) -> tuple[int, float]:
        bounds = (0, *chosen, len(words))
        widest = max(pen.width(" ".join(words[a:b]), style, pt) for a, b in pairwise(bounds))
        return sum(cut not in primary for cut in chosen), widest

    best = min(combinations(cuts, wanted), key=cost)
    bounds = (0, *best, len(words))
    return [" ".join(words[a:b]) for a, b in pairwise(bounds)]


def _header_left(frame: Frame, content: Content, x0: int, width: int, options: LayoutOptions) -> list[Line]:
    pen, pt = frame.pen, frame.style.header_pt
    organ, limit = content.organ, width - pen.px(8)
    lines: list[Line] = []
    if organ.parent:
        size = pen.fit_pt(organ.parent, "regular", pt, limit)
        lines += centred(pen, organ.parent, "regular", size, x0, width)
    if options.agency_lines is None:
        names = balanced_split(pen, organ.name, "bold", pt, limit)
    else:
        names = split_agency(pen, organ.name, "bold", pt, options.agency_lines)
    size = min(pen.fit_pt(name, "bold", pt, limit) for name in names)
    for name in names:
        lines += centred(pen, name, "bold", size, x0, width)
    longest = max(pen.width(name, "bold", size) for name in names)
    return [*lines, Line([], 0, x0, width, "center", rule=max(1.0, max(pen.px(15), longest / 3)))]


def _header_right(frame: Frame, x0: int, width: int) -> list[Line]:
    pen, pt, limit = frame.pen, frame.style.header_pt, width - frame.pen.px(8)
    national = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto = "Độc lập - Tự do - Hạnh phúc"
    size = pen.fit_pt(national, "bold", pt, limit)
    motto_size = pen.fit_pt(motto, "bold", pt + 1, limit)
    return [
        *centred(pen, national, "bold", size, x0, width),
        *centred(pen, motto, "bold", motto_size, x0, width),
        Line([], 0, x0, width, "center", rule=max(1.0, pen.width(motto, "bold", motto_size))),
    ]


class NumberGap:
    """Draws "Số:", a blank and "/NOTATION" centred in the line's box; remembers the blank's box."""

    def __init__(self, notation: str, gap_px: int, info: HeaderInfo) -> None:
        self.notation, self.gap_px, self.info = notation, gap_px, info

    def natural(self, pen: Pen, pt: float) -> float:
        """Width of the drawn line."""
        return pen.width("Số:", "regular", pt) + pen.width(" ", "regular", pt) + self.gap_px + self.tail(pen, pt)

    def tail(self, pen: Pen, pt: float) -> float:
        """Width of "/NOTATION"."""
        return pen.width(f"/{self.notation}", "regular", pt)

    def __call__(self, pen: Pen, draw: ImageDraw.ImageDraw, line: Line, top: int) -> None:
        font = pen.font("regular", line.pt)
        ascent, descent = font.getmetrics()
        baseline = top + (pen.height(line) - ascent - descent) // 2 + ascent
        x = line.x0 + max(0.0, line.width - self.natural(pen, line.pt)) / 2
        draw.text((x, baseline), "Số:", font=font, fill=INK, anchor="ls")
        gap_x = x + pen.width("Số:", "regular", line.pt) + pen.width(" ", "regular", line.pt)
        draw.text((gap_x + self.gap_px, baseline), f"/{self.notation}", font=font, fill=INK, anchor="ls")
        self.info.number_gaps.append((round(gap_x), baseline - ascent, round(gap_x + self.gap_px), baseline))


def _number_line(
    frame: Frame, content: Content, x0: int, width: int, options: LayoutOptions, info: HeaderInfo
) -> list[Line]:
    pen, pt = frame.pen, frame.style.header_pt + 1
    number = f"Số: {content.number}/{content.notation}"
    if not options.handwritten_number:
        return centred(pen, number, "regular", pen.fit_pt(number, "regular", pt, width), x0, width)
    gap_mm = max(options.number_gap_mm, 4.2 * len(content.number) + 3)
    painter = NumberGap(content.notation, pen.px(gap_mm), info)
    while pt > 9 and painter.natural(pen, pt) > width:
        pt -= 0.5
    words = [("Số:", "regular"), (f"{content.number}/{content.notation}", "regular")]
    return [Line(words, pt, x0, width, "center", spacing=1.15, painter=painter)]


def extent(pen: Pen, line: Line) -> tuple[float, float]:
    """Left and right x of what a centred or left-aligned line draws."""
    if line.rule:
        left = line.x0 + (line.width - line.rule) / 2
        return left, left + line.rule
    if isinstance(line.painter, NumberGap):
        natural = line.painter.natural(pen, line.pt)
    else:
        natural = sum(pen.width(word, style, line.pt) for word, style in line.words)
        natural += pen.width(" ", "regular", line.pt) * (len(line.words) - 1)
    avail = line.width - line.indent
    left = line.x0 + line.indent + (max(0.0, avail - natural) / 2 if line.align == "center" else 0)
    return left, left + natural


def _move_columns(frame: Frame, left: list[Line], right: list[Line], options: LayoutOptions, x0: int) -> None:
    """Shift the columns sideways so that their text is ``options.gutter_mm`` apart (as far as the page allows)."""
    pen = frame.pen
    a_left = min(extent(pen, line)[0] for line in left)
    b_left = max(extent(pen, line)[1] for line in left)
    a_right = min(extent(pen, line)[0] for line in right)
    b_right = max(extent(pen, line)[1] for line in right)
    gap, page_right = pen.px(options.gutter_mm), pen.px(210) - pen.px(9)
    if options.gutter == "narrow":
        total = (b_left - a_left) + gap + (b_right - a_right)
        start = max(float(pen.px(9)), (x0 + frame.right) / 2 - total / 2)
    else:
        start = max(float(pen.px(9)), x0 - pen.px(4))
    right_start = min(start + (b_left - a_left) + gap, page_right - (b_right - a_right))
    for line in left:
        line.x0 += round(start - a_left)
    for line in right:
        line.x0 += round(right_start - a_right)


def header(
    frame: Frame, content: Content, options: LayoutOptions | None = None
) -> tuple[list[Placed], list[Placed], int, HeaderInfo]:
    """The left and right header columns, the header's bottom y and what the marks need to know."""
    options = options or LayoutOptions()
    info = HeaderInfo()
    pen = frame.pen
    x0 = max(pen.px(12), frame.left - pen.px(15))
    split = round((frame.right - x0) * options.split)
    if options.agency_lines == 1:
        needed = pen.width(content.organ.name, "bold", 10.5) + pen.px(8)
        split = max(split, min(round(needed), round((frame.right - x0) * 0.56)))
    left_w, right_w = split, frame.right - x0 - split
    left = _header_left(frame, content, x0, left_w, options)
    info.agency_lines = sum(1 for line in left if line.words and line.words[0][1] == "bold")
    right = _header_right(frame, x0 + split, right_w)
    date_line = f"{content.organ.place}, {date_words(content.issued)}"
    pt = frame.style.header_pt + 1
    num_line = _number_line(frame, content, x0, left_w, options, info)
    if content.letter:
        num_line += subject_lines(pen, content, frame.style.header_pt - 0.5, x0, left_w)
    date_pt = pen.fit_pt(date_line, "italic", pt, right_w - pen.px(4))
    date_lines = centred(pen, date_line, "italic", date_pt, x0 + split, right_w)
    if options.gutter:
        _move_columns(frame, left + num_line, right + date_lines, options, x0)
    y_low = frame.top + max(stack_height(pen, left), stack_height(pen, right)) + pen.px(1.5)
    left_placed, _ = stack(pen, left, frame.top)
    right_placed, _ = stack(pen, right, frame.top)
    num_placed, num_end = stack(pen, num_line, y_low)
    date_placed, date_end = stack(pen, date_lines, y_low)
    return left_placed + num_placed, right_placed + date_placed, max(num_end, date_end), info
