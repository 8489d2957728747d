"""Issuing agencies (cơ quan ban hành) for the synthetic documents."""

from __future__ import annotations

import random
from dataclasses import dataclass

from samples.vocab import Locale

UBND_SIGNERS: tuple[tuple[str | None, str], ...] = (
    ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    (None, "CHỦ TỊCH"),
)
DEPT_SIGNERS: tuple[tuple[str | None, str], ...] = (
    ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    (None, "GIÁM ĐỐC"),
)
OFFICE_SIGNERS: tuple[tuple[str | None, str], ...] = (
    ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
    (None, "TRƯỞNG PHÒNG"),
)
# key -> (name in capitals, drafting unit, name as written in running text)
DEPARTMENTS = {
    "SXD": ("SỞ XÂY DỰNG", "QLXD", "Sở Xây dựng"),
    "STNMT": ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "QLĐĐ", "Sở Tài nguyên và Môi trường"),
    "STP": ("SỞ TƯ PHÁP", "LLTP", "Sở Tư pháp"),
    "SNV": ("SỞ NỘI VỤ", "TCCB", "Sở Nội vụ"),
    "SYT": ("SỞ Y TẾ", "NVY", "Sở Y tế"),
    "SGDĐT": ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "VP", "Sở Giáo dục và Đào tạo"),
}
OFFICES = {
    "TCKH": ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "ĐKKD", "Phòng Tài chính - Kế hoạch"),
    "TNMT": ("PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG", "ĐĐ", "Phòng Tài nguyên và Môi trường"),
}


@dataclass(frozen=True)
class Organ:
    """An issuing agency and what its documents print about it."""

    name: str  # issuing agency in capitals, as printed (may be wrapped)
    parent: str | None  # parent agency line, regular capitals
    abbr: str  # abbreviation used in notations: QĐ-UBND, TB-SXD
    place: str  # place name on the date line
    level: str  # "province" | "district" | "commune" | "department" | "office"
    signers: tuple[tuple[str | None, str], ...]
    authority: str  # authority line of a decision
    seal: str  # text around the red seal
    unit: str  # drafting unit in "Lưu: VT, ..."
    locale: Locale
    proper: str  # name in running text: "Ủy ban nhân dân huyện Gia Viễn"
    head: str  # its head in running text: "Chủ tịch UBND huyện Gia Viễn"


def ubnd_province(loc: Locale) -> Organ:
    """Provincial People's Committee (no parent line)."""
    upper = loc.province.upper()
    return Organ(
        f"ỦY BAN NHÂN DÂN TỈNH {upper}",
        None,
        "UBND",
        loc.province,
        "province",
        UBND_SIGNERS,
        f"CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH {upper}",
        f"ỦY BAN NHÂN DÂN TỈNH {upper} *",
        "KT",
        loc,
        f"Ủy ban nhân dân tỉnh {loc.province}",
        f"Chủ tịch UBND tỉnh {loc.province}",
    )


def ubnd_district(loc: Locale) -> Organ:
    """District People's Committee (no parent line)."""
    upper = loc.district.upper()
    return Organ(
        f"ỦY BAN NHÂN DÂN HUYỆN {upper}",
        None,
        "UBND",
        loc.district,
        "district",
        UBND_SIGNERS,
        f"CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN {upper}",
        f"ỦY BAN NHÂN DÂN HUYỆN {upper} * TỈNH {loc.province.upper()} *",
        "TNMT",
        loc,
        f"Ủy ban nhân dân huyện {loc.district}",
        f"Chủ tịch UBND huyện {loc.district}",
    )


def ubnd_commune(loc: Locale, with_parent: bool) -> Organ:
    """Commune People's Committee, optionally under 'UBND HUYỆN …'."""
    upper = loc.commune.upper()
    name = f"UBND XÃ {upper}" if with_parent else f"ỦY BAN NHÂN DÂN XÃ {upper}"
    parent = f"UBND HUYỆN {loc.district.upper()}" if with_parent else None
    return Organ(
        name,
        parent,
        "UBND",
        loc.commune,
        "commune",
        UBND_SIGNERS,
        f"CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ {upper}",
        f"ỦY BAN NHÂN DÂN XÃ {upper} * H. {loc.district.upper()} *",
        "VP",
        loc,
        f"Ủy ban nhân dân xã {loc.commune}",
        f"Chủ tịch UBND xã {loc.commune}",
    )


def department(loc: Locale, key: str, with_parent: bool) -> Organ:
    """A provincial department (Sở), under 'UBND TỈNH …' or with the province in its name."""
    base, unit, proper = DEPARTMENTS[key]
    province = loc.province.upper()
    name = base if with_parent else f"{base} TỈNH {province}"
    parent = f"UBND TỈNH {province}" if with_parent else None
    return Organ(
        name,
        parent,
        key,
        loc.province,
        "department",
        DEPT_SIGNERS,
        f"GIÁM ĐỐC {base}",
        f"{base} * TỈNH {province} *",
        unit,
        loc,
        f"{proper} tỉnh {loc.province}",
        f"Giám đốc {proper}",
    )


def district_office(loc: Locale, key: str, with_parent: bool) -> Organ:
    """A district office (Phòng), under 'UBND HUYỆN …' or with the district in its name."""
    base, unit, proper = OFFICES[key]
    district = loc.district.upper()
    name = base if with_parent else f"{base} HUYỆN {district}"
    parent = f"UBND HUYỆN {district}" if with_parent else None
    return Organ(
        name,
        parent,
        key,
        loc.district,
        "office",
        OFFICE_SIGNERS,
        f"TRƯỞNG {base}",
        f"{base} * HUYỆN {district} *",
        unit,
        loc,
        f"{proper} huyện {loc.district}",
        f"Trưởng phòng {proper.removeprefix('Phòng ')}",
    )


def any_organ(rng: random.Random, loc: Locale, with_parent: bool) -> Organ:
    """A random general-purpose organ (decisions and notices)."""
    if with_parent:
        options = [
            lambda: department(loc, rng.choice(["SXD", "STNMT", "SNV", "SYT"]), True),
            lambda: ubnd_commune(loc, True),
            lambda: district_office(loc, rng.choice(sorted(OFFICES)), True),
        ]
    else:
        options = [lambda: ubnd_district(loc), lambda: ubnd_province(loc), lambda: ubnd_commune(loc, False)]
    return rng.choice(options)()
