# ruff: noqa: E501
"""Places, agencies, people and numbers for the held-out generator (written independently of the pipeline)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

# province -> (ID code prefix, {district: (kind, [communes])})
PROVINCES: dict[str, tuple[str, dict[str, tuple[str, list[str]]]]] = {
    "Ninh Bình": (
        "037",
        {
            "Yên Khánh": ("huyện", ["Khánh Hòa", "Khánh Phú", "Khánh An", "Khánh Cư", "Khánh Thiện", "Khánh Lợi"]),
            "Kim Sơn": ("huyện", ["Kim Đông", "Kim Hải", "Như Hòa", "Lai Thành", "Kim Chính"]),
            "Gia Viễn": ("huyện", ["Gia Hòa", "Gia Vân", "Gia Trấn", "Gia Phương"]),
            "Nho Quan": ("huyện", ["Gia Lâm", "Cúc Phương", "Phú Long", "Sơn Hà"]),
            "Yên Mô": ("huyện", ["Yên Thái", "Yên Phong", "Yên Từ", "Yên Lâm"]),
            "Tam Điệp": ("thành phố", ["Bắc Sơn", "Trung Sơn", "Quang Sơn", "Yên Sơn"]),
        },
    ),
    "Nam Định": (
        "036",
        {
            "Hải Hậu": ("huyện", ["Hải Đông", "Hải Lý", "Hải Minh", "Hải Quang"]),
            "Giao Thủy": ("huyện", ["Giao Lạc", "Giao Hải", "Giao Thịnh"]),
            "Ý Yên": ("huyện", ["Yên Thọ", "Yên Bằng", "Yên Khánh"]),
        },
    ),
    "Thanh Hóa": (
        "038",
        {
            "Hoằng Hóa": ("huyện", ["Hoằng Đạo", "Hoằng Thắng", "Hoằng Phong"]),
            "Nga Sơn": ("huyện", ["Nga Điền", "Nga Thạch", "Nga Liên"]),
            "Thọ Xuân": ("huyện", ["Xuân Lập", "Thọ Lập", "Xuân Tín"]),
        },
    ),
    "Thái Bình": (
        "034",
        {
            "Tiền Hải": ("huyện", ["Nam Thịnh", "Đông Trà", "Tây Giang"]),
            "Kiến Xương": ("huyện", ["Bình Thanh", "Quang Bình", "Vũ Ninh"]),
        },
    ),
    "Hà Nam": ("035", {"Lý Nhân": ("huyện", ["Nhân Thịnh", "Chân Lý", "Đạo Lý"])}),
    "Nghệ An": ("040", {"Diễn Châu": ("huyện", ["Diễn Hải", "Diễn Kim", "Diễn Thành"])}),
    "Hải Dương": ("030", {"Gia Lộc": ("huyện", ["Gia Tân", "Yết Kiêu", "Đoàn Thượng"])}),
}

VILLAGES = ["thôn Yên Lạc", "xóm 3", "thôn Đông", "xóm Trung", "thôn Bắc Sơn", "xóm 7", "thôn Phú Hậu", "thôn Tân Mỹ"]
SURNAMES = [
    "Nguyễn",
    "Nguyễn",
    "Nguyễn",
    "Trần",
    "Lê",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Đinh",
    "Đoàn",
    "Trịnh",
    "Mai",
    "Tạ",
    "Lương",
    "Phan",
]
MALE_MID = ["Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Công", "Đình"]
FEMALE_MID = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Minh", "Thúy"]
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hùng",
    "Hải",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Việt",
    "Trường",
    "Hiếu",
    "Toàn",
    "Lộc",
]
FEMALE_GIVEN = [
    "Hoa",
    "Lan",
    "Mai",
    "Hương",
    "Hằng",
    "Linh",
    "Ngọc",
    "Phương",
    "Thảo",
    "Trang",
    "Yến",
    "Nhung",
    "Huyền",
    "Oanh",
    "Hạnh",
    "Duyên",
    "Loan",
]


@dataclass(frozen=True)
class Person:
    """A citizen or an official."""

    name: str
    male: bool
    born: dt.date
    pid: str  # 12-digit personal identification number
    address: str

    @property
    def honorific(self) -> str:
        return "Ông" if self.male else "Bà"


@dataclass
class Organ:
    """An issuing agency with everything needed to write its documents."""

    name: str  # capitals, as printed
    parent: str | None
    formal: str  # "Sở Giáo dục và Đào tạo"
    short: str  # "Sở", "UBND huyện"
    abbr: str  # notation abbreviation "SGDĐT"
    units: list[str]
    domain: str
    level: str
    place: str
    province: str
    district: str
    commune: str
    head: str  # "GIÁM ĐỐC"
    deputy: str  # "PHÓ GIÁM ĐỐC"
    collective: str | None = None  # "ỦY BAN NHÂN DÂN" for "TM." blocks
    chief_of_office: str = "CHÁNH VĂN PHÒNG"
    seal_bottom: str = ""
    recipients: list[str] = field(default_factory=list)


def pick_area(rng: random.Random) -> tuple[str, str, str, str]:
    """(province, district, district kind, commune)."""
    province = rng.choice(list(PROVINCES))
    district = rng.choice(list(PROVINCES[province][1]))
    kind, communes = PROVINCES[province][1][district]
    return province, district, kind, rng.choice(communes)


def make_person(rng: random.Random, province: str, district: str, commune: str, adult_from: int = 1950) -> Person:
    male = rng.random() < 0.5
    name = " ".join(
        [
            rng.choice(SURNAMES),
            rng.choice(MALE_MID if male else FEMALE_MID),
            rng.choice(MALE_GIVEN if male else FEMALE_GIVEN),
        ]
    )
    born = dt.date(rng.randint(adult_from, 2002), rng.randint(1, 12), rng.randint(1, 28))
    code = PROVINCES.get(province, ("001", {}))[0]
    century = 0 if born.year < 2000 else 2
    pid = f"{code}{century + (0 if male else 1)}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    kind = PROVINCES[province][1][district][0] if province in PROVINCES else "huyện"
    address = f"{rng.choice(VILLAGES)}, xã {commune}, {kind} {district}, tỉnh {province}"
    return Person(name, male, born, pid, address)


def official_name(rng: random.Random) -> str:
    return make_person(rng, "Ninh Bình", "Yên Khánh", "Khánh Hòa").name


_SO = [
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Sở Giáo dục và Đào tạo", "SGDĐT", ["VP", "KHTC", "GDTrH", "TCCB"], "gd"),
    ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Sở Tài nguyên và Môi trường", "STNMT", ["VP", "QLĐĐ", "MT"], "tnmt"),
    ("SỞ XÂY DỰNG", "Sở Xây dựng", "SXD", ["VP", "QLXD", "QHKT"], "xd"),
    ("SỞ Y TẾ", "Sở Y tế", "SYT", ["VP", "NVY", "KHTC"], "yt"),
    ("SỞ TÀI CHÍNH", "Sở Tài chính", "STC", ["QLNS", "TCĐT", "VP"], "tc"),
    ("SỞ TƯ PHÁP", "Sở Tư pháp", "STP", ["VP", "HCTP", "PBGDPL"], "tp"),
    ("SỞ NỘI VỤ", "Sở Nội vụ", "SNV", ["VP", "CCVC", "TCBC"], "nv"),
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", ["VP", "BTXH"], "ldtbxh"),
    ("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "Sở Kế hoạch và Đầu tư", "SKHĐT", ["VP", "ĐKKD", "TH"], "tc"),
]
_PHONG = [
    ("PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Phòng Tài nguyên và Môi trường", "TNMT", "tnmt"),
    ("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "Phòng Giáo dục và Đào tạo", "GDĐT", "gd"),
    ("PHÒNG KINH TẾ VÀ HẠ TẦNG", "Phòng Kinh tế và Hạ tầng", "KT&HT", "xd"),
    ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "Phòng Tài chính - Kế hoạch", "TCKH", "tc"),
    ("PHÒNG TƯ PHÁP", "Phòng Tư pháp", "TP", "tp"),
    ("PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Phòng Lao động - Thương binh và Xã hội", "LĐTBXH", "ldtbxh"),
]
_BO = [
    ("BỘ TÀI CHÍNH", "Bộ Tài chính", "BTC", ["NSNN", "HCSN", "TCNH"], "tc"),
    ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "Bộ Giáo dục và Đào tạo", "BGDĐT", ["GDTrH", "GDTH", "NGCBQLGD"], "gd"),
    ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Bộ Tài nguyên và Môi trường", "BTNMT", ["QLĐĐ", "MT", "PC"], "tnmt"),
    ("BỘ Y TẾ", "Bộ Y tế", "BYT", ["DP", "KCB", "KH-TC"], "yt"),
]


# level -> (name, parent, formal, short, abbr, units, head, deputy, collective?, seal bottom, recipients "a|b|c")
_LEVELS: dict[str, tuple[str, str, str, str, str, str, str, str, bool, str, str]] = {
    "so": ("{so}", "UBND {TINH}", "{so_formal}", "Sở", "{so_abbr}", "", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", False, "T. {P}",
           "Ủy ban nhân dân các huyện, thành phố;|Các sở, ban, ngành thuộc tỉnh;|Các đơn vị trực thuộc Sở."),
    "tinh": ("ỦY BAN NHÂN DÂN {TINH}", "", "Ủy ban nhân dân tỉnh {p}", "UBND tỉnh", "UBND", "VP KT NC VX", "CHỦ TỊCH",
             "PHÓ CHỦ TỊCH", True, "T. {P}",
             "Các sở, ban, ngành thuộc tỉnh;|Ủy ban nhân dân các huyện, thành phố;|Các cơ quan Trung ương đóng trên địa bàn tỉnh."),
    "huyen": ("ỦY BAN NHÂN DÂN {HUYEN}", "", "Ủy ban nhân dân {k} {d}", "UBND {k}", "UBND", "VP TNMT KT NV", "CHỦ TỊCH",
              "PHÓ CHỦ TỊCH", True, "T. {P}",
              "Các phòng, ban, ngành thuộc {k};|Ủy ban nhân dân các xã, thị trấn;|Các trường học trên địa bàn."),
    "phong": ("{so}", "UBND {HUYEN}", "{so_formal}", "Phòng", "{so_abbr}", "VP", "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
              False, "{D}", "Ủy ban nhân dân các xã, thị trấn;|Các cơ quan, đơn vị có liên quan."),
    "xa": ("ỦY BAN NHÂN DÂN XÃ {C}", "UBND {HUYEN}", "Ủy ban nhân dân xã {c}", "UBND xã", "UBND", "VP", "CHỦ TỊCH",
           "PHÓ CHỦ TỊCH", True, "H. {D}", "Các thôn, xóm trên địa bàn xã;|Các ban, ngành, đoàn thể xã."),
    "ca": ("CÔNG AN {HUYEN}", "CÔNG AN {TINH}", "Công an {k} {d}", "Công an {k}", "CAH", "TH ĐCSTTTXH QLHC",
           "TRƯỞNG CÔNG AN", "PHÓ TRƯỞNG CÔNG AN", False, "T. {P}",
           "Công an các xã, thị trấn;|Các đội nghiệp vụ thuộc Công an huyện."),
    "bo": ("{so}", "", "{so_formal}", "Bộ", "{so_abbr}", "", "BỘ TRƯỞNG", "THỨ TRƯỞNG", False, "",
           "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ;|Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương."),
}  # fmt: skip
_PLACE = {"so": "p", "tinh": "p", "huyen": "d", "phong": "d", "xa": "c", "ca": "d", "bo": "Hà Nội"}
_DOMAINS = {
    "tinh": ["general", "tnmt", "yt", "gd"],
    "huyen": ["general", "tnmt", "xd", "ldtbxh"],
    "xa": ["general", "tp"],
}


def make_organ(rng: random.Random, level: str | None = None, domain: str | None = None) -> Organ:
    """Pick a realistic issuing agency; `level` in so/tinh/huyen/phong/xa/ca/bo; `domain` restricts the field."""
    province, district, dkind, commune = pick_area(rng)
    if level is None:
        level = rng.choices(list(_LEVELS), [30, 8, 22, 18, 12, 6, 4])[0]
    if level == "bo":
        province, district, commune = "Hà Nội", "", ""
    so, so_formal, so_abbr, units, dom = "", "", "", "", domain or rng.choice(_DOMAINS.get(level, ["ca"]))
    if level in ("so", "bo"):
        table = _SO if level == "so" else _BO
        so, so_formal, so_abbr, unit_list, dom = rng.choice([s for s in table if domain in (None, s[4])] or table)
        units = " ".join(unit_list)
    elif level == "phong":
        so, so_formal, so_abbr, dom = rng.choice([p for p in _PHONG if domain in (None, p[3])] or _PHONG)
    name, parent, formal, short, abbr, unit_s, head, deputy, collective, seal_bottom, recipients = _LEVELS[level]
    values = {
        "so": so, "so_formal": so_formal, "so_abbr": so_abbr, "p": province, "P": province.upper(),
        "TINH": f"TỈNH {province.upper()}", "HUYEN": f"{dkind.upper()} {district.upper()}", "k": dkind,
        "d": district, "D": district.upper(), "c": commune, "C": commune.upper(),
    }  # fmt: skip
    place = values.get(_PLACE[level], _PLACE[level])
    parent_text = parent.format(**values) or None
    if level == "xa" and rng.random() < 0.5:
        parent_text = None
    return Organ(
        name=name.format(**values),
        parent=parent_text,
        formal=formal.format(**values),
        short=short.format(**values),
        abbr=abbr.format(**values),
        units=(unit_s or units or "VP").split(),
        domain=dom if level != "ca" else "ca",
        level=level,
        place=place,
        province=province,
        district=district,
        commune=commune,
        head=head,
        deputy=deputy,
        collective="ỦY BAN NHÂN DÂN" if collective else None,
        seal_bottom=seal_bottom.format(**values),
        recipients=recipients.format(**values).split("|"),
    )


def signer_lines(rng: random.Random, organ: Organ, kind: str) -> tuple[str | None, str]:
    """(authority prefix line or None, title line) as printed in the signature block."""
    deputy = rng.random() < 0.55
    if organ.collective and kind in ("cong_van", "thong_bao") and rng.random() < 0.4:
        return f"TM. {organ.collective}", organ.head
    if organ.level in ("so", "tinh") and rng.random() < 0.12:
        return f"TL. {organ.head}", rng.choice(["CHÁNH VĂN PHÒNG", "Q. CHÁNH VĂN PHÒNG"])
    if organ.level in ("tinh", "huyen") and rng.random() < 0.08:
        return f"TUQ. {organ.head}", "CHÁNH VĂN PHÒNG"
    if deputy:
        return f"KT. {organ.head}", organ.deputy
    if rng.random() < 0.08 and organ.level in ("so", "phong"):
        return None, f"Q. {organ.head}"
    return None, organ.head


def random_date(rng: random.Random) -> dt.date:
    """An issue date between Decree 30's entry into force and the mid-2025 reorganisation."""
    start, end = dt.date(2020, 3, 10), dt.date(2025, 6, 25)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def day_str(day: int) -> str:
    return f"{day:02d}"


def month_str(month: int) -> str:
    """Decree 30: months below 3 take a leading zero."""
    return f"{month:02d}" if month < 3 else str(month)


def long_date(date: dt.date) -> str:
    return f"ngày {day_str(date.day)} tháng {month_str(date.month)} năm {date.year}"


def short_date(date: dt.date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year}" if date.day % 2 else f"{date.day}/{date.month}/{date.year}"


def code_number(rng: random.Random) -> str:
    n = rng.choice([rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 999), rng.randint(1000, 3999)])
    return f"{n:02d}"
