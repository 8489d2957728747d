"""Compose a :class:`~samples.content.Content` into A4 pages plus ground-truth lines.

Reading order of the ground truth on every page: the left header block, the
right header block (page 1 only), the page number (pages 2+), the title and body
lines top to bottom, then the "Nơi nhận" block and the signer block (last page).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image, ImageDraw

from samples.content import Content, Para
from samples.headers import header
from samples.layout import (
    SEAL_KEY,
    Line,
    Pen,
    Placed,
    Style,
    centred,
    draw_line,
    new_page,
    para_lines,
    stack,
    stack_height,
)
from samples.letters import addressee_lines
from samples.tables import TablePara, table_lines
from samples.variations import LayoutOptions


@dataclass
class Frame:
    """Page geometry in pixels."""

    pen: Pen
    style: Style
    left: int
    right: int
    top: int
    bottom: int

    @classmethod
    def make(cls, pen: Pen, style: Style) -> Frame:
        """Text area from the style's margins."""
        top, right, bottom, left = style.margins_mm
        return cls(pen, style, pen.px(left), pen.px(210 - right), pen.px(top), pen.px(297 - bottom))

    @property
    def width(self) -> int:
        """Text width."""
        return self.right - self.left


def rule(x0: int, width: int, length: float, before: int = 0) -> Line:
    """A centred horizontal rule."""
    return Line([], 0, x0, width, "center", before=before, rule=max(1.0, length))


# ----------------------------------------------------------------------------- title + body


def title_block(frame: Frame, content: Content) -> list[Line]:
    """Type name, subject, rule and (decisions) authority line, all centred and bold.

    A công văn has none of these: its "Kính gửi" lines take their place.
    """
    pen, pt = frame.pen, frame.style.body_pt
    if content.letter:
        return addressee_lines(pen, content.addressees, pt, frame.left, frame.right, pen.px(7))
    wide, narrow = round(frame.width * 0.95), round(frame.width * 0.85)
    lines = centred(pen, content.type_name, "bold", min(14.0, pt + 0.5), frame.left, wide, before=pen.px(9))
    for line in lines:
        line.x0 += (frame.width - wide) // 2
    if content.subject:
        sub = centred(pen, content.subject, "bold", pt, frame.left, narrow, spacing=1.15)
        for line in sub:
            line.x0 += (frame.width - narrow) // 2
        lines += sub
    lines.append(rule(frame.left, frame.width, pen.px(35)))
    if content.authority:
        lines += centred(pen, content.authority, "bold", pt, frame.left, frame.width, before=pen.px(3))
    return lines


def body_lines(frame: Frame, paras: list[Para]) -> list[Line]:
    """Wrap the body paragraphs to the text width."""
    pen, style = frame.pen, frame.style
    gap = pen.font_px(style.para_gap_pt)
    lines: list[Line] = []
    for i, para in enumerate(paras):
        before = pen.px(4) if i == 0 else gap
        if isinstance(para, TablePara):
            lines += table_lines(pen, para, style.body_pt, frame.left, frame.width, before=before)
            continue
        lines += para_lines(pen, para, style.body_pt, frame.left, frame.width, spacing=style.spacing, before=before)
    return lines


# ----------------------------------------------------------------------------- footer


@dataclass
class Footer:
    """The footer's two columns relative to y=0, its height and the seal request."""

    left: list[Placed]
    right: list[Placed]
    height: int
    seal: dict[str, Any]


