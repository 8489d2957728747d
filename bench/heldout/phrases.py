# ruff: noqa: E501
"""Vietnamese administrative wording for the held-out generator: subjects, tasks, legal bases, closings.

`{y}` is the issue year, `{d}` a deadline date, `{org}` the issuing agency's formal name, `{short}` its short name.
"""

from __future__ import annotations

# domain -> [(topic written after "V/v ", [specific tasks])]
LETTER_TOPICS: dict[str, list[tuple[str, list[str]]]] = {
    "gd": [
        (
            "tăng cường công tác phòng, chống dịch bệnh trong trường học",
            [
                "Chỉ đạo các cơ sở giáo dục thực hiện nghiêm việc vệ sinh trường, lớp học, khử khuẩn đồ dùng, thiết bị dạy học và khu vực vệ sinh chung.",
                "Phối hợp với trạm y tế trên địa bàn theo dõi sức khỏe học sinh, phát hiện sớm các trường hợp nghi mắc bệnh để cách ly, xử lý kịp thời.",
                "Tuyên truyền, hướng dẫn học sinh và cha mẹ học sinh các biện pháp phòng bệnh, giữ gìn vệ sinh cá nhân, rửa tay thường xuyên bằng xà phòng.",
            ],
        ),
        (
            "hướng dẫn thực hiện nhiệm vụ năm học {y}-{y1}",
            [
                "Tiếp tục thực hiện Chương trình giáo dục phổ thông 2018 theo lộ trình; bảo đảm đủ sách giáo khoa, thiết bị dạy học tối thiểu trước ngày khai giảng.",
                "Rà soát, sắp xếp mạng lưới trường, lớp phù hợp với điều kiện thực tế của địa phương; không để học sinh thiếu chỗ học.",
                "Xây dựng kế hoạch bồi dưỡng thường xuyên cho đội ngũ giáo viên, cán bộ quản lý; chú trọng năng lực ứng dụng công nghệ thông tin trong dạy học.",
            ],
        ),
        (
            "rà soát, thống kê số lượng giáo viên còn thiếu so với định mức",
            [
                "Rà soát số lượng giáo viên hiện có theo từng cấp học, môn học; xác định số giáo viên còn thiếu so với định mức quy định.",
                "Tổng hợp số liệu theo biểu mẫu đính kèm, gửi về {short} trước ngày {d} để tổng hợp, báo cáo cấp có thẩm quyền.",
            ],
        ),
    ],
    "tnmt": [
        (
            "tăng cường công tác quản lý nhà nước về đất đai trên địa bàn",
            [
                "Kiểm tra, rà soát việc sử dụng đất của các tổ chức, hộ gia đình, cá nhân; kịp thời phát hiện, ngăn chặn và xử lý các trường hợp lấn, chiếm, sử dụng đất sai mục đích.",
                "Đẩy nhanh tiến độ cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình, cá nhân đủ điều kiện theo quy định.",
                "Công khai thủ tục hành chính về đất đai tại Bộ phận tiếp nhận và trả kết quả; không để hồ sơ tồn đọng, quá hạn.",
            ],
        ),
        (
            "kiểm tra công tác bảo vệ môi trường tại các cơ sở sản xuất, kinh doanh",
            [
                "Lập danh sách các cơ sở sản xuất, kinh doanh có nguy cơ gây ô nhiễm môi trường trên địa bàn; xây dựng kế hoạch kiểm tra cụ thể.",
                "Yêu cầu các cơ sở thực hiện đầy đủ nội dung của giấy phép môi trường, quan trắc định kỳ và báo cáo công tác bảo vệ môi trường hằng năm.",
            ],
        ),
        (
            "thu gom, xử lý rác thải sinh hoạt tại các khu dân cư",
            [
                "Chỉ đạo các thôn, xóm bố trí điểm tập kết rác thải hợp lý, bảo đảm vệ sinh; không để rác thải tồn đọng quá 48 giờ.",
                "Vận động Nhân dân phân loại rác thải tại nguồn, không đổ rác thải xuống lòng sông, kênh mương.",
            ],
        ),
    ],
    "xd": [
        (
            "tăng cường quản lý trật tự xây dựng trên địa bàn",
            [
                "Kiểm tra việc chấp hành giấy phép xây dựng của các công trình đang thi công; xử lý nghiêm các trường hợp xây dựng không phép, sai phép.",
                "Rà soát, công khai quy hoạch chi tiết xây dựng đã được phê duyệt để Nhân dân biết, thực hiện.",
            ],
        ),
        (
            "hướng dẫn thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ",
            [
                "Hồ sơ đề nghị cấp giấy phép xây dựng nộp tại Bộ phận tiếp nhận và trả kết quả hoặc qua Cổng dịch vụ công trực tuyến.",
                "Thời hạn giải quyết không quá 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ; trường hợp từ chối phải trả lời bằng văn bản và nêu rõ lý do.",
            ],
        ),
    ],
    "yt": [
        (
            "tăng cường công tác phòng, chống dịch sốt xuất huyết",
            [
                "Tổ chức chiến dịch diệt lăng quăng, bọ gậy tại các hộ gia đình, khu dân cư có nguy cơ cao.",
                "Giám sát chặt chẽ các ca bệnh, xử lý triệt để ổ dịch, không để dịch lan rộng trong cộng đồng.",
            ],
        ),
        (
            "bảo đảm an toàn thực phẩm dịp Tết Nguyên đán và mùa Lễ hội Xuân {y1}",
            [
                "Kiểm tra các cơ sở sản xuất, kinh doanh thực phẩm, bếp ăn tập thể; xử lý nghiêm các hành vi vi phạm quy định về an toàn thực phẩm.",
                "Tuyên truyền để người tiêu dùng lựa chọn thực phẩm có nguồn gốc rõ ràng, bảo đảm chất lượng.",
            ],
        ),
    ],
    "tc": [
        (
            "hướng dẫn xây dựng dự toán ngân sách nhà nước năm {y1}",
            [
                "Dự toán thu, chi ngân sách phải được xây dựng trên cơ sở các chế độ, chính sách, định mức chi hiện hành, bảo đảm tính tích cực, vững chắc.",
                "Thuyết minh chi tiết cơ sở tính toán từng nội dung thu, chi; gửi báo cáo dự toán về {short} trước ngày {d}.",
            ],
        ),
        (
            "quyết toán kinh phí thực hiện chính sách hỗ trợ năm {y}",
            [
                "Tổng hợp số đối tượng được hỗ trợ, số kinh phí đã chi trả và kinh phí còn dư; đối chiếu với Kho bạc Nhà nước nơi giao dịch.",
                "Hồ sơ quyết toán gồm báo cáo quyết toán, danh sách đối tượng có ký nhận và các chứng từ liên quan.",
            ],
        ),
    ],
    "general": [
        (
            "triển khai thực hiện Kế hoạch cải cách hành chính năm {y}",
            [
                "Quán triệt đến toàn thể cán bộ, công chức, viên chức về mục tiêu, nhiệm vụ cải cách hành chính; gắn kết quả thực hiện với đánh giá, xếp loại cuối năm.",
                "Đẩy mạnh tiếp nhận, giải quyết thủ tục hành chính trực tuyến; nâng cao tỷ lệ hồ sơ được số hóa theo quy định.",
            ],
        ),
        (
            "chuẩn bị báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm {y}",
            [
                "Báo cáo tình hình, kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội 6 tháng đầu năm; những khó khăn, vướng mắc và đề xuất, kiến nghị.",
                "Báo cáo gửi về {short} (qua Văn phòng) trước ngày {d}, đồng thời gửi bản điện tử qua Hệ thống quản lý văn bản và điều hành.",
            ],
        ),
        (
            "tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn mùa mưa bão năm {y}",
            [
                "Kiện toàn Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn; phân công nhiệm vụ cụ thể cho từng thành viên.",
                "Kiểm tra, rà soát hệ thống đê điều, hồ đập, công trình thủy lợi; chuẩn bị đầy đủ vật tư, phương tiện theo phương châm bốn tại chỗ.",
            ],
        ),
        (
            "đôn đốc thực hiện nhiệm vụ chuyển đổi số năm {y}",
            [
                "Sử dụng thống nhất Hệ thống quản lý văn bản và điều hành; ký số văn bản điện tử, hạn chế tối đa việc gửi văn bản giấy.",
                "Cập nhật, làm sạch dữ liệu dân cư phục vụ giải quyết thủ tục hành chính trên môi trường điện tử.",
            ],
        ),
    ],
    "ca": [
        (
            "tăng cường công tác bảo đảm trật tự, an toàn giao thông dịp Tết Nguyên đán",
            [
                "Tăng cường tuần tra, kiểm soát, xử lý nghiêm các hành vi vi phạm về nồng độ cồn, tốc độ, chở quá số người quy định.",
                "Phối hợp với chính quyền địa phương tuyên truyền, vận động Nhân dân chấp hành pháp luật về trật tự, an toàn giao thông.",
            ],
        ),
        (
            "triển khai cấp căn cước và định danh điện tử cho công dân",
            [
                "Bố trí lực lượng, trang thiết bị tổ chức cấp căn cước tại trụ sở và lưu động tại các xã, thị trấn; ưu tiên người cao tuổi, người khuyết tật.",
                "Hướng dẫn công dân kích hoạt tài khoản định danh điện tử, bảo đảm an toàn, bảo mật thông tin cá nhân.",
            ],
        ),
    ],
    "ldtbxh": [
        (
            "rà soát hộ nghèo, hộ cận nghèo năm {y}",
            [
                "Thành lập Ban chỉ đạo rà soát cấp xã; tổ chức rà soát theo đúng quy trình, bảo đảm dân chủ, công khai, minh bạch.",
                "Tổng hợp kết quả rà soát theo biểu mẫu quy định, gửi về {short} trước ngày {d}.",
            ],
        ),
        (
            "tổ chức thăm hỏi, tặng quà người có công nhân dịp kỷ niệm Ngày Thương binh - Liệt sĩ",
            [
                "Rà soát danh sách người có công, thân nhân liệt sĩ trên địa bàn; bảo đảm quà được trao đúng đối tượng, kịp thời.",
                "Tổ chức các đoàn thăm hỏi, động viên gia đình chính sách có hoàn cảnh khó khăn.",
            ],
        ),
    ],
    "tp": [
        (
            "triển khai công tác phổ biến, giáo dục pháp luật năm {y}",
            [
                "Xây dựng kế hoạch phổ biến, giáo dục pháp luật sát với tình hình thực tế của địa phương, đơn vị.",
                "Đa dạng hóa hình thức tuyên truyền, chú trọng các văn bản pháp luật mới có hiệu lực liên quan trực tiếp đến người dân.",
            ],
        ),
        (
            "tăng cường công tác đăng ký, quản lý hộ tịch",
            [
                "Thực hiện đăng ký hộ tịch đúng thẩm quyền, trình tự, thủ tục; cập nhật kịp thời dữ liệu vào Cơ sở dữ liệu hộ tịch điện tử.",
                "Rà soát, chuẩn hóa dữ liệu hộ tịch đã số hóa; kiên quyết không để xảy ra sai sót trong quá trình cấp giấy tờ hộ tịch.",
            ],
        ),
    ],
    "nv": [
        (
            "thực hiện chế độ báo cáo thống kê số lượng cán bộ, công chức, viên chức năm {y}",
            [
                "Báo cáo số lượng, chất lượng đội ngũ cán bộ, công chức, viên chức tính đến ngày 31 tháng 12 năm {y}.",
                "Số liệu báo cáo phải chính xác, thống nhất với hồ sơ quản lý; gửi về {short} trước ngày {d}.",
            ],
        ),
    ],
}

