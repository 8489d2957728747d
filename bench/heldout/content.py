# ruff: noqa: E501
"""What a held-out document says: header facts, title, body paragraphs, recipients and signer, per kind."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from bench.heldout import names, phrases
from bench.heldout.names import Organ, Person

KINDS = ("cong_van", "quyet_dinh", "giay_phep", "thong_bao")


@dataclass
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False
    gap: float = 0.0  # when > 0: a blank of this many millimetres (left for handwriting); text is " "


@dataclass
class Para:
    """A paragraph: runs wrapped by the layout engine."""

    runs: list[Run]
    align: str = "justify"  # justify | center | left
    indent: bool = True  # first-line indent
    size: float = 0.0  # pt relative to the body size
    space_before: float = 3.0  # pt
    hanging: bool = False  # continuation lines aligned after a "label: " prefix


@dataclass
class Table:
    """A bordered table; the first row is the header."""

    rows: list[list[str]]
    fractions: list[float]


@dataclass
class Content:
    """Everything printed on a document, independent of where it lands on the page."""

    kind: str
    organ: Organ
    date: dt.date
    code: str
    notation: str
    type_title: str | None
    subject: str | None
    authority: str | None = None
    recipients: list[str] = field(default_factory=list)
    body: list[Para | Table] = field(default_factory=list)
    noi_nhan: list[str] = field(default_factory=list)
    signer_prefix: str | None = None
    signer_title: str = ""
    signer_name: str = ""
    holder: Person | None = None
    holder_upper_in_text: bool = False
    valid_until: dt.date | None = None
    handwritten_number: bool = False
    handwritten_day: bool = False
    variations: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return f"{self.code}/{self.notation}"


class Filler(dict):
    """Format mapping for phrase templates."""

    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def filler(rng: random.Random, organ: Organ, date: dt.date, holder: Person | None = None) -> Filler:
    deadline = date + dt.timedelta(days=rng.randint(7, 40))
    return Filler(
        y=date.year,
        y1=date.year + 1,
        m=names.month_str(date.month),
        d=names.short_date(deadline),
        org=organ.formal,
        short=organ.short,
        commune=organ.commune or "Khánh Hòa",
        village=rng.choice(names.VILLAGES),
        area=rng.choice(["120,5", "150,0", "200,0", "96,8", "180,3"]),
        parcel=rng.randint(12, 480),
        sheet=rng.randint(1, 42),
        flow=rng.choice(["15", "20", "35", "50"]),
        money=rng.choice(["360.000", "540.000", "500.000", "750.000"]),
    )


def para(text: str, **kw: object) -> Para:
    return Para([Run(text)], **kw)  # type: ignore[arg-type]


def lead(label: str, text: str, bold_label: bool = True, **kw: object) -> Para:
    return Para([Run(label, bold=bold_label), Run(text)], **kw)  # type: ignore[arg-type]


def noi_nhan(rng: random.Random, organ: Organ, decision: bool) -> list[str]:
    head_formal = {
        "so": "Giám đốc Sở",
        "phong": "Lãnh đạo UBND huyện",
        "ca": "Ban Giám đốc Công an tỉnh",
        "bo": "Bộ trưởng",
    }.get(organ.level, "TT. Đảng ủy, TT. HĐND")
    pool = phrases.NOI_NHAN_DECISION if decision else phrases.NOI_NHAN_LETTER
    items = [pool[0], *rng.sample(pool[1:], rng.randint(1, len(pool) - 1))]
    tail = rng.choice(phrases.NOI_NHAN_TAIL).format(unit=rng.choice(organ.units))
    return [i.format(head_formal=head_formal, head_short=organ.head.lower()) for i in items] + [tail]


def base_content(rng: random.Random, kind: str, organ: Organ, type_abbr: str | None) -> Content:
    date = names.random_date(rng)
    code = names.code_number(rng)
    if type_abbr is None:
        notation = organ.abbr if organ.level == "phong" else f"{organ.abbr}-{rng.choice(organ.units)}"
    else:
        notation = f"{type_abbr}-{organ.abbr}"
    prefix, title = names.signer_lines(rng, organ, kind)
    content = Content(kind, organ, date, code, notation, None, None)
    content.signer_prefix, content.signer_title, content.signer_name = prefix, title, names.official_name(rng)
    content.handwritten_number = rng.random() < 0.3
    content.handwritten_day = content.handwritten_number and rng.random() < 0.4
    return content


def cong_van(rng: random.Random, length: int) -> Content:
    organ = names.make_organ(rng)
    content = base_content(rng, "cong_van", organ, None)
    fill = filler(rng, organ, content.date)
    topics = phrases.LETTER_TOPICS.get(organ.domain) or phrases.LETTER_TOPICS["general"]
    topic_t, tasks = rng.choice(topics)
    topic = topic_t.format_map(fill)
    content.type_title, content.subject = "CÔNG VĂN", f"V/v {topic}"
    if rng.random() < 0.25:
        single = {
            "so": f"Ủy ban nhân dân tỉnh {organ.province}",
            "phong": f"Ủy ban nhân dân huyện {organ.district}",
            "xa": f"Ủy ban nhân dân huyện {organ.district}",
            "ca": f"Công an tỉnh {organ.province}",
            "bo": "Các đơn vị thuộc Bộ",
        }
        content.recipients = [single.get(organ.level, f"Sở Tài chính tỉnh {organ.province}")]
        content.variations.append("single_recipient")
    else:
        content.recipients = [
            f"- {r}" for r in rng.sample(organ.recipients, min(len(organ.recipients), rng.randint(2, 3)))
        ]
        content.recipients[-1] = content.recipients[-1].rstrip(";.") + "."
    ref = f"{rng.randint(100, 4999)}/{rng.choice(['UBND-VP', 'VPCP-KGVX', 'UBND-KT'])}"
    refdate = names.short_date(content.date - dt.timedelta(days=rng.randint(5, 30)))
    higher = phrases.HIGHER[organ.level]
    extra_keys = {"ref": ref, "refdate": refdate, "higher": higher, "topic": topic}
    opening = rng.choice(phrases.LETTER_OPENINGS).format_map(Filler({**fill, **extra_keys}))
    content.body.append(para(opening[0].upper() + opening[1:]))
    content.body += [para(p.format_map(fill)) for p in phrases.CONTEXT[: max(0, length - 4)]]
    items = [t.format_map(fill) for t in tasks]
    extra = [t.format_map(fill) for t in rng.sample(phrases.GENERIC_TASKS, min(length, len(phrases.GENERIC_TASKS)))]
    numbered = rng.random() < 0.7
    for i, item in enumerate(items + extra, start=1):
        content.body.append(para(f"{i}. {item}" if numbered else f"- {item}"))
    content.body.append(para(rng.choice(phrases.LETTER_CLOSINGS).format_map(fill)))
    content.noi_nhan = noi_nhan(rng, organ, decision=False)
    return content


def thong_bao(rng: random.Random, length: int) -> Content:
    organ = names.make_organ(rng)
    content = base_content(rng, "thong_bao", organ, "TB")
    fill = filler(rng, organ, content.date)
    content.type_title = "THÔNG BÁO"
    if rng.random() < 0.8:
        content.subject = rng.choice(phrases.NOTICE_SUBJECTS).format_map(fill)
    else:
        content.variations.append("no_subject")
    plan = f"Kế hoạch số {rng.randint(10, 399)}/KH-{organ.abbr} ngày {names.short_date(content.date - dt.timedelta(days=12))}"
    content.body.append(para(f"Thực hiện {plan} của {organ.formal}; {organ.formal} thông báo như sau:"))
    content.body += [para(p.format_map(fill)) for p in phrases.CONTEXT[: max(0, length - 5)]]
    pool = rng.sample(phrases.NOTICE_ITEMS, min(len(phrases.NOTICE_ITEMS), 2 + length))
    for i, item in enumerate(pool, start=1):
        content.body.append(para(f"{i}. {item.format_map(fill)}"))
    content.body.append(para(rng.choice(phrases.NOTICE_CLOSINGS).format_map(fill)))
    content.noi_nhan = noi_nhan(rng, organ, decision=False)
    return content


def authority_line(organ: Organ) -> str:
    if organ.collective:
        return f"CHỦ TỊCH {organ.name}"
    if organ.level == "bo":
        return f"BỘ TRƯỞNG {organ.name}"
    if organ.level == "ca":
        return organ.head + " " + organ.name.removeprefix("CÔNG AN ")
    return (
        f"{organ.head.removesuffix(' PHÒNG')} {organ.name}" if organ.level == "phong" else f"{organ.head} {organ.name}"
    )
