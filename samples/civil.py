"""Permits, certificates and civil-status papers: construction permit, land-use or business
certificate, marital-status confirmation, criminal-record card."""

from __future__ import annotations

import random
from datetime import date, timedelta

from samples.content import (
    Content,
    Para,
    cycle_pool,
    doc_number,
    identity_line,
    recipients,
    residence_items,
    signer_for,
)
from samples.organs import Organ
from samples.vocab import (
    Locale,
    Person,
    date_slash,
    date_words,
    decimal_vi,
    pick_locale,
    pick_person,
    random_date,
)

# ----------------------------------------------------------------------------- permit

PERMIT_DUTIES = [
    "- Phải hoàn toàn chịu trách nhiệm trước pháp luật nếu xâm phạm các quyền hợp pháp của các chủ sở hữu liền kề.",
    "- Phải thực hiện đúng các quy định của pháp luật về đất đai, về đầu tư xây dựng và Giấy phép xây dựng này.",
    "- Thực hiện thông báo khởi công xây dựng công trình theo quy định.",
    "- Xuất trình Giấy phép xây dựng cho cơ quan có thẩm quyền khi được yêu cầu theo quy "
    "định của pháp luật và treo biển báo tại địa điểm xây dựng theo quy định.",
    "- Khi điều chỉnh thiết kế làm thay đổi một trong các nội dung đã được cấp phép thì "
    "phải đề nghị điều chỉnh giấy phép xây dựng và chờ quyết định của cơ quan cấp giấy phép.",
    "- Bảo đảm an toàn cho công trình, công trình lân cận và vệ sinh môi trường trong quá trình thi công xây dựng.",
    "- Không được lấn chiếm vỉa hè, lòng đường để tập kết vật liệu xây dựng.",
]


def _permit_specs(rng: random.Random, loc: Locale, plot: str) -> list[Para]:
    """The technical items of a construction permit."""
    floors = rng.randint(2, 5)
    ground = rng.uniform(60, 140)
    designer = rng.choice(["Hoàng Long", "Thành Đạt", "An Phát", "Minh Khang", "Sông Hồng"])
    return [
        Para("2. Được phép xây dựng công trình: Nhà ở riêng lẻ.", indent=True),
        Para(f"- Theo thiết kế: Nhà ở gia đình {floors} tầng."),
        Para(f"- Do: Công ty TNHH Tư vấn thiết kế xây dựng {designer} lập.", optional=True),
        Para("- Gồm các nội dung sau:"),
        Para(
            f"+ Vị trí xây dựng: {plot}, {loc.village_lc}, xã {loc.commune}, huyện {loc.district}, tỉnh {loc.province}."
        ),
        Para(
            f"+ Cốt nền xây dựng công trình: +{decimal_vi(rng.uniform(0.2, 0.8), 2)} m so với cốt mặt đường hiện trạng."
        ),
        Para(
            f"+ Mật độ xây dựng: {rng.randint(60, 90)}%; hệ số sử dụng đất: {decimal_vi(rng.uniform(1.5, 4.0), 2)}.",
            optional=True,
        ),
        Para(f"+ Chỉ giới xây dựng: Lùi {decimal_vi(rng.uniform(1, 4))} m so với chỉ giới đường đỏ.", optional=True),
        Para(f"+ Màu sắc công trình: {rng.choice(['Vàng nhạt', 'Trắng', 'Xanh nhạt', 'Kem'])}.", optional=True),
        Para(f"+ Diện tích xây dựng tầng 1: {decimal_vi(ground)} m2."),
        Para(f"+ Tổng diện tích sàn: {decimal_vi(ground * floors * rng.uniform(0.85, 1))} m2."),
        Para(f"+ Chiều cao công trình: {decimal_vi(floors * rng.uniform(3.3, 3.9))} m; số tầng: {floors} tầng."),
    ]