GENERIC_TASKS = [
    "Phân công lãnh đạo phụ trách, cán bộ đầu mối theo dõi, đôn đốc việc triển khai thực hiện; định kỳ báo cáo kết quả về {short} trước ngày {d}.",
    "Tăng cường công tác thông tin, tuyên truyền để cán bộ, công chức, viên chức và Nhân dân biết, đồng thuận và tích cực hưởng ứng.",
    "Bố trí kinh phí, nhân lực, phương tiện bảo đảm cho việc thực hiện các nhiệm vụ được giao.",
    "Phối hợp chặt chẽ với các cơ quan, đơn vị liên quan trong quá trình tổ chức thực hiện, bảo đảm đúng quy định của pháp luật.",
    "Kịp thời biểu dương, khen thưởng các tập thể, cá nhân có thành tích; xử lý nghiêm các trường hợp thiếu trách nhiệm, chậm triển khai.",
    "Tổng hợp những khó khăn, vướng mắc phát sinh, đề xuất giải pháp tháo gỡ gửi về {short} để tổng hợp, báo cáo cấp có thẩm quyền xem xét.",
]

LETTER_OPENINGS = [
    "Thực hiện Công văn số {ref} ngày {refdate} của {higher} về việc {topic}; để triển khai có hiệu quả các nhiệm vụ trong thời gian tới, {org} đề nghị các cơ quan, đơn vị thực hiện tốt một số nội dung sau:",
    "Trong thời gian qua, các cơ quan, đơn vị đã quan tâm triển khai và đạt được một số kết quả nhất định. Tuy nhiên, việc thực hiện ở một số nơi còn chậm, chưa đồng bộ. Để {topic}, {org} yêu cầu các cơ quan, đơn vị thực hiện các nội dung sau:",
    "Căn cứ chức năng, nhiệm vụ được giao; nhằm {topic}, {org} đề nghị các cơ quan, đơn vị quan tâm chỉ đạo, thực hiện một số nội dung sau:",
]

