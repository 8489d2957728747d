"""The searchable PDF: the colour scan as the page, invisible words on their boxes, Vietnamese metadata."""

import re
import subprocess

import cv2
import numpy as np
import pikepdf

from pipeline.pdf import PdfInfo, PdfPage, build_searchable_pdf
from pipeline.tesseract import Word

LINES = [
    ["CỘNG", "HÒA", "XÃ", "HỘI", "CHỦ", "NGHĨA", "VIỆT", "NAM"],
    ["Độc", "lập", "-", "Tự", "do", "-", "Hạnh", "phúc"],
]


def _words(dpi: int) -> list[Word]:
    words, top = [], dpi
    for line_no, line in enumerate(LINES, start=1):
        left = dpi
        for text in line:
            width = int(len(text) * 0.12 * dpi)
            words.append(Word(text, left, top, width, int(0.16 * dpi), 95.0, 1, 1, line_no))
            left += width + int(0.08 * dpi)
        top += int(0.3 * dpi)
    return words


def _scan_jpeg(width: int, height: int) -> bytes:
    page = np.full((height, width, 3), 250, np.uint8)
    cv2.circle(page, (width - 300, height - 300), 120, (30, 30, 220), 8)  # a red seal, BGR
    return cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()


def _build(tmp_path, dpi=200):
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = PdfPage(_scan_jpeg(width, height), width, height, dpi, grey=False, words=_words(dpi))
    out = tmp_path / "out.pdf"
    build_searchable_pdf([page, page], PdfInfo(title="Quyết định số 15/QĐ-UBND", subject="Về việc cấp phép"), out)
    return out, width, height


def test_text_layer_extracts_in_reading_order(tmp_path):
    out, *_ = _build(tmp_path)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.split("\n")[:2] == [" ".join(line) for line in LINES]


def test_pdf_text_reads_the_layer_back_page_by_page(tmp_path):
    from pipeline.pdftext import pdf_text

    out, *_ = _build(tmp_path)
    page = "\n".join(" ".join(line) for line in LINES)
    assert pdf_text(out) == f"{page}\n\n{page}"  # two pages, a blank line between them


def test_words_sit_on_their_boxes(tmp_path):
    dpi = 200
    out, *_ = _build(tmp_path, dpi)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    boxes = {
        m[4]: tuple(map(float, m[:4]))
        for m in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', html)
    }
    for word in _words(dpi)[:8]:
        x_min, _, x_max, y_max = boxes[word.text]
        assert abs(x_min - word.left * 72 / dpi) < 1.0
        assert abs(x_max - (word.left + word.width) * 72 / dpi) < 8.0  # the trailing space may be counted
        assert abs(y_max - (word.top + word.height) * 72 / dpi) < 0.5 * word.height * 72 / dpi


def test_page_is_the_colour_scan_at_its_resolution(tmp_path):
    out, width, height = _build(tmp_path)
    with pikepdf.open(out) as pdf:
        assert pdf.pdf_version >= "1.4"
        page = pdf.pages[0]
        assert [round(float(v)) for v in page.mediabox] == [0, 0, round(width * 72 / 200), round(height * 72 / 200)]
        (image,) = page.get_images().values()
        assert (image.Width, image.Height, image.ColorSpace, image.Filter) == (
            width,
            height,
            "/DeviceRGB",
            "/DCTDecode",
        )


def test_metadata_keeps_vietnamese_in_xmp_and_docinfo(tmp_path):
    out, *_ = _build(tmp_path)
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Quyết định số 15/QĐ-UBND"
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == "Quyết định số 15/QĐ-UBND"
            assert meta["dc:description"] == "Về việc cấp phép"
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Title:           Quyết định số 15/QĐ-UBND" in info
    assert re.search(r"Pages:\s+2", info)
