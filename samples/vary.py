"""Rendering a document with layout variations: content changes, options, fitting, pen marks.

:func:`render_varied` is what :func:`samples.generate.render_document` does when
variations are asked for: rewrite the content (holder in running text, a
table), draw the pages with the variation's :class:`~samples.variations.LayoutOptions`,
keep the footer on the page, and plan the pen and stamp marks that
:func:`samples.degrade.degrade` will draw.  All its random draws come from an
rng of its own, so the document's text and layout draws are those of the plain
document.

``holder_running_text``: the usual documents print the holder on lines of their
own ("Họ, chữ đệm, tên: NGUYỄN VĂN AN", then the identity number, then the
address).  Here those lines become one sentence: "1. Cấp cho Bà: Đặng Thị Lan,
số định danh cá nhân: 037…, nơi cư trú: …", "Ông (bà): …", "Họ và tên: …,
giới tính: …" inside the text, the name in normal case.  A decision becomes one
about a single person.  The truth's ``holder_name`` stays the name in capitals.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace

from samples.compose import Rendered, render
from samples.content import Content, Para, cycle_pool
from samples.marks import MARKS_KEY, plan_marks
from samples.tables import TablePara, add_table
from samples.variations import LayoutOptions, layout_options
from samples.vocab import Person, citizen_id, date_slash, decimal_vi, pick_person

ITEM = re.compile(r"^(\d+\.|-|\+|[a-gđ]\)) ")


# ----------------------------------------------------------------------------- holder in running text


IDENTITY_LABELS = (
    "Ngày, tháng, năm sinh",
    "Giới tính",
    "Số định danh",
    "Số CMND",
    "Địa chỉ",
    "Nơi cư trú",
    "Nơi thường trú",
    "Chỗ ở hiện tại",
)
NUMBERED = re.compile(r"^(\d+)\. ")


def _id_phrase(holder_id: str) -> str:
    label = "số định danh cá nhân" if len(holder_id) == 12 else "số CMND"
    return f"{label}: {holder_id}"


def _who(rng: random.Random, person: Person) -> str:
    """How the person is named in the sentence."""
    honorific = person.honorific
    return rng.choice(
        [
            f"{honorific}: {person.name}",
            f"{honorific.lower()} {person.name}",
            f"ông (bà): {person.name}",
            f"người có họ và tên: {person.name}",
        ]
    )


def _sentence(kind: str, rng: random.Random, person: Person, holder_id: str) -> str:
    """The running-text paragraph that replaces the holder's lines."""
    where, ident, born = person.home.address(), _id_phrase(holder_id), date_slash(person.born)
    if kind == "construction_permit":
        return f"1. Cấp cho {_who(rng, person)}, {ident}, nơi cư trú: {where}."
    if kind == "business":
        return (
            f"Chủ hộ kinh doanh: Họ và tên: {person.name}, giới tính: {person.sex}, sinh ngày {born}, "
            f"{ident}, nơi thường trú: {where}."
        )
    if kind == "certificate":
        return rng.choice(
            [
                f"Ông (bà): {person.name}, sinh năm {person.born.year}, {ident}, địa chỉ thường trú: {where}.",
                f"Cấp cho {_who(rng, person)}, sinh năm {person.born.year}, {ident}, địa chỉ thường trú: {where}.",
            ]
        )
    if kind == "marital_status":
        return (
            f"Xác nhận {_who(rng, person)}, sinh ngày {born}, giới tính: {person.sex}, dân tộc: Kinh, "
            f"quốc tịch: Việt Nam, {ident}, nơi cư trú: {where}."
        )
    return f"1. Họ và tên: {person.name}, giới tính: {person.sex}, sinh ngày {born}, {ident}."


def _identity_block(body: list[Para], holder: Person, holder_id: str) -> tuple[int, list[int]]:
    """Index of the paragraph naming the holder and the indices of its identity paragraphs."""
    start = next(i for i, para in enumerate(body) if holder.upper in para.text)
    drop = [start]
    for i in range(start + 1, len(body)):
        text = NUMBERED.sub("", body[i].text)
        if not text.startswith(IDENTITY_LABELS):
            break
        drop.append(i)
    drop += [i for i, para in enumerate(body) if holder_id in para.text and i not in drop]
    return start, sorted(drop)


def _renumber(body: list[Para]) -> None:
    """Number the numbered paragraphs 1, 2, 3 … again (criminal-record items)."""
    counter = itertools.count(1)
    for para in body:
        if NUMBERED.match(para.text):
            para.text = NUMBERED.sub(f"{next(counter)}. ", para.text, count=1)