LETTER_CLOSINGS = [
    "Nhận được văn bản này, đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện. Trong quá trình thực hiện nếu có khó khăn, vướng mắc, kịp thời phản ánh về {short} để được hướng dẫn, giải quyết./.",
    "{org} đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.",
    "Đây là nhiệm vụ quan trọng, đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm chỉ đạo thực hiện nghiêm túc, hiệu quả./.",
]

HIGHER = {
    "so": "Ủy ban nhân dân tỉnh",
    "tinh": "Văn phòng Chính phủ",
    "huyen": "Ủy ban nhân dân tỉnh",
    "phong": "Ủy ban nhân dân huyện",
    "xa": "Ủy ban nhân dân huyện",
    "ca": "Công an tỉnh",
    "bo": "Văn phòng Chính phủ",
}

BASES_LOCAL = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
]
BASES_BY_TOPIC = {
    "land": [
        "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;",
        "Căn cứ Nghị định số 43/2014/NĐ-CP ngày 15 tháng 5 năm 2014 của Chính phủ quy định chi tiết thi hành một số điều của Luật Đất đai;",
    ],
    "water": [
        "Căn cứ Luật Tài nguyên nước ngày 21 tháng 6 năm 2012;",
        "Căn cứ Nghị định số 02/2023/NĐ-CP ngày 01 tháng 02 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều của Luật Tài nguyên nước;",
    ],
    "social": [
        "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;"
    ],
    "mediation": [
        "Căn cứ Luật Hòa giải ở cơ sở ngày 20 tháng 6 năm 2013;",
        "Căn cứ Nghị định số 15/2014/NĐ-CP ngày 27 tháng 02 năm 2014 của Chính phủ quy định chi tiết một số điều và biện pháp thi hành Luật Hòa giải ở cơ sở;",
    ],
    "salary": [
        "Căn cứ Nghị định số 204/2004/NĐ-CP ngày 14 tháng 12 năm 2004 của Chính phủ về chế độ tiền lương đối với cán bộ, công chức, viên chức và lực lượng vũ trang;"
    ],
    "plan": ["Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;"],
}

