"""Công văn (official letters): content, the "V/v" subject under the number, the "Kính gửi" list.

A công văn has no type title: its subject ("V/v …", smaller type, one to three
lines) sits under "Số: 123/SGDĐT-VP" in the left header column, and a
"Kính gửi: …" line (or a list of "- …" lines) comes before the body.  The
truth keeps ``type_name`` = "CÔNG VĂN" and ``subject`` = the V/v text as printed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date, timedelta

from samples.content import Content, Para, cycle_pool, doc_number, recipients, signer_for
from samples.layout import Line, Pen, centred, wrap
from samples.organs import Organ
from samples.vocab import date_slash

LETTER_TYPE = "CÔNG VĂN"
GENERAL_ITEMS = [
    "Chỉ đạo các đơn vị trực thuộc quán triệt, triển khai thực hiện nghiêm túc nội dung Công văn này.",
    "Phân công lãnh đạo phụ trách, bố trí cán bộ đầu mối theo dõi, tổng hợp và báo cáo kết quả thực hiện.",
    "Thường xuyên kiểm tra, đôn đốc; kịp thời báo cáo những khó khăn, vướng mắc phát sinh để xem xét, giải quyết.",
    "Gửi báo cáo bằng văn bản và bản điện tử qua Hệ thống quản lý văn bản và điều hành đúng thời hạn quy định.",
    "Bố trí kinh phí từ nguồn ngân sách được giao năm nay để thực hiện các nhiệm vụ nêu trên.",
    "Phối hợp chặt chẽ với các cơ quan, đơn vị có liên quan trong quá trình tổ chức thực hiện.",
]


def _topics(rng: random.Random, organ: Organ, issued: date) -> list[tuple[str, str]]:
    """(subject, opening paragraph) pairs; subjects run from a few words to three lines."""
    loc, year = organ.locale, issued.year
    source = issued - timedelta(days=rng.randint(5, 40))
    ref = f"Công văn số {rng.randint(120, 4800)}/UBND-VX ngày {date_slash(source)} của UBND tỉnh {loc.province}"
    return [
        ("V/v đăng ký nhu cầu kinh phí", f"Thực hiện {ref} về việc lập dự toán ngân sách năm {year + 1};"),
        (
            "V/v rà soát, cập nhật hồ sơ địa chính",
            f"Thực hiện {ref} về việc chấn chỉnh công tác quản lý hồ sơ địa chính trên địa bàn;",
        ),
        (
            f"V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn năm {year}",
            f"Thực hiện {ref} về việc chủ động ứng phó với mưa lớn, lũ quét, sạt lở đất;",
        ),
        (
            f"V/v cử cán bộ tham dự lớp tập huấn nghiệp vụ văn thư, lưu trữ năm {year}",
            f"Căn cứ Kế hoạch số {rng.randint(15, 320)}/KH-SNV ngày {date_slash(source)} của Sở Nội vụ tỉnh "
            f"{loc.province} về việc bồi dưỡng nghiệp vụ văn thư, lưu trữ;",
        ),
        (
            f"V/v báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm {year}",
            f"Để có cơ sở tổng hợp, báo cáo UBND tỉnh {loc.province} theo quy định;",
        ),
        (
            f"V/v góp ý dự thảo Quyết định ban hành Quy chế quản lý, sử dụng chữ ký số trong cơ quan nhà nước "
            f"trên địa bàn tỉnh {loc.province}",
            f"Thực hiện {ref} về việc xây dựng văn bản quy phạm pháp luật năm {year};",
        ),
    ]


ADDRESSEES = [
    "- Các phòng, ban chuyên môn thuộc UBND huyện;",
    "- Ủy ban nhân dân các xã, thị trấn;",
    "- Các sở, ban, ngành tỉnh;",
    "- Văn phòng HĐND và UBND huyện;",
    "- Các trường Trung học phổ thông;",
    "- Phòng Tài chính - Kế hoạch;",
]


def _addressees(rng: random.Random, organ: Organ) -> list[str]:
    if rng.random() < 0.45:
        return [rng.choice([f"Ủy ban nhân dân tỉnh {organ.locale.province}.", "Ủy ban nhân dân các xã, thị trấn."])]
    items = rng.sample(ADDRESSEES, rng.randint(2, 4))
    return [*items[:-1], items[-1].removesuffix(";") + "."]


def build_letter(rng: random.Random, organ: Organ, issued: date) -> Content:
    """CÔNG VĂN: subject "V/v …" under the number, "Kính gửi" list, opening, numbered requests."""
    subject, opening = rng.choice(_topics(rng, organ, issued))
    asked = f"{organ.proper} đề nghị các cơ quan, đơn vị quan tâm, triển khai thực hiện một số nội dung sau:"
    draw, counter = cycle_pool(rng, GENERAL_ITEMS), itertools.count(1)
    more: Callable[[], Para] = lambda: Para(f"{next(counter)}. {draw()}")  # noqa: E731
    body = [Para(opening), Para(asked), *(more() for _ in range(rng.randint(2, 3)))]
    more_at = len(body)
    deadline = issued + timedelta(days=rng.randint(7, 30))
    body += [
        Para(
            f"Báo cáo kết quả thực hiện gửi về {organ.proper} trước ngày {date_slash(deadline)} để tổng hợp.",
            optional=True,
        ),
        Para("Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./."),
    ]
    return Content(
        kind="official_letter",
        organ=organ,
        number=doc_number(rng, organ.level == "department"),
        notation=f"{organ.abbr}-{organ.unit}",
        issued=issued,
        type_name=LETTER_TYPE,
        subject=subject,
        body=body,
        more=more,
        more_at=more_at,
        recipients=recipients(rng, organ, ["- Như trên;"]),
        signer=signer_for(rng, organ, organ.locale),
        letter=True,
        addressees=_addressees(rng, organ),
    )


# ----------------------------------------------------------------------------- layout


def subject_lines(pen: Pen, content: Content, pt: float, x0: int, width: int) -> list[Line]:
    """The "V/v …" subject under the number, centred in the left header column."""
    if not content.subject:
        return []
    return centred(pen, content.subject, "regular", pt, x0 + pen.px(3), width - pen.px(6), before=pen.px(1))


def addressee_lines(pen: Pen, addressees: list[str], pt: float, left: int, right: int, before: int) -> list[Line]:
    """ "Kính gửi: X." centred, or "Kính gửi:" followed by "- …" items aligned under the first."""
    label = [("Kính", "regular"), ("gửi:", "regular")]
    label_w = pen.width("Kính gửi:", "regular", pt) + pen.width(" ", "regular", pt)
    if len(addressees) == 1:
        words = [*label, *((word, "regular") for word in addressees[0].split())]
        rows = wrap(pen, words, pt, right - left - pen.px(10))
        return [
            Line(row, pt, left, right - left, "center", before=before if i == 0 else 0, spacing=1.2)
            for i, row in enumerate(rows)
        ]
    widest = max(pen.width(item, "regular", pt) for item in addressees)
    block = label_w + widest
    x_label = left + max(pen.px(12), round((right - left - block) / 2))
    x_item = round(x_label + label_w)
    lines: list[Line] = []
    for item in addressees:
        rows = wrap(pen, [(word, "regular") for word in item.split()], pt, right - x_item)
        for row in rows:
            if not lines:
                lines.append(Line([*label, *row], pt, x_label, right - x_label, before=before, spacing=1.2))
            else:
                lines.append(Line(row, pt, x_item, right - x_item, spacing=1.2))
    return lines