def build_permit(rng: random.Random, organ: Organ, issued: date) -> Content:
    """GIẤY PHÉP XÂY DỰNG for a private house."""
    loc = organ.locale if organ.level != "department" else pick_locale(rng, organ.locale.province)
    holder = pick_person(rng, loc, born_range=(1955, 1995))
    id_text, id_number = identity_line(rng, holder)
    plot = f"Thửa đất số {rng.randint(10, 999)}, tờ bản đồ số {rng.randint(2, 45)}"
    valid = date(issued.year + rng.randint(1, 2), 12, 31)
    land_date = random_date(rng, date(1998, 1, 1), issued - timedelta(days=200))
    body = [
        Para(f"1. Cấp cho: {holder.honorific} {holder.upper}"),
        Para(id_text),
        Para(f"Địa chỉ: {holder.home.address()}."),
        *_permit_specs(rng, loc, plot),
        Para(
            f"3. Giấy tờ về đất đai: Giấy chứng nhận quyền sử dụng đất số CS "
            f"{rng.randint(10000, 999999):06d} do UBND huyện {loc.district} cấp ngày "
            f"{date_slash(land_date)}."
        ),
        Para("4. Thời gian khởi công công trình không quá 12 tháng kể từ ngày được cấp giấy phép xây dựng."),
        Para(f"Giấy phép có giá trị đến {date_words(valid)}."),
        Para("5. Chủ đầu tư có trách nhiệm:", optional=False),
    ]
    draw = cycle_pool(rng, PERMIT_DUTIES)
    body += [Para(draw()) for _ in range(rng.randint(1, 2))]
    subject = rng.choice(
        [
            "Về việc cấp giấy phép xây dựng nhà ở riêng lẻ",
            f"Về việc cấp giấy phép xây dựng nhà ở riêng lẻ tại xã {loc.commune}",
        ]
    )
    return Content(
        kind="construction_permit",
        organ=organ,
        number=doc_number(rng, True),
        notation="GPXD",
        issued=issued,
        type_name="GIẤY PHÉP XÂY DỰNG",
        subject=subject,
        body=body,
        more=lambda: Para(draw()),
        more_at=len(body),
        recipients=recipients(rng, organ, ["- Chủ đầu tư;"]),
        signer=signer_for(rng, organ, organ.locale),
        holder_name=holder.upper,
        holder_id=id_number,
        holder=holder,
        valid_until=valid,
    )


# ----------------------------------------------------------------------------- certificate

BUSINESS_LINES = [
    "- Bán lẻ lương thực, thực phẩm, đồ uống trong các cửa hàng kinh doanh tổng hợp;",
    "- Bán lẻ vật liệu xây dựng, đồ ngũ kim, sơn, kính;",
    "- Dịch vụ ăn uống phục vụ lưu động và cố định;",
    "- Sửa chữa mô tô, xe máy và phụ tùng;",
    "- Bán buôn nông, lâm sản nguyên liệu và động vật sống;",
    "- May trang phục (trừ trang phục từ da lông thú);",
    "- Cắt tóc, làm đầu, gội đầu;",
    "- Bán lẻ thiết bị viễn thông, máy vi tính và phần mềm;",
]
LAND_CHANGES = [
    "Chuyển mục đích sử dụng {a} m2 đất trồng cây lâu năm sang đất ở theo Quyết định số {n}/QĐ-UBND",
    "Tách thửa {a} m2 để tặng cho con theo hồ sơ số {n}",
    "Đính chính thông tin về người sử dụng đất theo hồ sơ số {n}",
    "Đăng ký thế chấp bằng quyền sử dụng đất tại Ngân hàng Nông nghiệp và Phát triển nông thôn, hồ sơ số {n}",
]


def _land_body(rng: random.Random, holder: Person, id_text: str) -> list[Para]:
    plot = pick_locale(rng, holder.home.province) if rng.random() < 0.3 else holder.home
    home_part, other = rng.randint(100, 300), rng.randint(0, 250)
    purpose = f"Đất ở tại nông thôn {home_part},0 m2"
    if other:
        purpose += f"; Đất trồng cây lâu năm {other},0 m2"
    return [
        Para("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", style="bold", indent=False),
        Para(f"{holder.honorific}: {holder.upper}, sinh năm {holder.born.year}"),
        Para(id_text),
        Para(f"Địa chỉ thường trú: {holder.home.address()}"),
        Para("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", style="bold", indent=False),
        Para("1. Thửa đất:"),
        Para(f"a) Thửa đất số: {rng.randint(10, 999)}; tờ bản đồ số: {rng.randint(2, 45)};"),
        Para(f"b) Địa chỉ: {plot.address()};"),
        Para(f"c) Diện tích: {home_part + other},0 m2;"),
        Para("d) Hình thức sử dụng: Sử dụng riêng;"),
        Para(f"đ) Mục đích sử dụng: {purpose};"),
        Para("e) Thời hạn sử dụng: Đất ở: Lâu dài;"),
        Para("g) Nguồn gốc sử dụng: Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất;", optional=True),
        Para("2. Nhà ở: Không;", optional=True),
        Para("3. Ghi chú: Không.", optional=True),
        Para("III. Những thay đổi sau khi cấp giấy chứng nhận", style="bold", indent=False),
    ]


