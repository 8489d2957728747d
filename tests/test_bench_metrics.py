"""The bench's measures: a line-by-line CER that does not judge reading order, but does judge every character."""

from __future__ import annotations

from bench.metrics import cer, line_cer

TRUTH = ["UBND TỈNH THÁI BÌNH", "SỞ Y TẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def test_two_header_columns_read_as_one_line_cost_nothing():
    read = "UBND TỈNH THÁI BÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ Y TẾ   Độc lập - Tự do - Hạnh phúc"
    assert line_cer(read, TRUTH) == 0.0
    assert cer(read, "\n".join(TRUTH)) > 0.1  # plain CER punishes the reading order


def test_misread_marks_and_missing_lines_are_counted():
    chars = sum(len(line) for line in TRUTH)
    misread = "UBND TÍNH THÁI BINH\nSỞ Y TẾ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert line_cer(misread, TRUTH) == (2 + len(TRUTH[3])) / chars
    assert line_cer("", TRUTH) == 1.0
