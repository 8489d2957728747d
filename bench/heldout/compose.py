"""Compose a document's pages (Decree 30/2020 Phụ lục I): header columns, title, body, recipients and signer."""

from __future__ import annotations

import random

from bench.heldout import names
from bench.heldout.content import Content, Para, Run, Table
from bench.heldout.layout import PAGE_H, PT, Flow, Line, Page, Rule, Style, TableBox, split_caps, text_mm, wrap

MOTTO1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO2 = "Độc lập - Tự do - Hạnh phúc"


def below(line: Line) -> float:
    """Where a rule under a line goes: a millimetre under its descenders."""
    return line.y + line.h / 2 + line.size * PT * 0.5 + 1.5


def _union(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _date_runs(c: Content, rng: random.Random) -> list[Run]:
    if not c.handwritten_day:
        return [Run(f"{c.organ.place}, {names.long_date(c.date)}", italic=True)]
    rest = f"tháng {names.month_str(c.date.month)} năm {c.date.year}"
    return [Run(f"{c.organ.place}, ngày", italic=True), Run(" ", gap=rng.uniform(8, 11)), Run(rest, italic=True)]


def header(flow: Flow, c: Content, rng: random.Random) -> list[str]:
    """Both header columns; returns variations. Left column lines are recorded before the right column's.

    With a narrow gutter both columns are shrunk to their text and pushed to the right margin, so the organ name
    ends a few millimetres before the motto starts, as on many real letterheads.
    """
    st, page, variations = flow.st, flow.page, []
    narrow = st.gutter < 5
    date_runs = _date_runs(c, rng)
    need_r = max(
        text_mm(MOTTO1, st.family, st.motto, bold=True),
        text_mm(MOTTO2, st.family, st.motto2, bold=True),
        st.width(date_runs, st.motto2),
    )
    hw, g = st.cw + st.shift, st.gutter
    lw = min((hw - g) * st.ratio, hw - g - need_r - 1)
    if narrow:  # columns shrink to their text; the left one may reach 12 mm into the left margin
        lw = st.cw + 12 - g - need_r - 1
    hh = st.hdr * PT * 1.22
    spec: list[tuple[list[Run], float, float]] = []  # runs, size, height: the left column from the top
    if c.organ.parent:
        for text in split_caps(c.organ.parent, lambda t: text_mm(t, st.family, st.hdr) < lw - 1, rng, 0.95):
            spec.append(([Run(text)], st.hdr, hh))
    else:
        variations.append("no_parent")
    organ_fits = lambda t: text_mm(t, st.family, st.hdr, True) < lw - 1  # noqa: E731
    organ_lines = split_caps(c.organ.name, organ_fits, rng, 0.85 if narrow else 0.45)
    spec += [([Run(text, bold=True)], st.hdr, hh) for text in organ_lines]
    so_size = rng.choice([12.5, 13.0, 13.0])
    if c.handwritten_number:
        so_runs = [Run("Số:"), Run(" ", gap=rng.uniform(11, 17)), Run(f"/{c.notation}")]
    else:
        so_runs = [Run(f"Số: {c.number}")]
    if narrow:
        lw = max([st.width(r, sz) for r, sz, _ in spec] + [st.width(so_runs, so_size), 50.0]) + 0.6
    vv = rng.choice([11.0, 11.5, 12.0])
    vv_lines = []
    if c.kind == "cong_van" and c.subject:
        vv_lines = wrap([Run(c.subject)], st.family, vv, lw * rng.uniform(0.8, 0.98), lw * 0.98)
        if len(vv_lines) > 1:
            variations.append("subject_multiline")
    if narrow:
        rw = need_r + 0.6
        hx = st.left + st.cw - (lw + g + rw)
    else:
        hx, rw = st.left - st.shift, hw - g - lw
    page.header = (hx, st.top, lw, g, rw)
    rx = hx + lw + g
    left: list[Line] = []
    y = st.top
    for runs, size, height in spec:
        left.append(flow.line(hx, y, lw, height, runs, size, "center", col="hl"))
        y += height
    organ_w = max(line.natural for line in left[-len(organ_lines) :])
    if len(organ_lines) == 1 and organ_w > lw * 0.86:
        variations.append("long_organ_line")
    rule_w = organ_w * rng.uniform(0.3, 0.5)
    page.rules.append(Rule(hx + (lw - rule_w) / 2, below(left[-1]), rule_w))
    m1h, m2h = st.motto * PT * 1.22, st.motto2 * PT * 1.3
    right = [
        flow.line(rx, st.top, rw, m1h, [Run(MOTTO1, bold=True)], st.motto, "center", col="hr"),
        flow.line(rx, st.top + m1h, rw, m2h, [Run(MOTTO2, bold=True)], st.motto2, "center", col="hr", underline=True),
    ]
    row = max(below(left[-1]) + 1.6, st.top + m1h + m2h + 2.6) + rng.uniform(0.5, 2.5)
    so = flow.line(hx, row, lw, so_size * PT * 1.3, so_runs, so_size, "center", col="hl")
    left.append(so)
    if c.handwritten_number:
        x0 = so.ink()[0] + text_mm("Số:", st.family, so_size)
        page.anchors["number_blank"] = (x0, so.y, x0 + so_runs[1].gap, so.y + so.h)
    y = row + so.h + 0.6
    for runs in vv_lines:
        left.append(flow.line(hx, y, lw, vv * PT * 1.2, runs, vv, "center", col="hl"))
        y += vv * PT * 1.2
    date = flow.line(rx, row, rw, m2h, date_runs, st.motto2, "center", col="hr")
    right.append(date)
    if c.handwritten_day:
        x0 = date.ink()[0] + st.width(date_runs[:1], st.motto2)
        page.anchors["day_blank"] = (x0, date.y, x0 + date_runs[1].gap, date.y + date.h)
    for line in left + right:
        page.add(line)
    gaps = [
        r.ink()[0] - lft.ink()[2]
        for lft in left
        for r in right
        if min(lft.y + lft.h, r.y + r.h) - max(lft.y, r.y) > 0.3 * min(lft.h, r.h)
    ]
    if gaps and min(gaps) < 8:
        variations.append("narrow_gutter")
    bottom = max(y, date.y + date.h)
    page.anchors["header"] = (hx, st.top, hx + lw + g + rw, bottom)
    page.anchors["right_free"] = (rx, date.y + date.h, rx + rw, bottom)
    flow.y = bottom + rng.uniform(5, 9)
    return variations


def balanced(runs: list[Run], family: str, size: float, width: float) -> list[list[Run]]:
    """Wrap into as few lines as `width` allows, then narrow the measure so the lines come out even."""
    lines = wrap(runs, family, size, width, width)
    lo, hi = width * 0.4, width
    for _ in range(12):
        mid = (lo + hi) / 2
        if len(wrap(runs, family, size, mid, mid)) > len(lines):
            lo = mid
        else:
            hi = mid
    return wrap(runs, family, size, hi, hi)


def centred_block(flow: Flow, runs: list[Run], size: float, width: float, lh: float = 1.25) -> list[Line]:
    out = []
    for line_runs in balanced(runs, flow.st.family, size, width):
        flow.need(size * PT * lh)
        out.append(
            flow.page.add(flow.line(flow.st.left, flow.y, flow.st.cw, size * PT * lh, line_runs, size, "center"))
        )
        flow.y += size * PT * lh
    return out


def title_block(flow: Flow, c: Content, rng: random.Random) -> None:
    st = flow.st
    lines = centred_block(flow, [Run(c.type_title or "", bold=True)], st.title, st.cw)
    if c.subject:
        lines = centred_block(
            flow, [Run(c.subject, bold=True)], st.title - rng.choice([0, 0.5]), st.cw * rng.uniform(0.75, 0.9)
        )
    w = rng.uniform(22, 40) if c.kind != "giay_phep" or rng.random() < 0.5 else 0
    if w:
        flow.page.rules.append(Rule(st.left + (st.cw - w) / 2, below(lines[-1]), w))
    flow.y = below(lines[-1]) + rng.uniform(3, 6)
    if c.authority:
        centred_block(flow, [Run(c.authority, bold=True)], st.size, st.cw * 0.95)
        flow.y += rng.uniform(2, 4)


def recipients(flow: Flow, c: Content, rng: random.Random) -> None:
    st = flow.st
    label = "Kính gửi: "
    if len(c.recipients) == 1:
        centred_block(flow, [Run(label + c.recipients[0])], st.size, st.cw * 0.9, st.spacing)
    else:
        x = st.left + rng.uniform(10, 28)
        item_x = x + text_mm(label, st.family, st.size)
        for i, item in enumerate(c.recipients):
            for j, runs in enumerate(
                wrap([Run(item)], st.family, st.size, st.left + st.cw - item_x, st.left + st.cw - item_x)
            ):
                if i == 0 and j == 0:
                    runs = [Run(label), *runs]
                lx = x if i == 0 and j == 0 else item_x + (0 if j == 0 else 2.5)
                flow.page.add(flow.line(lx, flow.y, st.left + st.cw - lx, st.lh, runs, st.size, "left"))
                flow.y += st.lh
    flow.y += rng.uniform(2, 5)


def paragraph(flow: Flow, p: Para) -> None:
    st = flow.st
    size = st.size + p.size
    lh = size * PT * st.spacing
    flow.y += p.space_before * PT
    if p.align == "center":
        centred_block(flow, p.runs, size, st.cw * 0.92, st.spacing)
        return
    indent = st.indent if p.indent else 0.0
    hang = st.width(p.runs[:1], size) if p.hanging and len(p.runs) > 1 else 0.0
    if hang > st.cw * 0.5:
        hang = 0.0
    rest_x = st.left + (indent + hang if p.hanging else 0.0)
    lines = wrap(p.runs, st.family, size, st.cw - indent, st.left + st.cw - rest_x)
    for i, runs in enumerate(lines):
        flow.need(lh)
        x = st.left + indent if i == 0 else rest_x
        last = i == len(lines) - 1
        align = "left" if last or p.align == "left" else "justify"
        flow.page.add(flow.line(x, flow.y, st.left + st.cw - x, lh, runs, size, align))
        flow.y += lh


def table(flow: Flow, t: Table, rng: random.Random) -> None:
    st = flow.st
    width = st.cw * rng.uniform(0.82, 1.0)
    widths = [f * width for f in t.fractions]
    size = st.size - 1
    while size > 10 and any(
        text_mm(cell, st.family, size, True) > w - 3 for row in t.rows for cell, w in zip(row, widths, strict=True)
    ):
        size -= 0.5
    row_h = size * PT * 1.75
    x = st.left + (st.cw - width) / 2
    flow.y += 2
    pending: list[list[str]] = []
    start_y, head = flow.y, True
    for row in t.rows:
        if flow.y + row_h > 297 - st.bottom:
            flow.page.tables.append(TableBox(x, start_y, widths, row_h, pending, size, head))
            flow.break_page()
            pending, start_y, head = [], flow.y, False
        pending.append(row)
        flow.page.truth.append(" ".join(" ".join(row).split()))
        flow.y += row_h
    flow.page.tables.append(TableBox(x, start_y, widths, row_h, pending, size, head))
    flow.y += 2


def footer(flow: Flow, c: Content, rng: random.Random) -> None:
    """'Nơi nhận' at the bottom left, the signature block at the bottom right, top-aligned."""
    st = flow.st
    flow.y += rng.uniform(3, 7)
    nn_w = st.cw * rng.uniform(0.4, 0.46)
    nn: list[tuple[list[Run], float, float]] = [([Run("Nơi nhận:", bold=True, italic=True)], 12.0, 0.0)]
    for item in c.noi_nhan:
        nn += [
            (runs, 11.0, 0.0 if j == 0 else 2.0)
            for j, runs in enumerate(wrap([Run(item)], st.family, 11.0, nn_w, nn_w - 2))
        ]
    nn_h = sum(s * PT * 1.18 for _, s, _ in nn)
    sig_x = st.left + st.cw * rng.uniform(0.42, 0.5)
    sig_w = st.left + st.cw + rng.uniform(0, 4) - sig_x
    sig_lines = ([c.signer_prefix] if c.signer_prefix else []) + [c.signer_title]
    th = st.size * PT * 1.25
    sig_h = th * len(sig_lines) + st.signature_gap + th
    if flow.y + max(nn_h, sig_h) > PAGE_H - st.bottom:
        carry_over(flow, rng.randint(2, 3))
    y = flow.y
    for runs, size, dx in nn:
        flow.page.add(flow.line(st.left + dx, y, nn_w, size * PT * 1.18, runs, size, "left"))
        y += size * PT * 1.18
    y = flow.y
    titles = []
    for text in sig_lines:
        titles.append(flow.page.add(flow.line(sig_x, y, sig_w, th, [Run(text, bold=True)], st.size, "center")))
        y += th
    name = flow.line(sig_x, y + st.signature_gap, sig_w, th, [Run(c.signer_name, bold=True)], st.size, "center")
    flow.page.add(name)
    page = flow.page
    page.anchors["signer_title"] = _union([t.ink() for t in titles])
    page.anchors["signature_space"] = (sig_x, y, sig_x + sig_w, name.y)
    page.anchors["signer_name"] = name.ink()
    flow.y = max(y + st.signature_gap + th, flow.y + nn_h)


def carry_over(flow: Flow, count: int) -> None:
    """Break the page before the last body lines, so the signature never stands alone on a page."""
    page = flow.page
    tail = page.lines[-count:]
    movable = len(page.lines) > count + 8 and all(not ln.col for ln in tail)
    if not movable or page.truth[-count:] != [ln.text for ln in tail]:
        flow.break_page()
        return
    del page.lines[-count:], page.truth[-count:]
    top = tail[0].y
    flow.break_page()
    for line in tail:
        line.y += flow.y - top
        flow.page.add(line)
    flow.y = tail[-1].y + tail[-1].h + 4.5


def compose(c: Content, st: Style, rng: random.Random) -> tuple[list[Page], list[str]]:
    """Lay the whole document out; returns its pages and the layout variations it exhibits."""
    flow = Flow(st)
    variations = header(flow, c, rng)
    if c.kind == "cong_van":
        recipients(flow, c, rng)
    else:
        title_block(flow, c, rng)
    for block in c.body:
        if isinstance(block, Table):
            table(flow, block, rng)
        else:
            paragraph(flow, block)
    footer(flow, c, rng)
    if len(flow.pages) > 1:
        variations.append("multi_page")
    return flow.pages, variations