def _business_body(rng: random.Random, holder: Person, id_text: str, issued: date) -> list[Para]:
    shop = rng.choice(["CỬA HÀNG TẠP HÓA", "HỘ KINH DOANH", "CỬA HÀNG VẬT LIỆU XÂY DỰNG"])
    first = random_date(rng, date(2012, 1, 1), issued - timedelta(days=300))
    capital = rng.choice([50, 100, 150, 200, 300, 500]) * 1_000_000
    return [
        Para(f"Đăng ký lần đầu: {date_words(first)}"),
        Para(f"1. Tên hộ kinh doanh: {shop} {holder.upper.split()[-1]} {rng.choice(['AN', 'PHÁT', 'THỊNH', 'HƯNG'])}"),
        Para(f"2. Địa điểm kinh doanh: {holder.home.address()}"),
        Para(f"Điện thoại: 09{rng.randrange(10**8):08d}", optional=True),
        Para(f"3. Vốn kinh doanh: {capital:,} đồng".replace(",", ".")),
        Para("4. Thông tin về chủ hộ kinh doanh:"),
        Para(f"Họ và tên: {holder.upper}"),
        Para(f"Giới tính: {holder.sex}; Sinh ngày: {date_slash(holder.born)}; Dân tộc: Kinh; Quốc tịch: Việt Nam"),
        Para(id_text),
        Para(f"Nơi thường trú: {holder.home.address()}"),
        Para(f"Chỗ ở hiện tại: {holder.home.address()}", optional=True),
        Para("5. Ngành, nghề kinh doanh:"),
    ]


def build_certificate(rng: random.Random, organ: Organ, issued: date) -> Content:
    """A land-use-right certificate or a household-business registration certificate."""
    holder = pick_person(
        rng,
        organ.locale if organ.level != "department" else pick_locale(rng, organ.locale.province),
        born_range=(1950, 1995),
    )
    id_text, id_number = identity_line(rng, holder)
    if organ.unit == "ĐKKD":
        body = _business_body(rng, holder, id_text, issued)
        draw = cycle_pool(rng, BUSINESS_LINES)
        more = lambda: Para(draw())  # noqa: E731
        type_name, notation = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "ĐKHKD"
    else:
        body = _land_body(rng, holder, id_text)
        templates = cycle_pool(rng, LAND_CHANGES)
        more = lambda: Para(  # noqa: E731
            f"- Ngày {date_slash(random_date(rng, date(2005, 1, 1), issued))}: "
            + templates().format(a=decimal_vi(rng.uniform(30, 150)), n=rng.randint(10, 999))
            + ";"
        )
        type_name = "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"
        notation = "GCNQSDĐ"
    body += [more() for _ in range(rng.randint(1, 2))]
    return Content(
        kind="certificate",
        organ=organ,
        number=doc_number(rng, True),
        notation=notation,
        issued=issued,
        type_name=type_name,
        subject=None,
        body=body,
        more=more,
        more_at=len(body),
        recipients=recipients(rng, organ, [f"- {holder.honorific} {holder.name};"]),
        signer=signer_for(rng, organ, organ.locale),
        holder_name=holder.upper,
        holder_id=id_number,
        holder=holder,
    )


# ----------------------------------------------------------------------------- marital status


def _marital_facts(rng: random.Random, holder: Person, issued: date) -> tuple[str, str]:
    """The marital status and what the confirmation is for."""
    partner = pick_person(rng, sex="Nữ" if holder.sex == "Nam" else "Nam", born_range=(1975, 2003))
    status = rng.choice(
        [
            "Hiện tại chưa đăng ký kết hôn với ai.",
            f"Đã đăng ký kết hôn, nhưng đã ly hôn theo Bản án số {rng.randint(10, 250)}/"
            f"{rng.randint(2012, issued.year - 1)}/HNGĐ-ST của Tòa án nhân dân huyện "
            f"{holder.home.district}; hiện tại chưa đăng ký kết hôn với ai.",
        ]
    )
    purpose = rng.choice(
        [
            f"Làm thủ tục đăng ký kết hôn với {partner.honorific.lower()} {partner.name}, sinh "
            f"ngày {date_slash(partner.born)}, tại UBND xã {partner.home.commune}, huyện "
            f"{partner.home.district}, tỉnh {partner.home.province}.",
            "Bổ sung hồ sơ vay vốn tại Ngân hàng Chính sách xã hội.",
            "Bổ sung hồ sơ mua bán nhà đất.",
        ]
    )
    return status, purpose


