"""Bordered tables in the body: their content per kind of document, and how a row is drawn.

A table is a :class:`TablePara` in the body.  Each row becomes one layout
:class:`~samples.layout.Line` whose painter draws the cell borders and the cell
texts; the row's ground-truth text is its cells joined by single spaces, in
column order.  Cells stay on one line (the type shrinks to fit the width).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from PIL import ImageDraw

from samples.content import ISSUE_START, Content, Para
from samples.layout import INK, Line, Pen
from samples.vocab import VILLAGES, date_slash, decimal_vi, pick_locale, pick_person, random_date

ROW_SPACING = 1.75  # row height / font size


@dataclass
class TablePara(Para):
    """A table: the first row is the header (bold, centred)."""

    rows: list[list[str]] = field(default_factory=list)
    centred_columns: tuple[int, ...] = (0,)  # columns whose cells are centred (numbers)


class RowPainter:
    """Draws one table row: borders and cells, with the column boundaries given."""

    def __init__(self, cells: list[str], bounds: list[int], header: bool, centred_columns: tuple[int, ...]) -> None:
        self.cells, self.bounds, self.header, self.centred_columns = cells, bounds, header, centred_columns

    def __call__(self, pen: Pen, draw: ImageDraw.ImageDraw, line: Line, top: int) -> None:
        height, rule = pen.height(line), max(1, pen.px(0.25))
        left, right = self.bounds[0], self.bounds[-1]
        draw.line([(left, top), (right, top)], fill=INK, width=rule)
        draw.line([(left, top + height), (right, top + height)], fill=INK, width=rule)
        for x in self.bounds:
            draw.line([(x, top), (x, top + height)], fill=INK, width=rule)
        style = "bold" if self.header else "regular"
        font = pen.font(style, line.pt)
        ascent, descent = font.getmetrics()
        baseline = top + (height - ascent - descent) // 2 + ascent
        pad = pen.px(1.5)
        for index, text in enumerate(self.cells):
            x0, x1 = self.bounds[index], self.bounds[index + 1]
            if self.header or index in self.centred_columns:
                x = (x0 + x1 - pen.width(text, style, line.pt)) / 2
            else:
                x = x0 + pad
            draw.text((x, baseline), text, font=font, fill=INK, anchor="ls")


def table_lines(pen: Pen, table: TablePara, pt: float, x0: int, width: int, *, before: int) -> list[Line]:
    """One line per row; columns as wide as their widest cell, stretched to the text width."""
    pt -= 1.5
    pad = 2 * pen.px(1.5) + pen.px(1)

    def natural(size: float) -> list[float]:
        columns = range(len(table.rows[0]))
        return [
            max(pen.width(row[c], "bold" if r == 0 else "regular", size) for r, row in enumerate(table.rows)) + pad
            for c in columns
        ]

    while pt > 8 and sum(natural(pt)) > width:
        pt -= 0.5
    widths = natural(pt)
    extra = max(0.0, width - sum(widths)) / len(widths)
    bounds = [x0]
    for w in widths:
        bounds.append(round(bounds[-1] + w + extra))
    bounds[-1] = x0 + width
    lines = []
    for r, row in enumerate(table.rows):
        style = "bold" if r == 0 else "regular"
        words = [(word, style) for cell in row for word in cell.split()]
        painter = RowPainter(row, bounds, r == 0, table.centred_columns)
        lines.append(Line(words, pt, x0, width, before=before if r == 0 else 0, spacing=ROW_SPACING, painter=painter))
    return lines


# ----------------------------------------------------------------------------- content

LAND_CODES = ("ONT", "CLN", "LUC", "BHK", "NTS")


def _people(rng: random.Random, content: Content, count: int) -> list[list[str]]:
    rows = [["TT", "Họ và tên", "Năm sinh", "Thôn, xóm", "Diện tích (m2)"]]
    for i in range(count):
        person = pick_person(rng, content.organ.locale)
        rows.append(
            [str(i + 1), person.name, str(person.born.year), rng.choice(VILLAGES), decimal_vi(rng.uniform(40, 400))]
        )
    return rows


def _permit(rng: random.Random, content: Content, count: int) -> list[list[str]]:
    rows = [["TT", "Hạng mục", "Diện tích sàn (m2)", "Chiều cao (m)"]]
    for i in range(count):
        name = f"Tầng {i + 1}" if i < count - 1 else "Tum thang"
        rows.append([str(i + 1), name, decimal_vi(rng.uniform(20, 130)), decimal_vi(rng.uniform(2.8, 3.9), 2)])
    return rows


def _plots(rng: random.Random, content: Content, count: int) -> list[list[str]]:
    rows = [["TT", "Thửa đất số", "Tờ bản đồ số", "Diện tích (m2)", "Mục đích"]]
    sheet = rng.randint(2, 45)
    for i in range(count):
        rows.append(
            [
                str(i + 1),
                str(rng.randint(10, 999)),
                str(sheet),
                decimal_vi(rng.uniform(30, 420)),
                rng.choice(LAND_CODES),
            ]
        )
    return rows


def _residence(rng: random.Random, content: Content, count: int) -> list[list[str]]:
    rows = [["TT", "Từ ngày", "Đến ngày", "Nơi cư trú"]]
    end = content.issued - timedelta(days=rng.randint(30, 400))
    for i in range(count):
        start = random_date(rng, ISSUE_START.replace(year=1995), end - timedelta(days=300))
        place = pick_locale(rng)
        rows.append([str(i + 1), date_slash(start), date_slash(end), f"xã {place.commune}, huyện {place.district}"])
        end = start - timedelta(days=1)
    return rows


def _units(rng: random.Random, content: Content, count: int) -> list[list[str]]:
    rows = [["TT", "Đơn vị", "Số lượng", "Ghi chú"]]
    units = ["Văn phòng", "Phòng Nội vụ", "Phòng Tư pháp", "Phòng Y tế", "Phòng Kinh tế", "Thanh tra"]
    for i, unit in enumerate(rng.sample(units, count)):
        rows.append([str(i + 1), unit, str(rng.randint(1, 4)), rng.choice(["", "Lãnh đạo", "Chuyên viên"])])
    return rows


TABLES = {
    "decision": (_people, "Danh sách cụ thể như sau:"),
    "notice": (_people, "Danh sách các hộ có liên quan:"),
    "construction_permit": (_permit, "Quy mô các hạng mục công trình:"),
    "certificate": (_plots, "Các thửa đất:"),
    "marital_status": (_residence, "Quá trình cư trú (theo bảng):"),
    "criminal_record": (_residence, "Quá trình cư trú (theo bảng):"),
    "official_letter": (_units, "Số lượng cán bộ tham dự:"),
}


def add_table(content: Content, rng: random.Random) -> None:
    """Insert a caption and a 3-6 row table where the list items of the body begin to be added."""
    make, caption = TABLES[content.kind]
    rows = make(rng, content, rng.randint(3, 6))
    numeric = tuple(
        c
        for c in range(1, len(rows[0]))
        if all(row[c].replace(",", "").replace("/", "").isdigit() for row in rows[1:] if row[c])
    )
    table = TablePara("", indent=False, rows=rows, centred_columns=(0, *numeric))
    at = content.more_at
    content.body[at:at] = [Para(caption), table]
