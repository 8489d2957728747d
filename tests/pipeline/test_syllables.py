"""Vietnamese syllable checker: real administrative vocabulary accepted, OCR garbage rejected, fast on repeats."""

import re
import unicodedata

import pytest

from pipeline.syllables import invalid_syllables, is_syllable, syllable_share

HEADINGS = """
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
ỦY BAN NHÂN DÂN TỈNH NINH BÌNH
SỞ GIÁO DỤC VÀ ĐÀO TẠO
PHÓ GIÁM ĐỐC
CHỦ TỊCH
Kính gửi
Về việc
quyền sử dụng đất
"""

AGENCIES_AND_TITLES = """
Hội đồng nhân dân Thường trực Văn phòng Chánh Văn phòng Phòng Ban Cục Tổng cục Thuế Bộ Nội vụ Tư pháp
Sở Tài nguyên và Môi trường Kế hoạch và Đầu tư Lao động Thương binh và Xã hội Y tế Xây dựng Công an
Giao thông vận tải Khoa học và Công nghệ Thông tin và Truyền thông Văn hóa Thể thao và Du lịch
Nông nghiệp và Phát triển nông thôn Công Thương Ngoại vụ Dân tộc Tôn giáo Thi đua Khen thưởng Lưu trữ
Kho bạc Nhà nước Ngân hàng Bảo hiểm xã hội Tòa án nhân dân Viện kiểm sát Thanh tra Bộ đội Biên phòng
Trung tâm Huyện Xã Phường Thị trấn Thành phố Tỉnh Quận thôn xóm ấp bản buôn tổ dân phố khu phố
Phó Chủ tịch Giám đốc Trưởng phòng Thủ trưởng Bí thư Đảng ủy Thứ trưởng Bộ trưởng Thủ tướng Chính phủ
Tổng Giám đốc Kế toán trưởng cán bộ công chức viên chức người lao động chuyên viên
"""

DOCUMENT_TEXT = """
Căn cứ Luật Tổ chức chính quyền địa phương ngày tháng năm Nghị định Thông tư Quyết định Điều Khoản
thi hành kể từ ngày ký ban hành Nơi nhận Như trên Lưu biên bản hợp đồng công văn tờ trình thông báo
giấy chứng nhận quyền sở hữu nhà ở và tài sản khác gắn liền với đất
Xét đề nghị của Theo chịu trách nhiệm có hiệu lực Các ông bà Tên tôi là Sinh Nơi thường trú Quê quán
Kinh Quốc tịch Giới tính Nam Nữ Số định danh cá nhân Căn cước công dân Hộ khẩu Địa chỉ Điện thoại
thửa tờ bản đồ diện tích mục đích đất ở tại trồng lúa thời hạn lâu dài nguồn gốc giao có thu tiền
chuyển nhượng thừa kế tặng cho thế chấp giải quyết khiếu nại tố cáo xử phạt vi phạm hành chính lĩnh vực
kiểm tra báo cáo tuyển dụng bổ nhiệm nghỉ hưu kỷ luật khiển trách cảnh cáo lương phụ cấp hệ số ngạch bậc
thuộc nguyện vọng xác nhận chứng thực bản sao bản chính đúng đóng dấu khẩn mật hỏa tốc thượng tuyệt
Mẫu Phụ lục Kèm theo Danh sách Họ và tên Chức vụ Đơn vị Ghi chú Tổng cộng đồng Bằng chữ
triệu nghìn trăm mười lăm mươi tư một hai ba bốn sáu bảy tám chín linh lẻ tỷ rưỡi
khuyến khích khuyết tật huấn luyện tuyên truyền phổ biến giáo dục pháp luật hướng dẫn thẩm quyền thẩm định
phê duyệt quy hoạch quy định điều chỉnh bổ sung sửa đổi bãi bỏ thay thế hủy thu hồi bồi thường hỗ trợ
tái định cư giải phóng mặt bằng dự án ngân sách quyết toán dự toán thanh toán tạm ứng khoáng sản rừng
thủy lợi thủy sản chăn nuôi thuốc bảo vệ thực vật dịch bệnh chống thiên tai bão lụt hạn hán
hoặc xoáy khuỷu thuở huơ goá quạ gì giếng giêng giặt gìn giữ giữa già nghiêng nghiệp nghỉ nghe ghế ghi ghe
kẻ kê kiểm kỹ kỳ kia yên yêu yếu ý y uy uyên oai ổn ồn ưu ứng ước ươm ưng ăn âm ẩn ép em êm ếch ích
ốc ông ơn ủng út xẻng kẻng ễng ương kênh lệnh mệnh chênh xe buýt công ty khuâng khuấy nguệch ngoằn ngoèo
loằng ngoằng hoắm thoắt xoăn hoen khoét ngoạm rượu người muốn tiếng tuổi gửi túi dịu
"""

