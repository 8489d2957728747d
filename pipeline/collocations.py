"""Word pairs of administrative Vietnamese, to mend the marks OCR confuses inside them.

Tesseract's commonest Vietnamese error is a tone mark read as its neighbour: the hook above for the acute
("kiếm tra", "tố chức", "đế thực hiện"), a circumflex dropped or added ("công dần"). Each of these words is a
real syllable, so no syllable check sees it. The pairs below are the working vocabulary of decisions, permits
and official letters; each spells only one pair once its marks are folded away, so a pair read with other
marks is the listed pair misread. Left out: pairs that fold like another common pair ("cơ quan" and "có
quan", "bảo vệ" and "báo về"), and pairs whose tone mark has two accepted places ("ủy ban" and "uỷ ban").
"""

from __future__ import annotations

import re

from pipeline.textfold import fold_diacritics

PAIRS = (
    "kiểm tra", "tổ chức", "để thực hiện", "thực hiện", "hướng dẫn", "quản lý", "công dân", "công chức",
    "viên chức", "cán bộ", "giải quyết", "thủ tục", "hồ sơ", "đăng ký", "giấy phép", "xây dựng", "đất đai",
    "môi trường", "tài nguyên", "giáo dục", "đào tạo", "lao động", "thương binh", "xã hội", "kế hoạch",
    "tài chính", "nội vụ", "tư pháp", "văn phòng", "nhân dân", "phòng chống", "tuyển dụng", "xét tuyển",
    "kết quả", "quyết định", "thông báo", "báo cáo", "triển khai", "tăng cường", "công tác", "sản xuất", "kinh doanh",
    "hộ gia đình", "cá nhân", "sử dụng", "thu hồi", "hỗ trợ", "chính sách", "người có công", "liệt sĩ",
    "dân cư", "sinh hoạt", "rác thải", "kỷ niệm", "định kỳ", "tiếp công dân", "nâng bậc lương",
    "thường xuyên", "hội đồng", "phê duyệt", "điều chỉnh", "bổ sung", "cấp giấy", "chứng nhận", "quyền sử dụng",
    "giao thông", "nông thôn", "an toàn", "phòng cháy", "chữa cháy", "dịch bệnh", "học sinh", "trường học",
    "năm học", "nghỉ tết", "dịp tết", "tết nguyên đán", "nguyên đán", "lễ hội", "bảo đảm", "cuộc họp",
    "thăm hỏi", "tặng quà", "đơn vị", "trực thuộc",
    "tình trạng", "hôn nhân", "khen thưởng", "kỷ luật", "bảo hiểm", "y tế", "đầu tư", "dự án",
    "ngân sách", "thanh tra", "khiếu nại", "tố cáo", "cải cách", "hành chính", "chuyển đổi",
    "chuẩn bị", "cao tuổi", "hộ nghèo", "cận nghèo", "phổ biến", "phổ thông", "pháp luật", "trợ cấp",
    "danh sách", "nhiệm vụ", "nhiệm kỳ", "ban hành", "quy chế", "làm việc", "rà soát", "trật tự", "căn cước",
    "định danh", "bồi dưỡng", "hằng tháng", "hằng năm", "về việc", "tổ công tác", "kinh phí", "thực phẩm",
    "dưới đất", "quyết toán", "dự toán", "giáo viên", "nhân dịp",
)  # fmt: skip
_BY_FOLDED = {fold_diacritics(pair): pair for pair in PAIRS}
_LONGEST = max(len(pair.split()) for pair in PAIRS)
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$")


#: "Ủy ban" read without its mark: "ủy" and "uỷ" are both written, "uy" never.
_UNMARKED_UY = re.compile(r"\b([Uu])y(?= ban\b)")
#: "năm" (year) read with another mark before a year: "nằm 2020".
_YEAR = re.compile(r"\b(?:nằm|nắm|nấm|nẵm|nám|năn)(?=\s+(?:19|20)\d\d\b)", re.IGNORECASE)


def mend_marks(text: str) -> str:
    """`text` with the listed pairs spelled as listed, "năm" before a year, and "Ủy ban" read without its mark.

    A word's case is kept ("Tố chức" becomes "Tổ chức"), but for a capital inside a pair shaped like its small
    letter ("tăng Cường"); punctuation around words stays where it was.
    """
    text = _YEAR.sub(lambda match: _same_case("năm", match[0]), text)
    text = _UNMARKED_UY.sub(lambda match: "Ủy" if match[1] == "U" else "ủy", text)
    tokens = text.split(" ")
    i = 0
    while i < len(tokens):
        for size in range(_LONGEST, 1, -1):
            matched = [_EDGE.match(token) for token in tokens[i : i + size]]
            parts = [p for p in matched if p is not None and p[2]]
            if len(parts) < size:
                continue
            if any(p[3] for p in parts[:-1]) or any(p[1] for p in parts[1:]):  # a comma inside is no pair
                continue
            pair = _BY_FOLDED.get(fold_diacritics(" ".join(p[2] for p in parts).lower()))
            if pair is None:
                continue
            for offset, (part, word) in enumerate(zip(parts, pair.split(), strict=True)):
                if offset and _capital_like_small(part[2]):
                    tokens[i + offset] = f"{part[1]}{word}{part[3]}"  # "tăng Cường": a small "c" read as "C"
                elif part[2].lower() != word:
                    tokens[i + offset] = f"{part[1]}{_same_case(word, part[2])}{part[3]}"
            i += size - 1
            break
        i += 1
    return " ".join(tokens)


def _capital_like_small(word: str) -> bool:
    """A word with a capital shaped like its small letter ("Cường", "Sở", "Xã"), the rest in small letters."""
    return len(word) > 1 and word[0].isupper() and word[1:].islower() and fold_diacritics(word[0]) in "cosvxz"


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word
