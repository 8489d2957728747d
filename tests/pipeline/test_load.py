"""Loading: formats sniffed from content, limits enforced from headers, bad files refused with a code."""

from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from pipeline.errors import InputRejected
from pipeline.load import Limits, load_page, probe_source, sniff_media_type
from tests.badfiles import write_png_bomb


def _page_image(width=827, height=1169, colour=(255, 255, 255)):
    img = Image.new("RGB", (width, height), colour)
    img.paste((200, 0, 0), (100, 100, 300, 140))
    return img


def _rejected(path: Path, limits: Limits | None = None) -> InputRejected:
    with pytest.raises(InputRejected) as info:
        probe_source(path, limits or Limits())
    return info.value


def test_formats_are_sniffed_from_content_not_extension(tmp_path):
    png_named_jpg = tmp_path / "scan.jpg"
    _page_image().save(png_named_jpg, format="PNG", dpi=(100, 100))
    assert probe_source(png_named_jpg, Limits()).media_type == "image/png"
    assert sniff_media_type(b"junk\n%PDF-1.7\n") == "application/pdf"
    assert sniff_media_type(b"II*\x00rest") == "image/tiff"
    assert sniff_media_type(b"hello") is None


def test_text_file_named_jpg_is_rejected(tmp_path):
    path = tmp_path / "note.jpg"
    path.write_text("Đây không phải là ảnh quét\n", encoding="utf-8")
    error = _rejected(path)
    assert error.code == "unsupported_format"
    assert "text file" in error.message


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert _rejected(path).code == "empty_file"


def test_file_over_the_size_limit_is_rejected(tmp_path):
    path = tmp_path / "big.png"
    _page_image().save(path)
    assert _rejected(path, Limits(max_file_bytes=100)).code == "file_too_large"


def _pdf_with_pages(path: Path, count: int, **save) -> Path:
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path, **save)
    return path


def test_truncated_pdf_is_rejected(tmp_path):
    whole = _pdf_with_pages(tmp_path / "whole.pdf", 3).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    assert _rejected(path).code == "truncated_pdf"


def test_encrypted_pdf_is_rejected(tmp_path):
    path = _pdf_with_pages(tmp_path / "locked.pdf", 1, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    error = _rejected(path)
    assert error.code == "encrypted_pdf"
    assert "password" in error.message


def test_garbage_pdf_is_rejected(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    assert _rejected(path).code in {"corrupt_pdf", "empty_document"}


def test_too_many_pages_is_rejected_without_rendering(tmp_path):
    path = _pdf_with_pages(tmp_path / "long.pdf", 120)
    error = _rejected(path, Limits(max_pages=100))
    assert error.code == "too_many_pages"
    assert "120" in error.message


def test_decompression_bomb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.png"
    write_png_bomb(path)  # 1.6 gigapixels
    assert path.stat().st_size < 100_000
    error = _rejected(path)
    assert error.code == "image_too_large"
    assert "1,600,000,000" in error.message


def test_multipage_tiff_pages_load_with_their_resolution(tmp_path):
    path = tmp_path / "scan.tif"
    first, second = _page_image(), _page_image(colour=(240, 240, 240))
    first.save(path, save_all=True, append_images=[second], dpi=(100, 100), compression="tiff_lzw")
    probe = probe_source(path, Limits())
    assert (probe.media_type, probe.page_count) == ("image/tiff", 2)
    page = load_page(path, probe, 2, Limits())
    assert page.image.shape == (1169, 827, 3)
    assert page.dpi == 100 and page.dpi_from_file
    assert tuple(page.image[1000, 10]) == (240, 240, 240)


def test_colour_is_loaded_as_bgr_and_resolution_estimated_from_a4(tmp_path):
    path = tmp_path / "scan.jpg"
    img = _page_image(width=1654, height=2339)
    img.save(path, quality=95)  # no dpi in the file
    page = load_page(path, probe_source(path, Limits()), 1, Limits())
    assert not page.dpi_from_file
    assert page.dpi == 200
    blue, green, red = page.image[120, 200]
    assert red > 150 and green < 60 and blue < 60


def test_pdf_page_renders_at_the_scan_resolution(tmp_path):
    scan = tmp_path / "page.jpg"
    _page_image(width=1654, height=2339).save(scan, quality=90)
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595.28, 841.89))
    image = pikepdf.Stream(pdf, scan.read_bytes())
    image.update(
        {
            "/Type": pikepdf.Name.XObject,
            "/Subtype": pikepdf.Name.Image,
            "/Width": 1654,
            "/Height": 2339,
            "/ColorSpace": pikepdf.Name.DeviceRGB,
            "/BitsPerComponent": 8,
            "/Filter": pikepdf.Name.DCTDecode,
        }
    )
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q")
    path = tmp_path / "scan.pdf"
    pdf.save(path)
    loaded = load_page(path, probe_source(path, Limits()), 1, Limits())
    assert abs(loaded.dpi - 200) < 1
    assert abs(loaded.image.shape[1] - 1654) <= 2
    assert np.mean(loaded.image[120, 200]) > 40  # the red bar survived rendering


@pytest.mark.parametrize(("width", "height"), [(1, 1), (1, 800), (800, 1), (40, 40)])
def test_an_image_too_small_to_be_a_page_is_rejected_with_a_code(tmp_path, width, height):
    path = tmp_path / "tiny.jpg"
    Image.new("RGB", (width, height), (30, 30, 200)).save(path, format="JPEG")
    assert _rejected(path).code == "image_too_small"


def test_a_pdf_page_too_small_to_be_a_page_is_rejected_with_a_code(tmp_path):
    path = tmp_path / "speck.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(4, 4))  # points: 17 pixels at 300 dpi
    pdf.save(path)
    probe = probe_source(path, Limits())
    with pytest.raises(InputRejected) as info:
        load_page(path, probe, 1, Limits())
    assert info.value.code == "image_too_small" and info.value.page == 1


def test_a_zero_width_png_is_rejected_not_crashed(tmp_path):
    path = tmp_path / "zero.png"
    Image.new("L", (8, 8)).save(path, format="PNG")
    data = bytearray(path.read_bytes())
    data[16:20] = (0).to_bytes(4, "big")  # the IHDR width (its CRC is then wrong too)
    path.write_bytes(bytes(data))
    assert _rejected(path).code in ("corrupt_image", "image_too_small")


def test_a_16_bit_grey_scan_keeps_its_ink_instead_of_turning_white(tmp_path):
    grey = np.full((1169, 827), 60000, dtype=np.uint16)
    grey[100:140, 100:300] = 4000  # dark ink on light paper, in 16 bits
    path = tmp_path / "scan16.png"
    Image.fromarray(grey).save(path, format="PNG")
    with Image.open(path) as saved:
        assert saved.mode.startswith("I")
    page = load_page(path, probe_source(path, Limits()), 1, Limits())
    assert page.image.dtype == np.uint8 and page.image.shape == (1169, 827, 3)
    assert page.image[120, 200].max() < 30 and page.image[600, 400].min() > 230


def test_a_palette_image_with_transparency_is_laid_on_white_paper(tmp_path):
    img = Image.new("P", (827, 1169), 0)
    img.putpalette([0, 0, 0, 20, 20, 20] + [0] * 762)
    img.paste(1, (100, 100, 300, 140))
    path = tmp_path / "palette.png"
    img.save(path, format="PNG", transparency=0)  # the background is the transparent colour
    page = load_page(path, probe_source(path, Limits()), 1, Limits())
    assert page.image[600, 400].tolist() == [255, 255, 255]  # transparent: paper, not black
    assert page.image[120, 200].max() < 40  # the ink stays