FAMILY_AND_GIVEN_NAMES = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Khuất Quách Thái Tạ Trịnh Ưng
Văn Thị Hữu Đức Tuấn Quỳnh Khuê Duy Nguyệt Tuyết Loan Khoa Thuận Xuân Mai Lan Hương Hằng Hạnh Thảo Trang
Linh Ngọc Anh Minh Hùng Dũng Cường Thắng Long Hải Sơn Tùng Phương Nhung Hoa Hiền Thu Hà Nga Nhàn Oanh Yến
Uyên Vy Thy Thủy Thúy Thùy Huyền Hồng Liên Châu Bích Kiều Diệp Khánh Khang Kiên Kiệt Lộc Phúc Quang Quân
Quý Tâm Thành Thịnh Toàn Trọng Trung Việt Vinh Nghĩa Nhân Hiếu Hậu Hòa Hoà Huệ Bảo Chi Diễm Hân Khuyên
My Ly Ny Nhi Như Quyên Tú Tuyền Xuyến Doãn Lương Mạc Lại La Lạc Chu Cao Đinh Đoàn Đào Tô Trương Triệu
Ông Âu Giáp Khổng Mẫn Nghiêm Phùng Tăng Thân Từ Vương Viên Quan Lưu Sỹ Thuý Uỷ Ủy
"""

PLACE_NAMES = """
Ninh Bình Yên Khánh Hoa Lư Thừa Thiên Huế Quảng Ngãi Bà Rịa - Vũng Tàu Đắk Lắk Đắk Nông Kon Tum Gia Lai
Phú Quốc Buôn Ma Thuột Hà Nội Hải Phòng Đà Nẵng Cần Thơ Hồ Chí Minh Quảng Ninh Bắc Giang Bắc Ninh
Lạng Sơn Cao Bằng Hà Giang Tuyên Quang Lào Cai Yên Bái Thái Nguyên Phú Thọ Vĩnh Phúc Điện Biên Lai Châu
Sơn La Hòa Bình Hưng Yên Hải Dương Thái Bình Nam Định Hà Nam Thanh Hóa Nghệ An Hà Tĩnh Quảng Bình
Quảng Trị Quảng Nam Bình Định Phú Yên Khánh Hòa Ninh Thuận Bình Thuận Lâm Đồng Đồng Nai Bình Dương
Bình Phước Tây Ninh Long An Tiền Giang Bến Tre Trà Vinh Vĩnh Long Đồng Tháp An Giang Kiên Giang
Hậu Giang Sóc Trăng Bạc Liêu Cà Mau Krông Pắc Krông Năng Đăk Hà Đak Pơ Kông Kon Rẫy Chư Sê
"""

VALID_TEXT = HEADINGS + AGENCIES_AND_TITLES + DOCUMENT_TEXT + FAMILY_AND_GIVEN_NAMES + PLACE_NAMES
VALID_WORDS = sorted({w for w in re.split(r"[\s\-–,.:;()]+", VALID_TEXT) if w})

INVALID_TOKENS = [
    # Misread or run-together words, doubled letters.
    *("HỨGI", "GIẢMĐỐC", "GIÁMĐỐC", "ĐỐCC", "NGHĨAA", "CỘNGG", "ƯỜNGG", "LẼE", "THUU", "tiêngg", "NAMM"),
    *("ĐĐỨC", "HÒAA", "nguyễnn", "thij", "tnh", "ỵhị", "bcd", "nn", "aa", "oo", "eê", "uư", "ưo"),
    # Two tone marks, or a tone mark on a consonant / a final semivowel / the wrong half of a diphthong.
    *("NGUYỄỄN", "hóà", "hòà", "v\u0300a", "nh\u0301a", "hoaì", "maì", "tuôỉ", "miá", "tíên", "ngừơi", "qúy"),
    # Wrong tone for a stop coda, stop coda without tone.
    *("ĐỒC", "đàp", "hỏc", "thẫt", "mãch", "sat", "dât"),
    # Spelling rules: gh/ngh/k before front vowels only, c/g/ng never before them, q only as qu.
    *("ghá", "ngha", "ghô", "nghà", "ci", "ce", "gê", "ngy", "qa", "quu", "coa", "cuy", "giy", "kuy", "kưa"),
    # Lone ă/â, â/ă without coda, forbidden codas, forbidden iê/yê spellings, impossible vowel clusters.
    *("ă", "â", "tâ", "bă", "ốch", "ưch", "ơng", "ơc", "ing", "ic", "ôch", "iêng", "tyên", "thươ", "tuô"),
    # Letters outside the Vietnamese alphabet or foreign diacritics.
    *("fax", "wifi", "zalo", "jun", "ĕm", "über", "ça", "niño", "ő", "Nguyen1"),
]

BRIEF_VALID = (
    *("ÁM", "âm", "ĐỐ", "ĐỌC", "ĐỐC", "NGHIA", "Nguyễn", "Thị", "khuya", "nghiêng", "giường", "quyết", "quốc", "Huỳnh"),
    *("Hoàng", "hoà", "hòa", "THUÝ", "thúy", "quả", "HOANG", "ăn", "Đắk", "Lắk", "kênh", "ễng", "gì", "giếng"),
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_the_valid_list_is_broad():
    assert len(VALID_WORDS) >= 300
    assert len(INVALID_TOKENS) >= 50


def test_every_listed_administrative_word_is_a_syllable():
    rejected = [w for w in VALID_WORDS if not is_syllable(w)]
    assert rejected == []


def test_valid_words_in_upper_case_and_nfd_are_still_syllables():
    rejected = [
        w for w in VALID_WORDS for form in (w.upper(), w.lower(), nfd(w), nfd(w.upper())) if not is_syllable(form)
    ]
    assert rejected == []


@pytest.mark.parametrize("token", INVALID_TOKENS)
def test_ocr_garbage_is_rejected(token):
    assert not is_syllable(token)
    assert not is_syllable(nfd(token))


@pytest.mark.parametrize("word", BRIEF_VALID)
def test_brief_examples_are_valid(word):
    assert is_syllable(word)


def test_icelandic_eth_is_read_as_d_with_stroke():
    assert is_syllable("Ðức")
    assert is_syllable("ðức")
    assert is_syllable("ÐỨC")


def test_both_tone_placements_on_open_oa_oe_uy():
    for old, new in [("hòa", "hoà"), ("thúy", "thuý"), ("khỏe", "khoẻ"), ("ủy", "uỷ"), ("tòa", "toà")]:
        assert is_syllable(old) and is_syllable(new)
    # With a coda, only the main vowel carries the mark.
    assert is_syllable("hoàn") and not is_syllable("hòan")
    assert is_syllable("thuyền") and not is_syllable("thùyên")


def test_stop_codas_take_only_rising_or_heavy_tone():
    for rhyme in ("ap", "at", "ac", "ach"):
        assert is_syllable("m" + rhyme.replace("a", "á", 1))
        assert is_syllable("m" + rhyme.replace("a", "ạ", 1))
        for mark in ("à", "ả", "ã", "a"):
            assert not is_syllable("m" + rhyme.replace("a", mark, 1))


def test_ethnic_place_name_spellings():
    # Coda k after any vowel taking c, exempt from the stop-tone rule; k before o/ô/ơ; the onset kr.
    for word in ("Đắk", "Lắk", "Đăk", "Đak", "Kon", "Kông", "Krông", "Búk"):
        assert is_syllable(word)
    # Other clusters and foreign letters are not accepted.
    for word in ("Pleiku", "Prông", "Jút", "Glong"):
        assert not is_syllable(word)


def test_well_formed_fragments_cannot_be_told_from_words_without_a_dictionary():
    # "ộng" (a fragment of "cộng"/"động") is orthographically possible: onsetless, one tone, valid rhyme.
    assert is_syllable("ộng")


def test_syllable_share_skips_abbreviations_digits_and_list_markers():
    line = "KT. CHỦ TỊCH UBND tỉnh, QĐ-UBND số 12/2023 CTrTT TTg Tp. Hồ Chí Minh a) b) đ)"
    words = line.split()
    assert syllable_share(words) == 1.0
    assert syllable_share(["UBND", "2023", "QĐ", "--", "", "b)"]) is None
    assert syllable_share([]) is None


def test_syllable_share_counts_garbage():
    assert syllable_share(["CỘNG", "HÒA", "XÃ", "HỘI", "ĐỒC", "tnh", "HỨGI", "Nguyễn"]) == pytest.approx(5 / 8)
    # NFD input behaves like NFC.
    assert syllable_share([nfd("Độc lập"), nfd("hoà")]) == 1.0


def test_invalid_syllables_lists_vietnamese_looking_non_syllables_in_order():
    text = "PHÓ GIÁMĐỐC Sở Giáo dục và Đào tạo; ĐỒC lập - Tự do/Hạnh phúcc. UBND, HĐND, tnh 2023 (NGUYỄỄN)"
    assert invalid_syllables(text) == ["GIÁMĐỐC", "ĐỒC", "phúcc", "NGUYỄỄN"]
    assert invalid_syllables(nfd("hóà")) == ["hóà"]
    assert invalid_syllables(VALID_TEXT) == []
