"""The content model of a document (:class:`Content`, :class:`Para`) and shared helpers.

A :class:`Content` holds everything printed on a document before layout: header
facts, title, body paragraphs, recipients and signer.  Every kind also supplies
``more``: a factory for one more list item, used to make documents longer
(multi-page) without repeating whole paragraphs.  The kinds themselves are in
:mod:`samples.orders` and :mod:`samples.civil`; :mod:`samples.documents` dispatches.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from samples.organs import Organ
from samples.vocab import (
    PROVINCES,
    Locale,
    Person,
    citizen_id,
    date_slash,
    decimal_vi,
    old_id,
    pick_locale,
    pick_person,
)

ISSUE_START, ISSUE_END = date(2021, 1, 4), date(2025, 6, 30)


@dataclass
class Para:
    """One paragraph of the body."""

    text: str
    style: str = "regular"  # regular | bold | italic | bold_italic
    align: str = "justify"  # justify | left | center
    indent: bool = True  # first-line indent
    lead: int = 0  # number of leading words drawn in bold ("Điều 1.")
    optional: bool = False  # may be dropped to fit a single page


@dataclass
class Content:
    """Everything printed on a document, before layout."""

    kind: str
    organ: Organ
    number: str  # "05", "2623"
    notation: str  # "QĐ-UBND", "GPXD"
    issued: date
    type_name: str
    subject: str | None
    body: list[Para]
    more: Callable[[], Para]
    more_at: int
    recipients: list[str]
    signer: tuple[str | None, str, str]  # prefix, title, name
    authority: str | None = None
    holder_name: str | None = None
    holder_id: str | None = None
    valid_until: date | None = None
    holder: Person | None = None  # the person named in holder_name, when there is one
    letter: bool = False  # công văn layout: "V/v" under the number, "Kính gửi" before the body, no title
    addressees: list[str] = field(default_factory=list)  # công văn: the "Kính gửi" list


# ----------------------------------------------------------------------------- helpers


def doc_number(rng: random.Random, sector: bool) -> str:
    """A register number; below 10 it gets a leading zero ('05')."""
    if sector:
        return str(rng.randint(100, 4999))
    value = rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 2999)])
    return f"{value:02d}"


def signer_for(rng: random.Random, organ: Organ, home: Locale) -> tuple[str | None, str, str]:
    """Prefix line, title and name of the person who signs."""
    prefix, title = rng.choice(organ.signers)
    return prefix, title, pick_person(rng, home, born_range=(1962, 1985)).name


def recipients(rng: random.Random, organ: Organ, first: list[str]) -> list[str]:
    """The 'Nơi nhận' list: given first lines, 1-2 usual addressees, the archive line."""
    loc = organ.locale
    pool = {
        "province": ["- Văn phòng Chính phủ;", "- TT Tỉnh ủy, TT HĐND tỉnh;", "- Chủ tịch, các PCT UBND tỉnh;"],
        "district": [
            "- TT Huyện ủy, TT HĐND huyện;",
            "- Chủ tịch, các PCT UBND huyện;",
            f"- UBND tỉnh {loc.province} (để b/c);",
        ],
        "commune": [
            "- TT Đảng ủy, TT HĐND xã;",
            f"- UBND huyện {loc.district} (để b/c);",
            "- Chủ tịch, các PCT UBND xã;",
        ],
        "department": [
            f"- UBND tỉnh {loc.province} (để b/c);",
            "- Giám đốc, các PGĐ Sở;",
            "- Các phòng, đơn vị thuộc Sở;",
        ],
        "office": [f"- UBND huyện {loc.district} (để b/c);", "- Lãnh đạo phòng;", f"- UBND xã {loc.commune};"],
    }[organ.level]
    extra = rng.sample(pool, rng.randint(1, 2))
    return [*first, *extra, f"- Lưu: VT, {organ.unit}."]


def cycle_pool(rng: random.Random, pool: list[str]) -> Callable[[], str]:
    """Draw items from ``pool`` without repetition until it is exhausted, then reshuffle."""
    state: list[str] = []

    def draw() -> str:
        if not state:
            state.extend(rng.sample(pool, len(pool)))
        return state.pop()

    return draw


def plot_items(rng: random.Random, loc: Locale, start: int = 1) -> Callable[[], Para]:
    """Numbered household/land-plot items: '1. Hộ ông …, thửa đất số …'."""
    counter = itertools.count(start)
    sheet = rng.randint(3, 40)

    def make() -> Para:
        person = pick_person(rng, loc)
        area = decimal_vi(rng.uniform(35, 420))
        return Para(
            f"{next(counter)}. Hộ {person.honorific.lower()} {person.name}, "
            f"thửa đất số {rng.randint(12, 980)}, tờ bản đồ số {sheet}, "
            f"diện tích {area} m2, {rng.choice(LAND_USES)};"
        )

    return make


LAND_USES = [
    "đất trồng lúa",
    "đất ở tại nông thôn",
    "đất trồng cây hằng năm khác",
    "đất trồng cây lâu năm",
    "đất nuôi trồng thủy sản",
]


def residence_items(rng: random.Random, person: Person, until: date) -> Callable[[], Para]:
    """Residence periods going back in time: '- Từ ngày … đến ngày …: <address>;'."""
    end = [until]

    def make() -> Para:
        start = end[0] - timedelta(days=rng.randint(400, 2500))
        where = pick_locale(rng, person.home.province if rng.random() < 0.6 else None)
        text = f"- Từ ngày {date_slash(start)} đến ngày {date_slash(end[0])}: {where.address()};"
        end[0] = start - timedelta(days=1)
        return Para(text)

    return make


def identity_line(rng: random.Random, person: Person, prefix: str = "") -> tuple[str, str]:
    """'Số định danh cá nhân: 037085001234' (sometimes an old 9-digit CMND) and the number."""
    if rng.random() < 0.2:
        number = old_id(rng)
        return f"{prefix}Số CMND: {number}", number
    number = citizen_id(rng, person)
    return f"{prefix}Số định danh cá nhân: {number}", number


def basis_law(rng: random.Random) -> Para:
    """The usual first legal basis of a decision or notice (italic)."""
    text = rng.choice(
        [
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa "
            "đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền "
            "địa phương ngày 22 tháng 11 năm 2019;",
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        ]
    )
    return Para(text, style="italic")


def project_name(rng: random.Random, loc: Locale) -> str:
    """A plausible local public-works project."""
    other = rng.choice([c for c in district_communes(loc) if c != loc.commune] or [loc.commune])
    return rng.choice(
        [
            f"cải tạo, nâng cấp đường giao thông liên xã {loc.commune} - {other}",
            f"xây dựng Trường Mầm non xã {loc.commune}",
            f"mở rộng khu dân cư {loc.village_lc}, xã {loc.commune}",
            f"xây dựng trạm bơm tiêu úng xã {loc.commune}",
        ]
    )


def district_communes(loc: Locale) -> list[str]:
    """The communes of the locale's district."""
    return PROVINCES[loc.province][1][loc.district]