# (subject after "Về việc ", basis key, verb introducing the holder, object after the holder) -> decisions about a person
DECISIONS_PERSON = [
    (
        "giao đất ở cho hộ gia đình, cá nhân tại xã {commune}",
        "land",
        "Giao đất cho",
        "được sử dụng {area} m² đất tại thửa đất số {parcel}, tờ bản đồ số {sheet}, xã {commune}; mục đích sử dụng: đất ở tại nông thôn; thời hạn sử dụng: lâu dài.",
    ),
    (
        "cấp giấy phép khai thác nước dưới đất",
        "water",
        "Cấp phép cho",
        "được khai thác nước dưới đất tại {village}, xã {commune} với lưu lượng khai thác lớn nhất {flow} m³/ngày đêm, mục đích sử dụng: sinh hoạt và sản xuất.",
    ),
    (
        "trợ cấp xã hội hằng tháng đối với người cao tuổi",
        "social",
        "Trợ cấp xã hội hằng tháng cho",
        "mức trợ cấp {money} đồng/tháng, kể từ ngày 01 tháng {m} năm {y}.",
    ),
    ("công nhận hòa giải viên", "mediation", "Công nhận", "là hòa giải viên Tổ hòa giải {village}, xã {commune}."),
    (
        "nâng bậc lương thường xuyên đối với công chức",
        "salary",
        "Nâng bậc lương thường xuyên đối với",
        "chức danh chuyên viên, từ bậc 3, hệ số 3,00 lên bậc 4, hệ số 3,33; thời gian hưởng bậc mới kể từ ngày 01 tháng {m} năm {y}.",
    ),
]
DECISIONS_PLAN = [
    "ban hành Kế hoạch thực hiện công tác cải cách hành chính năm {y}",
    "thành lập Tổ công tác rà soát thủ tục hành chính",
    "phê duyệt danh sách hộ nghèo, hộ cận nghèo năm {y}",
    "ban hành Quy chế làm việc của Ủy ban nhân dân nhiệm kỳ 2021-2026",
]

