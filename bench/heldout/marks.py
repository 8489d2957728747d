"""Ink added on top of the printed page: signature, seal, handwritten number/day, margin note, received stamp.

Which marks a document gets (and their text) is planned from the document's seed, so the ground truth never
depends on rendering; `apply_marks` then draws them on the rasterised page at the anchors the layout recorded.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from bench.heldout import phrases
from bench.heldout.content import Content
from bench.heldout.hand import BLUE_INKS, apply_ink, hand_line, hand_text, rotate_mask, signature
from bench.heldout.layout import Page
from bench.heldout.stamps import SEAL_RED, STAMP_INKS, received_stamp, seal

RECEIVERS = ["VĂN PHÒNG UBND TỈNH", "SỞ TÀI CHÍNH", "VĂN PHÒNG HĐND VÀ UBND HUYỆN", "UBND XÃ", "PHÒNG NỘI VỤ"]


def plan_marks(c: Content, pages: list[Page], rng: random.Random) -> list[dict]:
    """Decide the marks of a document (type, page, text); drawn later by `apply_marks`."""
    sig_page = next(i for i, p in enumerate(pages) if "signer_title" in p.anchors)
    marks: list[dict] = []
    if rng.random() < 0.96:
        marks.append({"type": "signature", "page": sig_page + 1, "text": ""})
    if rng.random() < 0.9:
        bottom = c.organ.seal_bottom if rng.random() < 0.7 else ""
        text = " ".join(x for x in (c.organ.name, bottom) if x)
        marks.append({"type": "seal", "page": sig_page + 1, "text": text, "ring": c.organ.name, "bottom": bottom})
    if c.handwritten_number:
        marks.append({"type": "handwritten_number", "page": 1, "text": c.code})
    if c.handwritten_day:
        marks.append(
            {
                "type": "handwritten_day",
                "page": 1,
                "text": str(c.date.day) if rng.random() < 0.5 else f"{c.date.day:02d}",
            }
        )
    later = c.date + dt.timedelta(days=rng.randint(1, 6))
    if rng.random() < 0.25:
        note = rng.choice(phrases.MARGIN_NOTES)
        if rng.random() < 0.6:
            note += f" {later.day}/{later.month}"
        where = rng.choice(["top", "top", "left"])
        marks.append({"type": "margin_note", "page": 1, "text": note, "where": where})
    if rng.random() < (0.3 if c.kind == "cong_van" else 0.12):
        fields = {
            "receiver": rng.choice(RECEIVERS),
            "number": str(rng.randint(1, 4999)),
            "date": f"{later.day}/{later.month}/{later.year}",
            "forward": rng.choice(["P.KHTC", "VP", "Đ/c Hùng", "P.QLĐĐ", "Lãnh đạo"]),
        }
        text = f"{fields['receiver']} ĐẾN Số: {fields['number']} Ngày: {fields['date']} Chuyển: {fields['forward']}"
        marks.append({"type": "received_stamp", "page": 1, "text": text, **fields})
    return marks


def mark_variations(marks: list[dict]) -> list[str]:
    names = {"seal": "seal_over_signer", "handwritten_number": "handwritten_number", "margin_note": "margin_note"}
    names |= {"received_stamp": "received_stamp", "handwritten_day": "handwritten_day", "signature": "signature"}
    return [names[m["type"]] for m in marks]


def _line_ink(
    img: np.ndarray, box: tuple[float, float, float, float], text: str, px: float, rng: np.random.Generator
) -> None:
    """Handwrite `text` into a blank left on a printed line (box in mm)."""
    x0, y0, x1, y1 = box
    xh = (y1 - y0) / 1.3 * rng.uniform(0.55, 0.75) * px
    alpha, pen_x, base = hand_line(text, xh, rng)
    baseline = (y0 + (y1 - y0) * 0.74) * px + rng.normal(0, 0.3) * px
    width = alpha.shape[1] - 2 * pen_x
    start = x0 * px + max(0.0, ((x1 - x0) * px - width) / 2) + rng.normal(0, 0.5) * px
    apply_ink(img, alpha, start - pen_x, baseline - base, BLUE_INKS[int(rng.integers(len(BLUE_INKS)))], 0.95)


def apply_marks(img: np.ndarray, page: Page, number: int, marks: list[dict], dpi: float, seed: int) -> None:
    """Draw the planned marks of page `number` (1-based) onto `img` (RGB, rendered at `dpi`)."""
    px = dpi / 25.4
    rng = np.random.default_rng([seed, number])
    ink = BLUE_INKS[int(rng.integers(len(BLUE_INKS)))]
    by_type = {m["type"]: m for m in marks if m["page"] == number}
    if "signature_space" in page.anchors:
        sx0, sy0, sx1, sy1 = page.anchors["signature_space"]
        w, h = rng.uniform(30, 46), (sy1 - sy0) * rng.uniform(0.7, 0.95)
        left = (sx0 + sx1) / 2 + rng.normal(0, 3) - w / 2
        if "signature" in by_type:
            apply_ink(img, signature(w * px, h * px, rng), left * px, (sy0 + (sy1 - sy0 - h) / 2) * px, ink, 0.95)
        if "seal" in by_type:
            diameter = rng.uniform(33, 40)
            cx = left + w / 3 - diameter / 2 + rng.normal(0, 2)
            cy = (sy0 + sy1) / 2 + rng.normal(0, 2)
            alpha = seal(int(diameter * px), by_type["seal"]["ring"], by_type["seal"]["bottom"], rng)
            x, y = cx * px - alpha.shape[1] / 2, cy * px - alpha.shape[0] / 2
            apply_ink(img, alpha, x, y, SEAL_RED, rng.uniform(0.75, 0.92))
    if "handwritten_number" in by_type and "number_blank" in page.anchors:
        _line_ink(img, page.anchors["number_blank"], by_type["handwritten_number"]["text"], px, rng)
    if "handwritten_day" in by_type and "day_blank" in page.anchors:
        _line_ink(img, page.anchors["day_blank"], by_type["handwritten_day"]["text"], px, rng)
    if "margin_note" in by_type:
        _margin_note(img, page, by_type["margin_note"], px, rng)
    if "received_stamp" in by_type and "header" in page.anchors:
        m = by_type["received_stamp"]
        printed, hand, _ = received_stamp(px, m["receiver"], m["number"], m["date"], m["forward"], rng)
        angle = rng.normal(0, 2.0)
        printed, hand = rotate_mask(printed, angle), rotate_mask(hand, angle)
        if "right_free" in page.anchors and rng.random() < 0.7:  # the blank under the date line
            rx0, ry0, rx1, _ = page.anchors["right_free"]
            x, y = (rx0 + rng.uniform(2, max(3, rx1 - rx0 - 50))) * px, (ry0 + rng.uniform(0.5, 3)) * px
        else:  # the top-left corner, over the margin and the start of the header
            x, y = rng.uniform(3, 10) * px, rng.uniform(2, 6) * px
        apply_ink(img, printed, x, y, STAMP_INKS[int(rng.integers(len(STAMP_INKS)))], rng.uniform(0.7, 0.9))
        apply_ink(img, hand, x, y, ink, 0.95)


def _margin_note(img: np.ndarray, page: Page, mark: dict, px: float, rng: np.random.Generator) -> None:
    hx0, hy0, hx1, _ = page.anchors.get("header", (30.0, 20.0, 195.0, 60.0))
    alpha = hand_text(mark["text"], rng.uniform(2.2, 3.0) * px, rng)
    if mark.get("where") == "left":
        alpha = rotate_mask(alpha, 90 + rng.normal(0, 4))
        x = rng.uniform(3, max(4.0, hx0 - 3 - alpha.shape[1] / px)) * px
        y = rng.uniform(70, 140) * px
    else:
        alpha = rotate_mask(alpha, rng.normal(3, 3))
        x = (hx0 + rng.uniform(10, max(11.0, hx1 - hx0 - alpha.shape[1] / px))) * px
        y = max(1.0, hy0 - 2 - alpha.shape[0] / px) * px
    apply_ink(img, alpha, x, y, BLUE_INKS[int(rng.integers(len(BLUE_INKS)))], 0.95)
