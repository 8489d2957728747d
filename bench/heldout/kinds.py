# ruff: noqa: E501
"""Decisions and permits/certificates: the kinds that name a holder in the body."""

from __future__ import annotations

import datetime as dt
import random

from bench.heldout import names, phrases
from bench.heldout.content import Content, Para, Run, Table, authority_line, base_content, filler, lead, noi_nhan, para
from bench.heldout.names import Organ, Person


def _bases(rng: random.Random, organ: Organ, key: str, date: dt.date) -> list[str]:
    out = list(phrases.BASES_LOCAL) if organ.collective else []
    if organ.level in ("so", "phong"):
        out.append(
            f"Căn cứ Quyết định số {rng.randint(10, 60)}/{date.year - rng.randint(1, 3)}/QĐ-UBND của Ủy ban nhân dân "
            f"quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của {organ.formal};"
        )
    topic = phrases.BASES_BY_TOPIC[key]
    if key == "land" and date >= dt.date(2024, 8, 1):
        topic = ["Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;"]
    out += topic
    unit = rng.choice(["Phòng Tài nguyên và Môi trường", "Phòng Nội vụ", "Văn phòng", "Phòng Tư pháp"])
    abbr = {"Phòng Tài nguyên và Môi trường": "TNMT", "Phòng Nội vụ": "NV", "Văn phòng": "VP"}.get(unit, "TP")
    sent = date - dt.timedelta(days=rng.randint(2, 20))
    out.append(f"Theo đề nghị của {unit} tại Tờ trình số {rng.randint(5, 299)}/TTr-{abbr} {names.long_date(sent)}.")
    return out


def holder_article(rng: random.Random, verb: str, obj: str, person: Person, content: Content) -> list[Para]:
    """Article 1 naming the holder, in one of the forms real decisions use."""
    hon, name, pid = person.honorific, person.name, person.pid
    born = names.short_date(person.born)
    form = rng.choice(
        ["colon", "sinh", "ongba", "fields", "cua"] if obj.startswith("được") else ["colon", "sinh", "ongba", "fields"]
    )
    if form == "fields":
        content.variations.append("holder_fields")
        content.holder_upper_in_text = rng.random() < 0.6
        shown = name.upper() if content.holder_upper_in_text else name
        fields = [("Họ và tên: ", shown), ("Ngày, tháng, năm sinh: ", born), ("Số định danh cá nhân: ", pid)]
        fields.append(("Nơi cư trú: ", person.address))
        out = [lead("Điều 1. ", f"{verb}:")]
        out += [Para([Run(label), Run(value)], align="left", space_before=0, hanging=True) for label, value in fields]
        out.append(para(f"Nội dung: {obj}", space_before=0))
        return out
    content.variations.append("holder_running_text")
    if form == "colon":
        text = f"{verb} {hon}: {name}, số định danh cá nhân: {pid}, nơi cư trú: {person.address}, {obj}"
    elif form == "sinh":
        text = f"{verb} {hon.lower()} {name}, sinh ngày {born}, số định danh cá nhân {pid}, thường trú tại {person.address}; {obj}"
    elif form == "ongba":
        text = f"{verb} Ông (bà): {name}, sinh năm {person.born.year}, số định danh cá nhân: {pid}, {obj}"
    else:
        text = (
            f"Chấp thuận hồ sơ đề nghị của {hon.lower()} {name} (số định danh cá nhân: {pid}, cư trú tại "
            f"{person.address}); theo đó {hon.lower()} {name} {obj}"
        )
    return [lead("Điều 1. ", text)]


def quyet_dinh(rng: random.Random, length: int) -> Content:
    organ = names.make_organ(rng, level=rng.choice(["huyen", "huyen", "xa", "tinh", "so", "phong"]))
    content = base_content(rng, "quyet_dinh", organ, "QĐ")
    content.type_title = "QUYẾT ĐỊNH"
    content.authority = authority_line(organ)
    fill = filler(rng, organ, content.date)
    with_person = rng.random() < 0.75
    if with_person:
        subj_t, key, verb, obj_t = rng.choice(phrases.DECISIONS_PERSON)
        person = names.make_person(
            rng,
            organ.province if organ.level != "bo" else "Ninh Bình",
            organ.district or "Yên Khánh",
            organ.commune or "Khánh Hòa",
        )
        if organ.level == "bo":
            person = names.make_person(rng, "Ninh Bình", "Yên Khánh", "Khánh Hòa")
        content.holder = person
    else:
        subj_t, key = rng.choice(phrases.DECISIONS_PLAN), "plan"
    content.subject = "Về việc " + subj_t.format_map(fill)
    content.body += [Para([Run(b, italic=True)], space_before=2) for b in _bases(rng, organ, key, content.date)]
    content.body.append(Para([Run("QUYẾT ĐỊNH:", bold=True)], align="center", indent=False, space_before=8))
    if with_person:
        content.body += holder_article(rng, verb, obj_t.format_map(fill), content.holder, content)  # type: ignore[arg-type]
        who = f"{content.holder.honorific.lower()} {content.holder.name}"  # type: ignore[union-attr]
        content.body.append(
            lead(
                "Điều 2. ",
                f"{who[0].upper()}{who[1:]} có trách nhiệm thực hiện đúng các quy định của pháp luật có liên quan.",
            )
        )
    else:
        what = content.subject.removeprefix("Về việc ")
        content.body.append(lead("Điều 1. ", f"{what[0].upper()}{what[1:]} (có văn bản chi tiết kèm theo)."))
        content.body.append(lead("Điều 2. ", "Quyết định này có hiệu lực kể từ ngày ký."))
        who = "các cá nhân có liên quan"
    for task in rng.sample(phrases.GENERIC_TASKS, min(length, 4)):
        content.body.append(para("- " + task.format_map(fill)))
    office = "Chánh Văn phòng" if organ.level != "xa" else "Công chức Văn phòng - Thống kê"
    content.body.append(
        lead(
            "Điều 3. ",
            f"{office}, Thủ trưởng các cơ quan, đơn vị có liên quan và {who} chịu trách nhiệm thi hành Quyết định này./.",
        )
    )
    content.noi_nhan = noi_nhan(rng, organ, decision=True)
    return content