NOTICE_SUBJECTS = [
    "Về việc tuyển dụng viên chức sự nghiệp giáo dục năm {y}",
    "Về việc lịch tiếp công dân định kỳ tháng {m} năm {y}",
    "Về việc nghỉ Tết Nguyên đán năm {y1}",
    "Về việc thu hồi đất để thực hiện dự án nâng cấp đường giao thông liên xã",
    "Kết luận của Chủ tịch Ủy ban nhân dân tại cuộc họp giao ban tháng {m} năm {y}",
]
NOTICE_ITEMS = [
    "Thời gian: từ 07 giờ 30 phút ngày {d}; địa điểm: Hội trường {org}.",
    "Đối tượng áp dụng: cán bộ, công chức, viên chức và người lao động đang làm việc tại các cơ quan, đơn vị.",
    "Hồ sơ gồm: đơn đăng ký theo mẫu, bản sao các văn bằng, chứng chỉ và giấy chứng nhận đối tượng ưu tiên (nếu có).",
    "Các cơ quan, đơn vị bố trí cán bộ trực, bảo đảm giải quyết kịp thời công việc phát sinh; thực hiện nghiêm chế độ thông tin, báo cáo.",
    "Giao Văn phòng chủ trì, phối hợp với các đơn vị liên quan theo dõi, đôn đốc việc thực hiện; tổng hợp, báo cáo kết quả trước ngày {d}.",
    "Việc thu hồi đất được thực hiện công khai, đúng trình tự; người có đất bị thu hồi được bồi thường, hỗ trợ theo quy định.",
]
NOTICE_CLOSINGS = [
    "{org} thông báo để các cơ quan, đơn vị, cá nhân có liên quan biết, thực hiện./.",
    "Trân trọng thông báo./.",
]

NOI_NHAN_TAIL = ["- Lưu: VT, {unit}.", "- Lưu: VT.", "- Lưu VT, {unit}."]
NOI_NHAN_LETTER = ["- Như trên;", "- {head_formal} (để b/c);", "- Các Phó {head_short};", "- Cổng thông tin điện tử;"]
NOI_NHAN_DECISION = ["- Như Điều 3;", "- Chủ tịch, các PCT UBND;", "- {head_formal} (để b/c);", "- Trung tâm PVHCC;"]

MARGIN_NOTES = [
    "Chuyển P.KHTC xử lý",
    "Đ/c Hùng",
    "Giao VP tham mưu",
    "Kính chuyển Đ/c Phó GĐ",
    "Chuyển TNMT",
    "Đ/c Lan theo dõi",
    "Lưu hồ sơ",
    "Sao gửi các phòng",
]

# assessment paragraphs that make longer letters and notices run onto a second page
CONTEXT = [
    "Năm {y}, dưới sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền các cấp và sự vào cuộc tích cực của các cơ quan, đơn vị, công tác này đã đạt được nhiều kết quả quan trọng: hệ thống văn bản hướng dẫn được ban hành kịp thời; công tác kiểm tra, giám sát được tăng cường; nhận thức của cán bộ, công chức và Nhân dân từng bước được nâng lên.",
    "Bên cạnh những kết quả đạt được, vẫn còn một số tồn tại, hạn chế như: việc triển khai ở một số địa phương còn chậm, thiếu quyết liệt; công tác phối hợp giữa các cơ quan, đơn vị có lúc chưa chặt chẽ; chế độ thông tin, báo cáo chưa bảo đảm thời gian quy định; một số nhiệm vụ còn kéo dài, chưa hoàn thành đúng tiến độ.",
    "Nguyên nhân chủ yếu của những tồn tại, hạn chế nêu trên là do người đứng đầu một số cơ quan, đơn vị chưa thực sự quan tâm chỉ đạo; đội ngũ cán bộ làm công tác chuyên môn còn thiếu về số lượng, phải kiêm nhiệm nhiều việc; kinh phí bố trí cho việc thực hiện còn hạn chế.",
    "Để khắc phục những tồn tại, hạn chế nêu trên và thực hiện tốt nhiệm vụ trong thời gian tới, yêu cầu Thủ trưởng các cơ quan, đơn vị quán triệt và tổ chức thực hiện nghiêm túc các nội dung được giao, coi đây là nhiệm vụ trọng tâm, thường xuyên, gắn với trách nhiệm của người đứng đầu.",
    "Các cơ quan, đơn vị chủ động rà soát, đánh giá kết quả thực hiện của đơn vị mình; xây dựng kế hoạch cụ thể, phân công rõ người, rõ việc, rõ thời gian hoàn thành; định kỳ hằng quý tổng hợp, báo cáo kết quả thực hiện, những khó khăn, vướng mắc và đề xuất giải pháp tháo gỡ.",
    "Trong quá trình tổ chức thực hiện, các cơ quan, đơn vị chú trọng ứng dụng công nghệ thông tin, khai thác có hiệu quả các cơ sở dữ liệu dùng chung, hạn chế tối đa việc yêu cầu cá nhân, tổ chức cung cấp lại các thông tin, giấy tờ đã có trong cơ sở dữ liệu.",
]
