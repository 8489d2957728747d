"""Decisions (QUYẾT ĐỊNH) and notices (THÔNG BÁO)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from samples.content import (
    Content,
    Para,
    basis_law,
    cycle_pool,
    doc_number,
    plot_items,
    project_name,
    recipients,
    signer_for,
)
from samples.organs import Organ
from samples.vocab import (
    date_slash,
    date_words,
    decimal_vi,
    pick_person,
)

# ----------------------------------------------------------------------------- decision


def _member_items(rng: random.Random, organ: Organ) -> Callable[[], Para]:
    roles = cycle_pool(
        rng,
        [
            "Trưởng phòng Tài nguyên và Môi trường",
            "Trưởng phòng Tài chính - Kế hoạch",
            "Phó Trưởng phòng Kinh tế và Hạ tầng",
            "Chủ tịch Ủy ban MTTQ xã",
            "Công chức địa chính - xây dựng xã",
            "Phó Chánh Văn phòng HĐND và UBND",
            "Chuyên viên Phòng Tài nguyên và Môi trường",
            "Trưởng thôn",
        ],
    )
    first = [True]

    def make() -> Para:
        person = pick_person(rng, organ.locale, born_range=(1965, 1990))
        if first[0]:
            first[0] = False
            return Para(f"- {person.honorific} {person.name}, Phó Chủ tịch UBND - Chủ tịch Hội đồng;", indent=True)
        return Para(f"- {person.honorific} {person.name}, {roles()} - Thành viên;")

    return make


def _candidate_items(rng: random.Random, organ: Organ) -> Callable[[], Para]:
    counter = itertools.count(1)
    posts = [
        "Giáo viên tiểu học",
        "Giáo viên mầm non",
        "Kế toán",
        "Viên chức địa chính",
        "Giáo viên trung học cơ sở",
        "Nhân viên y tế trường học",
    ]

    def make() -> Para:
        person = pick_person(rng, organ.locale, born_range=(1990, 2001))
        return Para(
            f"{next(counter)}. {person.honorific} {person.name}, sinh ngày "
            f"{date_slash(person.born)}, vị trí việc làm: {rng.choice(posts)}, "
            f"tổng điểm: {decimal_vi(rng.uniform(62, 92), 2)};"
        )

    return make


@dataclass
class Topic:
    """The variable part of a decision or notice."""

    subject: str
    before: list[Para]  # legal bases / introduction, before the item list
    more: Callable[[], Para]  # makes one item of the list
    after: list[Para] = field(default_factory=list)  # paragraphs after the list
    lead: str = ""  # decisions: Article 1 text introducing the list
    closing: str = ""  # decisions: Article 2 text


LAW_LAND = "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;"


def _land_bases() -> list[Para]:
    return [
        Para(LAW_LAND, style="italic"),
        Para(
            "Căn cứ Nghị định số 43/2014/NĐ-CP ngày 15 tháng 5 năm 2014 của "
            "Chính phủ quy định chi tiết thi hành một số điều của Luật Đất đai;",
            style="italic",
            optional=True,
        ),
    ]


def _recover_land(rng: random.Random, organ: Organ, issued: date) -> Topic:
    loc, project = organ.locale, project_name(rng, organ.locale)
    return Topic(
        f"Về việc thu hồi đất để thực hiện dự án {project}",
        _land_bases(),
        plot_items(rng, loc),
        lead=f"Thu hồi đất của các hộ gia đình, cá nhân tại xã {loc.commune}, huyện "
        f"{loc.district} để thực hiện dự án {project}, cụ thể như sau:",
        closing=f"Giao Ủy ban nhân dân xã {loc.commune} phối hợp với các cơ quan có liên quan "
        "công bố công khai Quyết định này, chỉnh lý hồ sơ địa chính theo quy định.",
    )


def _allocate_land(rng: random.Random, organ: Organ, issued: date) -> Topic:
    loc = organ.locale
    return Topic(
        f"Về việc giao đất ở cho hộ gia đình, cá nhân tại xã {loc.commune}",
        _land_bases(),
        plot_items(rng, loc),
        lead=f"Giao đất ở cho các hộ gia đình, cá nhân tại {loc.village_lc}, xã "
        f"{loc.commune}, huyện {loc.district} để làm nhà ở, cụ thể như sau:",
        closing="Các hộ gia đình, cá nhân có tên tại Điều 1 có trách nhiệm nộp tiền sử dụng đất "
        "theo quy định; sử dụng đất đúng mục đích, đúng ranh giới được giao.",
    )


def _council(rng: random.Random, organ: Organ, issued: date) -> Topic:
    project = project_name(rng, organ.locale)
    return Topic(
        f"Về việc thành lập Hội đồng bồi thường, hỗ trợ và tái định cư dự án {project}",
        [Para(LAW_LAND, style="italic")],
        _member_items(rng, organ),
        lead=f"Thành lập Hội đồng bồi thường, hỗ trợ và tái định cư dự án {project}, gồm các ông (bà) có tên sau:",
        closing="Hội đồng có nhiệm vụ lập phương án bồi thường, hỗ trợ và tái định cư; tổ chức "
        "thực hiện phương án sau khi được phê duyệt. Hội đồng tự giải thể sau khi hoàn thành nhiệm vụ.",
    )


def _recruitment(rng: random.Random, organ: Organ, issued: date) -> Topic:
    return Topic(
        f"Về việc công nhận kết quả xét tuyển viên chức năm {issued.year}",
        [
            Para("Căn cứ Luật Viên chức ngày 15 tháng 11 năm 2010;", style="italic"),
            Para(
                "Căn cứ Nghị định số 115/2020/NĐ-CP ngày 25 tháng 9 năm 2020 của Chính phủ "
                "quy định về tuyển dụng, sử dụng và quản lý viên chức;",
                style="italic",
                optional=True,
            ),
        ],
        _candidate_items(rng, organ),
        lead=f"Công nhận kết quả xét tuyển viên chức năm {issued.year} đối với các thí sinh "
        "trúng tuyển, cụ thể như sau:",
        closing="Các thí sinh trúng tuyển có trách nhiệm hoàn thiện hồ sơ tuyển dụng theo quy định "
        "trong thời hạn 30 ngày kể từ ngày nhận được thông báo.",
    )


DECISION_TOPICS = (_recover_land, _allocate_land, _council, _recruitment)


def build_decision(rng: random.Random, organ: Organ, issued: date) -> Content:
    """QUYẾT ĐỊNH: legal bases, 'QUYẾT ĐỊNH:', Điều 1-3."""
    topic = rng.choice(DECISION_TOPICS)(rng, organ, issued)
    proposal = issued - timedelta(days=rng.randint(3, 25))
    proposer = rng.choice(
        ["Chánh Văn phòng Sở", "Trưởng phòng Tổ chức cán bộ", "Trưởng phòng Kế hoạch - Tài chính"]
        if organ.level == "department"
        else ["Trưởng phòng Tài nguyên và Môi trường", "Trưởng phòng Nội vụ", "Trưởng phòng Kinh tế và Hạ tầng"]
    )
    body = [
        basis_law(rng),
        *topic.before,
        Para(
            f"Theo đề nghị của {proposer} tại Tờ trình số "
            f"{rng.randint(12, 480)}/TTr-{organ.unit} {date_words(proposal)}.",
            style="italic",
        ),
        Para("QUYẾT ĐỊNH:", style="bold", align="center", indent=False),
        Para(f"Điều 1. {topic.lead}", lead=2),
        *(topic.more() for _ in range(rng.randint(2, 4))),
    ]
    more_at = len(body)
    body += [
        Para(f"Điều 2. {topic.closing}", lead=2),
        Para(
            "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng, Thủ "
            "trưởng các cơ quan, đơn vị và các cá nhân có tên tại Điều 1 chịu trách "
            "nhiệm thi hành Quyết định này./.",
            lead=2,
        ),
    ]
    return Content(
        kind="decision",
        organ=organ,
        number=doc_number(rng, False),
        notation=f"QĐ-{organ.abbr}",
        issued=issued,
        type_name="QUYẾT ĐỊNH",
        subject=topic.subject,
        body=body,
        more=topic.more,
        more_at=more_at,
        recipients=recipients(rng, organ, ["- Như Điều 3;"]),
        signer=signer_for(rng, organ, organ.locale),
        authority=organ.authority,
    )


# ----------------------------------------------------------------------------- notice

NOTICE_TASKS = [
    "- Phòng Tài nguyên và Môi trường khẩn trương hoàn thiện hồ sơ giao đất, cấp giấy "
    "chứng nhận quyền sử dụng đất cho các hộ gia đình, cá nhân;",
    "- Phòng Kinh tế và Hạ tầng chủ trì kiểm tra, xử lý dứt điểm các trường hợp vi phạm trật tự xây dựng trên địa bàn;",
    "- Phòng Giáo dục và Đào tạo chỉ đạo các trường chuẩn bị tốt các điều kiện cho năm học mới;",
    "- Phòng Tài chính - Kế hoạch đôn đốc thu ngân sách, bảo đảm hoàn thành chỉ tiêu được giao;",
    "- Phòng Nông nghiệp và Phát triển nông thôn hướng dẫn Nhân dân chăm sóc lúa, phòng trừ sâu bệnh;",
    "- Phòng Văn hóa và Thông tin đẩy mạnh tuyên truyền các nhiệm vụ chính trị của địa phương;",
    "- Công an huyện tăng cường bảo đảm an ninh trật tự, an toàn giao thông trên địa bàn;",
    "- Ủy ban nhân dân các xã tập trung giải quyết dứt điểm đơn thư khiếu nại, tố cáo của công dân;",
]


def _schedule_items(rng: random.Random, organ: Organ, issued: date) -> Callable[[], Para]:
    day = [issued + timedelta(days=rng.randint(5, 12))]
    roles = cycle_pool(
        rng,
        {
            "department": ["Giám đốc Sở", "Phó Giám đốc Sở", "Chánh Thanh tra Sở"],
            "office": ["Trưởng phòng", "Phó Trưởng phòng"],
        }.get(
            organ.level,
            [
                "Chủ tịch",
                "Phó Chủ tịch",
                "Phó Chủ tịch phụ trách khối kinh tế",
                "Phó Chủ tịch phụ trách khối văn hóa - xã hội",
            ],
        ),
    )

    def make() -> Para:
        person = pick_person(rng, organ.locale, born_range=(1965, 1985))
        text = f"- Ngày {date_slash(day[0])}: Đồng chí {person.name}, {roles()} trực tiếp tiếp công dân;"
        day[0] += timedelta(days=rng.randint(5, 9))
        return Para(text)

    return make


def _closing(organ: Organ) -> Para:
    return Para(f"{organ.proper} thông báo để các cơ quan, đơn vị và Nhân dân biết, thực hiện./.")


def _reception(rng: random.Random, organ: Organ, issued: date) -> Topic:
    month = issued.month % 12 + 1
    return Topic(
        f"Về việc tổ chức tiếp công dân định kỳ tháng {month:02d} năm {issued.year}",
        [
            Para(
                "Thực hiện Luật Tiếp công dân ngày 25 tháng 11 năm 2013 và Nghị định số "
                "64/2014/NĐ-CP ngày 26 tháng 6 năm 2014 của Chính phủ;",
                style="italic",
            ),
            Para(f"{organ.proper} thông báo lịch tiếp công dân định kỳ tháng {month:02d} như sau:"),
            Para("1. Thời gian tiếp công dân:"),
        ],
        _schedule_items(rng, organ, issued),
        [
            Para(f"2. Địa điểm: Trụ sở tiếp công dân, {organ.proper}."),
            Para("3. Thành phần: Đại diện lãnh đạo các phòng, ban chuyên môn có liên quan.", optional=True),
            _closing(organ),
        ],
    )


def _land_notice(rng: random.Random, organ: Organ, issued: date) -> Topic:
    project = project_name(rng, organ.locale)
    month = issued.month % 12 + 1
    survey = f"3. Kế hoạch điều tra, khảo sát, đo đạc, kiểm đếm: Từ tháng {month:02d} năm {issued.year}."
    return Topic(
        f"Về việc thu hồi đất để thực hiện dự án {project}",
        [
            Para(LAW_LAND, style="italic"),
            Para(f"1. Lý do thu hồi đất: Để thực hiện dự án {project}."),
            Para("2. Danh sách các thửa đất dự kiến thu hồi:"),
        ],
        plot_items(rng, organ.locale),
        [
            Para(survey, optional=True),
            Para("4. Dự kiến về kế hoạch di chuyển và bố trí tái định cư: Không."),
            _closing(organ),
        ],
    )


def _conclusions(rng: random.Random, organ: Organ, issued: date) -> Topic:
    tasks = cycle_pool(rng, NOTICE_TASKS)
    return Topic(
        f"Kết luận của {organ.head} tại cuộc họp giao ban tháng {issued.month:02d} năm {issued.year}",
        [
            Para(
                f"Ngày {issued.day:02d}/{issued.month:02d}/{issued.year}, {organ.head} chủ "
                "trì cuộc họp giao ban đánh giá kết quả thực hiện nhiệm vụ tháng và triển "
                "khai nhiệm vụ trọng tâm tháng tới."
            ),
            Para(
                "Sau khi nghe báo cáo và ý kiến của các đại biểu dự họp, Chủ trì cuộc họp kết "
                "luận và giao nhiệm vụ như sau:"
            ),
        ],
        lambda: Para(tasks()),
        [Para("Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.")],
    )


NOTICE_TOPICS = (_reception, _land_notice, _conclusions)


def build_notice(rng: random.Random, organ: Organ, issued: date) -> Content:
    """THÔNG BÁO with a list of items."""
    topic = rng.choice(NOTICE_TOPICS)(rng, organ, issued)
    body = [*topic.before, *(topic.more() for _ in range(rng.randint(2, 4)))]
    return Content(
        kind="notice",
        organ=organ,
        number=doc_number(rng, False),
        notation=f"TB-{organ.abbr}",
        issued=issued,
        type_name="THÔNG BÁO",
        subject=topic.subject,
        body=body + topic.after,
        more=topic.more,
        more_at=len(body),
        recipients=recipients(rng, organ, ["- Như trên;"] if rng.random() < 0.5 else []),
        signer=signer_for(rng, organ, organ.locale),
    )