def _gpxd(rng: random.Random, content: Content, person: Person, fill: dict) -> None:
    organ = content.organ
    content.body.append(
        lead(
            "Cấp cho: ",
            f"{person.honorific} {content_name(content, person)}",
            bold_label=False,
            indent=False,
            hanging=True,
        )
    )
    content.body.append(lead("Số định danh cá nhân: ", person.pid, bold_label=False, indent=False, space_before=0))
    content.body.append(lead("Địa chỉ: ", person.address, bold_label=False, indent=False, space_before=0, hanging=True))
    content.body.append(lead("1. Được phép xây dựng công trình: ", "Nhà ở riêng lẻ."))
    content.body.append(
        para(
            f"- Theo thiết kế do Công ty TNHH Tư vấn xây dựng {rng.choice(['Hoàng Long', 'Trường An', 'Minh Phát'])} lập.",
            space_before=0,
        )
    )
    lines = [
        f"+ Vị trí xây dựng: thửa đất số {fill['parcel']}, tờ bản đồ số {fill['sheet']}, {fill['village']}, xã {organ.commune}.",
        f"+ Cốt nền xây dựng công trình: +{rng.choice(['0,45', '0,60', '0,75'])} m so với cốt mặt đường hiện trạng.",
        f"+ Mật độ xây dựng: {rng.randint(60, 90)}%; hệ số sử dụng đất: {rng.choice(['2,1', '2,4', '3,0'])} lần.",
        f"+ Chiều cao công trình: {rng.choice(['11,4', '12,5', '14,2'])} m; số tầng: {rng.randint(2, 4)} tầng.",
    ]
    content.body += [para(x, space_before=0) for x in lines]
    if rng.random() < 0.5:
        content.variations.append("table")
        rows = [["STT", "Hạng mục", "Diện tích sàn (m²)"]]
        for i, floor in enumerate(["Tầng 1", "Tầng 2", "Tầng 3", "Tum thang"][: rng.randint(2, 4)], start=1):
            rows.append([str(i), floor, f"{rng.randint(40, 110)},{rng.randint(0, 9)}"])
        content.body.append(Table(rows, [0.12, 0.5, 0.38]))
    gcn = f"{rng.choice(['CS', 'CH', 'DĐ'])} {rng.randint(100000, 999999)}"
    content.body.append(lead("2. Giấy tờ về quyền sử dụng đất: ", f"Giấy chứng nhận quyền sử dụng đất số {gcn}."))
    content.body.append(
        para(
            "3. Chủ đầu tư phải thông báo khởi công xây dựng bằng văn bản cho cơ quan quản lý xây dựng tại địa phương trước thời điểm khởi công xây dựng công trình."
        )
    )
    if rng.random() < 0.6:
        content.valid_until = content.date.replace(year=content.date.year + 1) - dt.timedelta(days=0)
        content.body.append(para(f"4. Giấy phép có hiệu lực đến {names.long_date(content.valid_until)}."))