def _decision(content: Content, rng: random.Random) -> Content:
    """A decision about one person: Điều 1 names them in the sentence."""
    person = pick_person(rng, content.organ.locale, born_range=(1955, 1995))
    holder_id = citizen_id(rng, person)
    area = decimal_vi(rng.uniform(60, 300))
    plot = f"thửa đất số {rng.randint(10, 999)}, tờ bản đồ số {rng.randint(2, 45)}"
    grant = rng.choice(
        [
            f"Cho phép {_who(rng, person)}, {_id_phrase(holder_id)}, nơi cư trú: {person.home.address()}, được "
            f"chuyển mục đích sử dụng {area} m2 đất trồng cây lâu năm sang đất ở tại {plot}.",
            f"Công nhận quyền sử dụng {area} m2 đất tại {plot} của {person.honorific.lower()} {person.name}, "
            f"{_id_phrase(holder_id)}, nơi cư trú: {person.home.address()}.",
        ]
    )
    conditions = cycle_pool(
        rng,
        [
            "- Sử dụng đất đúng mục đích, đúng ranh giới được xác định trên thực địa;",
            "- Nộp tiền sử dụng đất và lệ phí trước bạ theo quy định;",
            "- Đăng ký biến động đất đai tại Chi nhánh Văn phòng đăng ký đất đai;",
            "- Chấp hành các quy định của pháp luật về đất đai và xây dựng;",
        ],
    )
    body = list(content.body)
    first = next(i for i, para in enumerate(body) if para.text.startswith("Điều 1."))
    second = next(i for i, para in enumerate(body) if para.text.startswith("Điều 2."))
    body[first:second] = [
        Para(f"Điều 1. {grant}", lead=2),
        Para("Người sử dụng đất có trách nhiệm:"),
        Para(conditions()),
    ]
    return replace(
        content,
        subject="Về việc chuyển mục đích sử dụng đất"
        if grant.startswith("Cho")
        else "Về việc công nhận quyền sử dụng đất",
        body=body,
        more=lambda: Para(conditions()),
        more_at=first + 3,
        holder_name=person.upper,
        holder_id=holder_id,
        holder=person,
    )


def running_text(content: Content, rng: random.Random) -> Content:
    """The content with the holder in running text (unchanged for kinds without a holder)."""
    if content.kind == "decision":
        return _decision(content, rng)
    if content.holder is None or content.holder_id is None:
        return content
    body = [replace(para) for para in content.body]
    start, drop = _identity_block(body, content.holder, content.holder_id)
    kind = "business" if content.notation == "ĐKHKD" else content.kind
    sentence = Para(_sentence(kind, rng, content.holder, content.holder_id))
    kept = [sentence if i == start else para for i, para in enumerate(body) if i not in drop or i == start]
    if content.kind == "criminal_record":
        _renumber(kept)
    more_at = content.more_at - sum(1 for i in drop if i < content.more_at and i != start)
    return replace(content, body=kept, more_at=more_at)


# ----------------------------------------------------------------------------- rendering


def _render_fitting(
    content: Content, kind: str, seed: int, *, dpi: int, font: str, pages: int, options: LayoutOptions
) -> Rendered:
    """Render; while the footer does not fit, drop the list's last items, shorten the table, then squeeze."""
    keep = {content.holder_name, content.holder_id, content.holder.name if content.holder else None} - {None}
    for _ in range(16):
        layout_rng = random.Random(f"layout:{kind}:{seed}")
        rendered = render(content, dpi=dpi, family=font, pages=pages, rng=layout_rng, options=options)
        if rendered.geometry["fits"]:
            break
        tables = [para for para in content.body if isinstance(para, TablePara) and len(para.rows) > 3]
        items = [
            i
            for i, para in enumerate(content.body[: content.more_at])
            if i > 0 and ITEM.match(para.text) and not any(word in para.text for word in keep if word)
        ]
        if len(items) > 2 or (items and not tables and len(items) > 1):
            content.body.pop(items[-1])
            content.more_at -= 1
        elif tables:
            tables[0].rows.pop()
        elif options.squeeze < 2:
            options = replace(options, squeeze=options.squeeze + 1)
        else:
            break
    return rendered


def render_varied(
    content: Content, kind: str, seed: int, *, dpi: int, font: str, pages: int, names: tuple[str, ...]
) -> tuple[Content, Rendered, tuple[str, ...]]:
    """The varied content, its rendering (marks requested on page 1) and the variations as applied."""
    vary = random.Random(f"variations:{kind}:{seed}")
    options = layout_options(names, vary)
    if "holder_running_text" in names:
        content = running_text(content, vary)
    if "table" in names:
        add_table(content, vary)
    rendered = _render_fitting(content, kind, seed, dpi=dpi, font=font, pages=pages, options=options)
    marks = plan_marks(names, rendered.geometry, content, vary, dpi)
    if marks:
        rendered.pages[0].info[MARKS_KEY] = marks
    if options.agency_lines is not None:  # record the line count the agency's name allowed
        asked, done = f"agency_lines_{options.agency_lines}", f"agency_lines_{rendered.geometry['agency_lines']}"
        names = tuple(sorted((set(names) - {asked}) | {done}))
    return content, rendered, names