def footer(frame: Frame, content: Content, rng: random.Random, options: LayoutOptions | None = None) -> Footer:
    """'Nơi nhận' block (left) and signer block (right), with where the seal goes."""
    pen, pt = frame.pen, frame.style.body_pt
    left_w = round(frame.width * 0.45)
    recv = [Line([("Nơi", "bold_italic"), ("nhận:", "bold_italic")], 12, frame.left, left_w)]
    for item in content.recipients:
        recv += para_lines(pen, Para(item, align="left", indent=False), 11, frame.left, left_w, spacing=1.1, before=0)
    sx0, sw = frame.left + left_w, frame.width - left_w
    prefix, title, name = content.signer
    sign = [*(centred(pen, prefix, "bold", pt, sx0, sw) if prefix else []), *centred(pen, title, "bold", pt, sx0, sw)]
    title_end = stack_height(pen, sign)
    gap = pen.px(rng.uniform(22, 28))
    sign += centred(pen, name, "bold", pt, sx0, sw, before=gap)
    recv_placed, recv_end = stack(pen, recv, 0)
    sign_placed, sign_end = stack(pen, sign, 0)
    radius = pen.px(rng.uniform(16.5, 19))
    seal = {
        "center": (
            sx0 + sw // 2 - round(radius * rng.uniform(0.35, 0.75)),
            title_end + gap // 2 + pen.px(rng.uniform(-2, 2)),
        ),
        "radius": radius,
        "text": content.organ.seal,
        "signature_box": (
            sx0 + sw // 2 - pen.px(22),
            title_end + pen.px(3),
            sx0 + sw // 2 + pen.px(22),
            title_end + gap - pen.px(2),
        ),
    }
    if options is not None and options.seal_over_signer:
        seal["center"] = _seal_over(pen, sign_placed, sx0 + sw // 2, radius, title_end, options)
    return Footer(recv_placed, sign_placed, max(recv_end, sign_end), seal)


def _seal_over(
    pen: Pen, sign: list[Placed], centre_x: int, radius: int, title_end: int, options: LayoutOptions
) -> tuple[int, int]:
    """A seal centre over the signer's title lines or over the name (the last line)."""
    if options.seal_on_title:
        y = title_end - pen.px(4)
    else:
        name, top = sign[-1]
        y = top + pen.height(name) // 2 - pen.px(2)
    return centre_x - round(radius * options.seal_shift), y


# ----------------------------------------------------------------------------- pagination


@dataclass
class Paged:
    """Flow lines distributed over pages, and where the footer starts."""

    pages: list[list[Placed]]
    footer_top: int
    fits: bool  # the footer fits under the flow on the last page


def paginate(frame: Frame, flow: list[Line], first_top: int, footer_h: int) -> Paged:
    """Greedy page breaking; continuation pages start at the top margin."""
    pen = frame.pen
    pages: list[list[Placed]] = [[]]
    y = first_top
    for line in flow:
        height = pen.height(line)
        if pages[-1] and y + line.before + height > frame.bottom:
            pages.append([])
            y = frame.top
        y += line.before if pages[-1] or len(pages) == 1 else 0
        pages[-1].append((line, y))
        y += height
    footer_top = y + pen.px(6)
    return Paged(pages, footer_top, footer_top + footer_h <= frame.bottom)


@dataclass
class Planner:
    """Grows or shrinks the body so the document takes exactly ``pages`` pages."""

    frame: Frame
    content: Content
    title: list[Line]
    first_top: int
    footer_h: int

    def layout(self, paras: list[Para]) -> tuple[Paged, int]:
        """Paginate the given body; also return the number of body lines."""
        body = body_lines(self.frame, paras)
        return paginate(self.frame, self.title + body, self.first_top, self.footer_h), len(body)

    def plan(self, pages: int, rng: random.Random) -> Paged:
        """Choose the body paragraphs, then paginate."""
        paras, at = list(self.content.body), self.content.more_at
        result, count = self.layout(paras)
        if pages == 1:
            target = rng.randint(12, 24)
            while not self._ok(result, 1) and (dropped := self._drop_optional(paras, rng)) is not None:
                at -= dropped < at
                result, count = self.layout(paras)
            while count < target:
                paras.insert(at, self.content.more())
                trial, trial_count = self.layout(paras)
                if not self._ok(trial, 1):
                    paras.pop(at)
                    break
                at, result, count = at + 1, trial, trial_count
            return result
        min_last = rng.randint(4, 10)
        for _ in range(400):
            last_lines = len(result.pages[-1])
            if len(result.pages) > pages or (
                len(result.pages) == pages and (last_lines >= min_last or not result.fits)
            ):
                break
            paras.insert(at, self.content.more())
            at += 1
            result, count = self.layout(paras)
        while not self._ok(result, pages) and at > self.content.more_at:
            at -= 1
            paras.pop(at)
            result, count = self.layout(paras)
        return result

    @staticmethod
    def _ok(result: Paged, pages: int) -> bool:
        return len(result.pages) == pages and result.fits

    @staticmethod
    def _drop_optional(paras: list[Para], rng: random.Random) -> int | None:
        """Remove a random optional paragraph; return its index (None if there is none)."""
        optional = [i for i, p in enumerate(paras) if p.optional]
        if not optional:
            return None
        index = rng.choice(optional)
        paras.pop(index)
        return index


# ----------------------------------------------------------------------------- render

Box = tuple[int, int, int, int]


@dataclass
class Rendered:
    """Clean pages, the text lines drawn on each page in reading order, and text blocks.

    ``blocks[page]`` lists ``(name, box)`` in reading order; the lines of
    ``lines[page]`` are the concatenation of the blocks' lines.  Names:
    header_left, header_right, page_number, body, recipients, signer.
    """

    pages: list[Image.Image]
    lines: list[list[str]]
    blocks: list[list[tuple[str, Box]]]
    geometry: dict[str, Any] = field(default_factory=dict)  # where marks may go (see samples.marks)


class _PageWriter:
    """Draws groups of placed lines on one page, recording text and block boxes."""

    def __init__(self, pen: Pen) -> None:
        self.pen = pen
        self.page = new_page(pen)
        self.draw = ImageDraw.Draw(self.page)
        self.lines: list[str] = []
        self.blocks: list[tuple[str, Box]] = []

    def group(self, name: str, placed: list[Placed], dy: int = 0) -> None:
        """Draw ``placed`` shifted down by ``dy`` as the block ``name``."""
        if not placed:
            return
        for line, top in placed:
            draw_line(self.pen, self.draw, line, top + dy)
        self.lines += [line.text for line, _ in placed if not line.rule and line.words]
        box = (
            min(line.x0 for line, _ in placed),
            min(top for _, top in placed) + dy,
            max(line.x0 + line.width for line, _ in placed),
            max(top + self.pen.height(line) for line, top in placed) + dy,
        )
        self.blocks.append((name, box))


def render(
    content: Content, *, dpi: int, family: str, pages: int, rng: random.Random, options: LayoutOptions | None = None
) -> Rendered:
    """Lay out and draw ``content`` on exactly ``pages`` pages (if the body allows)."""
    options = options or LayoutOptions()
    pen = Pen(dpi, family)
    frame = Frame.make(pen, _squeezed(Style.random(rng), options.squeeze))
    head_left, head_right, head_bottom, head_info = header(frame, content, options)
    foot = footer(frame, content, rng, options)
    planner = Planner(frame, content, title_block(frame, content), head_bottom, foot.height)
    paged = planner.plan(pages, rng)
    result = Rendered([], [], [])
    for index, placed in enumerate(paged.pages):
        writer = _PageWriter(pen)
        if index == 0:
            writer.group("header_left", head_left)
            writer.group("header_right", head_right)
        else:
            writer.group("page_number", [_page_number(frame, index + 1, options)])
        writer.group("body", placed)
        if index == len(paged.pages) - 1:
            writer.group("recipients", foot.left, paged.footer_top)
            writer.group("signer", foot.right, paged.footer_top)
            writer.page.info[SEAL_KEY] = _shift_seal(foot.seal, paged.footer_top)
        result.pages.append(writer.page)
        result.lines.append(writer.lines)
        result.blocks.append(writer.blocks)
    result.geometry = {
        "frame": (frame.left, frame.top, frame.right, frame.bottom),
        "header_bottom": head_bottom,
        "agency_lines": head_info.agency_lines,
        "number_gaps": list(head_info.number_gaps),
        "footer": (paged.footer_top, paged.footer_top + foot.height),
        "fits": paged.fits and len(paged.pages) == pages,
    }
    return result


def _squeezed(style: Style, level: int) -> Style:
    """The style with less space (``level`` 1 or 2); unchanged at level 0."""
    if level <= 0:
        return style
    style = replace(style, spacing=min(style.spacing, 1.1), para_gap_pt=min(style.para_gap_pt, 2.0))
    if level >= 2:
        top, right, bottom, left = style.margins_mm
        style = replace(style, body_pt=style.body_pt - 1, margins_mm=(min(top, 17.0), right, min(bottom, 15.0), left))
    return style


def _page_number(frame: Frame, number: int, options: LayoutOptions) -> Placed:
    """The page number centred in the top margin (13 pt at mid-margin unless the options say otherwise)."""
    pen = frame.pen
    line = centred(pen, str(number), "regular", options.page_number_pt, frame.left, frame.width)[0]
    if options.page_number_at is None:
        return line, frame.top // 2 - pen.px(3)
    return line, round(frame.top * options.page_number_at) - pen.height(line) // 2


def _shift_seal(seal: dict[str, Any], dy: int) -> dict[str, Any]:
    x, y = seal["center"]
    x0, y0, x1, y1 = seal["signature_box"]
    return {**seal, "center": (x, y + dy), "signature_box": (x0, y0 + dy, x1, y1 + dy)}