def _xnhn(rng: random.Random, content: Content, person: Person) -> None:
    hon = person.honorific.lower()
    content.body.append(para(f"Xét đề nghị của {hon} {person.name} về việc cấp Giấy xác nhận tình trạng hôn nhân,"))
    content.body.append(Para([Run(f"{content.organ.name}", bold=True)], align="center", indent=False))
    content.body.append(Para([Run("XÁC NHẬN:", bold=True)], align="center", indent=False, space_before=2))
    fields = [
        ("Họ, chữ đệm, tên: ", content_name(content, person)),
        ("Ngày, tháng, năm sinh: ", names.short_date(person.born)),
        ("Giới tính: ", f"{'Nam' if person.male else 'Nữ'}; Dân tộc: Kinh; Quốc tịch: Việt Nam"),
        ("Số định danh cá nhân: ", person.pid),
        ("Nơi cư trú: ", person.address),
        (
            "Tình trạng hôn nhân: ",
            rng.choice(
                [
                    "Hiện tại chưa đăng ký kết hôn với ai.",
                    "Đã đăng ký kết hôn, nhưng đã ly hôn theo Bản án của Tòa án nhân dân huyện.",
                ]
            ),
        ),
        ("Giấy này được cấp để: ", rng.choice(["làm thủ tục đăng ký kết hôn.", "bổ sung hồ sơ vay vốn ngân hàng."])),
    ]
    content.body += [
        Para([Run(a), Run(b)], align="left", indent=False, space_before=1, hanging=True) for a, b in fields
    ]
    if rng.random() < 0.85:
        content.valid_until = content.date + dt.timedelta(days=182)
        content.body.append(
            Para(
                [Run(f"Giấy này có giá trị sử dụng đến {names.long_date(content.valid_until)}.", italic=True)],
                indent=False,
            )
        )


def _hkd(rng: random.Random, content: Content, person: Person, fill: dict) -> None:
    shop = f"HỘ KINH DOANH {rng.choice(['TẠP HÓA', 'CỬA HÀNG VẬT LIỆU XÂY DỰNG', 'QUÁN ĂN'])} {person.name.split()[-1].upper()} {rng.choice(['ĐỨC', 'MINH', 'AN'])}"
    content.body.append(
        lead(
            "Mã số hộ kinh doanh: ",
            f"{names.PROVINCES.get(content.organ.province, ('027',))[0][1:]}H8{rng.randint(100000, 999999)}",
            bold_label=False,
            indent=False,
        )
    )
    content.body.append(lead("1. Tên hộ kinh doanh: ", shop, bold_label=False, indent=False, hanging=True))
    content.body.append(
        lead(
            "2. Địa điểm kinh doanh: ",
            f"{fill['village']}, xã {content.organ.commune}, huyện {content.organ.district}, tỉnh {content.organ.province}",
            bold_label=False,
            indent=False,
            hanging=True,
        )
    )
    content.body.append(para("3. Ngành, nghề kinh doanh:", indent=False))
    trades = [
        ["STT", "Tên ngành", "Mã ngành"],
        ["1", "Bán lẻ lương thực, thực phẩm", "4721"],
        ["2", "Bán lẻ đồ uống", "4723"],
        ["3", "Dịch vụ ăn uống", "5610"],
    ]
    if rng.random() < 0.6:
        content.variations.append("table")
        content.body.append(Table(trades[: rng.randint(3, 4)], [0.12, 0.64, 0.24]))
    else:
        content.body += [para(f"- {t[1]} ({t[2]})", indent=False, space_before=0) for t in trades[1:3]]
    content.body.append(
        para(f"4. Vốn kinh doanh: {rng.choice(['100.000.000', '150.000.000', '300.000.000'])} đồng.", indent=False)
    )
    content.body.append(para("5. Chủ hộ kinh doanh:", indent=False))
    fields = [
        ("Họ và tên: ", content_name(content, person)),
        ("Ngày sinh: ", names.short_date(person.born)),
        ("Số định danh cá nhân: ", person.pid),
        ("Nơi cư trú: ", person.address),
    ]
    content.body += [Para([Run(a), Run(b)], align="left", indent=True, space_before=0, hanging=True) for a, b in fields]


def content_name(content: Content, person: Person) -> str:
    """Certificates print the holder in capitals more often than not."""
    content.holder_upper_in_text = int(person.pid[-1]) % 3 != 0
    return person.name.upper() if content.holder_upper_in_text else person.name


def giay_phep(rng: random.Random, length: int) -> Content:
    sub = rng.choice(["gpxd", "xnhn", "hkd"])
    if sub == "gpxd":
        organ = names.make_organ(rng, level="huyen")
        title, abbr = "GIẤY PHÉP XÂY DỰNG", "GPXD"
    elif sub == "xnhn":
        organ = names.make_organ(rng, level="xa")
        title, abbr = "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "XN"
    else:
        organ = names.make_organ(rng, level="phong", domain="tc")
        title, abbr = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "GCN"
    content = base_content(rng, "giay_phep", organ, abbr)
    if sub == "gpxd" and rng.random() < 0.5:
        content.notation = "GPXD"
    content.type_title = title
    person = names.make_person(rng, organ.province, organ.district, organ.commune)
    content.holder = person
    fill = filler(rng, organ, content.date, person)
    {"gpxd": lambda: _gpxd(rng, content, person, fill), "xnhn": lambda: _xnhn(rng, content, person)}.get(
        sub, lambda: _hkd(rng, content, person, fill)
    )()
    content.noi_nhan = [f"- {person.honorific} {person.name};", "- Lưu: VT."]
    if length > 2:
        content.noi_nhan.insert(1, f"- UBND xã {organ.commune};")
    return content
