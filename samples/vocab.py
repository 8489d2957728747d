"""Word lists and small random helpers for the synthetic documents.

Names, places, dates and identity numbers are drawn from fixed Vietnamese lists
with a caller-supplied :class:`random.Random`, so every document is reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# province -> (citizen-ID province code, {district: [communes]})
PROVINCES: dict[str, tuple[str, dict[str, list[str]]]] = {
    "Ninh Bình": (
        "037",
        {
            "Gia Viễn": ["Gia Hòa", "Gia Vân", "Gia Thịnh", "Gia Phong"],
            "Hoa Lư": ["Ninh Hải", "Trường Yên", "Ninh Giang"],
            "Kim Sơn": ["Kim Chính", "Như Hòa", "Yên Lộc"],
            "Yên Mô": ["Yên Thắng", "Yên Từ", "Mai Sơn"],
        },
    ),
    "Nam Định": (
        "036",
        {
            "Ý Yên": ["Yên Khánh", "Yên Phong", "Yên Cường"],
            "Hải Hậu": ["Hải Anh", "Hải Minh", "Hải Đường"],
            "Giao Thủy": ["Giao Thiện", "Giao Lạc", "Hồng Thuận"],
        },
    ),
    "Thanh Hóa": (
        "038",
        {
            "Hoằng Hóa": ["Hoằng Đạt", "Hoằng Lộc", "Hoằng Thanh"],
            "Quảng Xương": ["Quảng Nhân", "Quảng Hợp", "Quảng Ninh"],
            "Nga Sơn": ["Nga Thạch", "Nga Điền", "Nga Liên"],
        },
    ),
    "Hà Nam": (
        "035",
        {
            "Kim Bảng": ["Nhật Tân", "Khả Phong", "Thụy Lôi"],
            "Thanh Liêm": ["Thanh Hà", "Liêm Phong", "Thanh Nguyên"],
        },
    ),
    "Thái Bình": (
        "034",
        {
            "Vũ Thư": ["Tân Hòa", "Việt Hùng", "Song Lãng"],
            "Kiến Xương": ["Vũ Lễ", "Quang Trung", "Bình Nguyên"],
        },
    ),
    "Nghệ An": (
        "040",
        {
            "Diễn Châu": ["Diễn Kỷ", "Diễn Hồng", "Diễn Thành"],
            "Yên Thành": ["Hợp Thành", "Bảo Thành", "Đức Thành"],
        },
    ),
    "Bắc Ninh": (
        "027",
        {
            "Tiên Du": ["Liên Bão", "Phú Lâm", "Hiên Vân"],
            "Quế Võ": ["Phượng Mao", "Bằng An", "Việt Hùng"],
        },
    ),
}
VILLAGES = [
    "Thôn Đông",
    "Thôn Trung",
    "Thôn Thượng",
    "Thôn Hạ",
    "Xóm 3",
    "Xóm 5",
    "Thôn Vân Long",
    "Thôn Tân Thành",
    "Thôn Phú Lộc",
    "Thôn Đồng Tâm",
    "Thôn Bắc Sơn",
    "Xóm Mới",
    "Thôn An Phú",
    "Thôn Hòa Bình",
]
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Đinh",
    "Phan",
    "Trịnh",
    "Lương",
    "Mai",
    "Hà",
    "Tạ",
]
MIDDLE = {
    "Nam": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Đình", "Ngọc"],
    "Nữ": ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Thị Thu"],
}
GIVEN = {
    "Nam": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hùng",
        "Hải",
        "Long",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Tuấn",
        "Thắng",
        "Trung",
        "Việt",
        "Khánh",
        "Đạt",
        "Huy",
    ],
    "Nữ": [
        "Hoa",
        "Lan",
        "Hương",
        "Mai",
        "Linh",
        "Hằng",
        "Nga",
        "Thảo",
        "Trang",
        "Yến",
        "Phương",
        "Huyền",
        "Dung",
        "Ngân",
        "Vân",
        "Oanh",
    ],
}


@dataclass(frozen=True)
class Locale:
    """A commune with its district and province."""

    province: str
    code: str
    district: str
    commune: str
    village: str

    def address(self) -> str:
        """Full address, e.g. 'Thôn Đông, xã Gia Hòa, huyện Gia Viễn, tỉnh Ninh Bình'."""
        return f"{self.village}, xã {self.commune}, huyện {self.district}, tỉnh {self.province}"

    @property
    def village_lc(self) -> str:
        """The village inside a sentence: 'thôn Đồng Tâm'."""
        head, _, rest = self.village.partition(" ")
        return f"{head.lower()} {rest}"

    def commune_address(self) -> str:
        """Address without the village."""
        return f"xã {self.commune}, huyện {self.district}, tỉnh {self.province}"


@dataclass(frozen=True)
class Person:
    """A citizen: name in title case, sex ('Nam'/'Nữ'), birth date, home locale."""

    name: str
    sex: str
    born: date
    home: Locale

    @property
    def upper(self) -> str:
        """The name in capitals, as printed on certificates."""
        return self.name.upper()

    @property
    def honorific(self) -> str:
        """'Ông' or 'Bà'."""
        return "Ông" if self.sex == "Nam" else "Bà"


def pick_locale(rng: random.Random, province: str | None = None) -> Locale:
    """A random commune, optionally inside a given province."""
    province = province or rng.choice(sorted(PROVINCES))
    code, districts = PROVINCES[province]
    district = rng.choice(sorted(districts))
    return Locale(province, code, district, rng.choice(districts[district]), rng.choice(VILLAGES))


def pick_person(
    rng: random.Random, home: Locale | None = None, sex: str | None = None, born_range: tuple[int, int] = (1950, 2004)
) -> Person:
    """A random person living in ``home`` (or a random commune)."""
    sex = sex or rng.choice(["Nam", "Nữ"])
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    born = date(rng.randint(*born_range), 1, 1) + timedelta(days=rng.randrange(365))
    return Person(name, sex, born, home or pick_locale(rng))


def citizen_id(rng: random.Random, person: Person) -> str:
    """A 12-digit personal identification number (số định danh cá nhân).

    Province code (3 digits), century/sex digit, 2-digit birth year, 6 random digits.
    """
    century = 0 if person.born.year < 2000 else 2
    sex_digit = century + (0 if person.sex == "Nam" else 1)
    return f"{person.home.code}{sex_digit}{person.born.year % 100:02d}{rng.randrange(10**6):06d}"


def old_id(rng: random.Random) -> str:
    """An old 9-digit identity card number (CMND)."""
    return f"{rng.choice(['16', '17', '03', '12', '18'])}{rng.randrange(10**7):07d}"


def date_words(d: date) -> str:
    """'ngày 05 tháng 01 năm 2024'."""
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def date_slash(d: date) -> str:
    """'05/01/2024'."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random date in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def decimal_vi(value: float, digits: int = 1) -> str:
    """A number with the Vietnamese decimal comma: 85.5 -> '85,5'."""
    return f"{value:.{digits}f}".replace(".", ",")