def build_marital(rng: random.Random, organ: Organ, issued: date) -> Content:
    """GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN issued by a commune."""
    holder = pick_person(rng, organ.locale, born_range=(1975, 2003))
    id_text, id_number = identity_line(rng, holder)
    since = random_date(rng, holder.born + timedelta(days=18 * 365), issued - timedelta(days=90))
    status, purpose = _marital_facts(rng, holder, issued)
    valid = issued + timedelta(days=182)
    body = [
        Para(
            f"Xét đề nghị của {holder.honorific.lower()} {holder.name} về việc cấp Giấy xác nhận tình trạng hôn nhân.",
            optional=True,
        ),
        Para("XÁC NHẬN:", style="bold", align="center", indent=False),
        Para(f"Họ, chữ đệm, tên: {holder.upper}"),
        Para(f"Ngày, tháng, năm sinh: {date_slash(holder.born)}"),
        Para(f"Giới tính: {holder.sex}; Dân tộc: Kinh; Quốc tịch: Việt Nam"),
        Para(id_text),
        Para(f"Nơi cư trú: {holder.home.address()}"),
        Para(
            f"Trong thời gian cư trú tại {holder.home.commune_address()} từ ngày "
            f"{date_slash(since)} đến ngày {date_slash(issued)}"
        ),
        Para(f"Tình trạng hôn nhân: {status}"),
        Para(f"Giấy này được cấp để: {purpose}"),
        Para(f"Giấy này có giá trị sử dụng đến {date_words(valid)}."),
        Para("Quá trình cư trú trước đó:"),
    ]
    more = residence_items(rng, holder, since - timedelta(days=1))
    body.append(more())
    return Content(
        kind="marital_status",
        organ=organ,
        number=doc_number(rng, False),
        notation="XNTTHN",
        issued=issued,
        type_name="GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        subject=None,
        body=body,
        more=more,
        more_at=len(body),
        recipients=recipients(rng, organ, ["- Người yêu cầu;"]),
        signer=signer_for(rng, organ, organ.locale),
        holder_name=holder.upper,
        holder_id=id_number,
        holder=holder,
        valid_until=valid,
    )


# ----------------------------------------------------------------------------- criminal record


def build_criminal(rng: random.Random, organ: Organ, issued: date) -> Content:
    """PHIẾU LÝ LỊCH TƯ PHÁP (form no. 1) issued by a provincial Department of Justice."""
    holder = pick_person(rng, pick_locale(rng, organ.locale.province), born_range=(1960, 2004))
    id_text, id_number = identity_line(rng, holder, prefix="7. ")
    father = pick_person(rng, holder.home, sex="Nam", born_range=(1930, 1980))
    father = Person(f"{holder.name.split()[0]} {' '.join(father.name.split()[1:])}", "Nam", father.born, father.home)
    mother = pick_person(rng, holder.home, sex="Nữ", born_range=(1930, 1980))
    born_at = pick_locale(rng, holder.home.province)
    body = [
        Para("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;", style="italic"),
        Para(
            "Căn cứ Nghị định số 111/2010/NĐ-CP ngày 23 tháng 11 năm 2010 của Chính phủ "
            "quy định chi tiết và hướng dẫn thi hành một số điều của Luật Lý lịch tư pháp;",
            style="italic",
            optional=True,
        ),
        Para("XÁC NHẬN:", style="bold", align="center", indent=False),
        Para(f"1. Họ và tên: {holder.upper}"),
        Para(f"2. Giới tính: {holder.sex}"),
        Para(f"3. Ngày, tháng, năm sinh: {date_slash(holder.born)}"),
        Para(f"4. Nơi sinh: {born_at.commune_address()[0].upper()}{born_at.commune_address()[1:]}"),
        Para("5. Quốc tịch: Việt Nam"),
        Para(f"6. Nơi cư trú: {holder.home.address()}"),
        Para(id_text),
        Para(f"8. Họ và tên cha: {father.upper}"),
        Para(f"9. Họ và tên mẹ: {mother.upper}"),
        Para("10. Tình trạng án tích: Không có án tích."),
        Para(
            "11. Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, "
            "hợp tác xã: Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, "
            "hợp tác xã.",
            optional=True,
        ),
        Para("12. Quá trình cư trú:"),
    ]
    more = residence_items(rng, holder, issued - timedelta(days=rng.randint(30, 900)))
    body.append(more())
    return Content(
        kind="criminal_record",
        organ=organ,
        number=doc_number(rng, True),
        notation="STP-LLTP",
        issued=issued,
        type_name="PHIẾU LÝ LỊCH TƯ PHÁP",
        subject=None,
        body=body,
        more=more,
        more_at=len(body),
        recipients=recipients(rng, organ, ["- Người yêu cầu;"]),
        signer=signer_for(rng, organ, organ.locale),
        holder_name=holder.upper,
        holder_id=id_number,
        holder=holder,
    )
