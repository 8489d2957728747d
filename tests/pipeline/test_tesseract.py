"""The tesseract edge: parsers on real output, and typed errors for a missing, crashing or hung binary."""

import stat
from pathlib import Path

import numpy as np
import pytest

from pipeline import tesseract
from pipeline.errors import TesseractFailed, TesseractNotFound, TesseractTimeout
from pipeline.ocr import encode_pgm, words_to_text
from pipeline.tesseract import TesseractConfig

TSV = """level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t
5\t1\t1\t1\t1\t1\t300\t200\t120\t40\t96.5\tSố:
5\t1\t1\t1\t1\t2\t430\t200\t260\t40\t91.0\t15/QĐ-UBND
5\t1\t2\t1\t1\t1\t1300\t200\t200\t40\t95.0\tCỘNG
5\t1\t2\t1\t2\t1\t1300\t260\t200\t40\t-1\t\x20
5\t1\t2\t1\t2\t2\t1300\t260\t200\t40\t88.0\tHÒA
"""

OSD = """Page number: 0
Orientation in degrees: 270
Rotate: 90
Orientation confidence: 21.50
Script: Latin
Script confidence: 7.47
"""


def test_tsv_words_keep_boxes_confidence_and_reading_order():
    words = tesseract.parse_tsv(TSV)
    assert [w.text for w in words] == ["Số:", "15/QĐ-UBND", "CỘNG", "HÒA"]
    assert (words[1].left, words[1].top, words[1].width, words[1].height, words[1].confidence) == (
        430,
        200,
        260,
        40,
        91,
    )
    assert words_to_text(words) == "Số: 15/QĐ-UBND\n\nCỘNG\nHÒA"


def test_osd_rotate_is_the_counter_clockwise_turn_found_on_the_scan():
    orientation = tesseract.parse_osd(OSD)
    assert (orientation.rotation_deg, orientation.confidence) == (90, 21.5)
    assert tesseract.parse_osd(tesseract.OSD_TOO_FEW_CHARACTERS).confidence == 0.0
    with pytest.raises(TesseractFailed):
        tesseract.parse_osd("Segmentation fault")


def _fake_tesseract(tmp_path: Path, body: str) -> str:
    script = tmp_path / "tesseract"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


BLANK = encode_pgm(np.full((50, 50), 255, np.uint8))


def test_missing_tesseract_is_a_configuration_error(tmp_path):
    config = TesseractConfig(cmd=str(tmp_path / "no-such-tesseract"))
    with pytest.raises(TesseractNotFound):
        tesseract.run(tesseract.ocr_args(config, dpi=300), BLANK, timeout_s=5)
    with pytest.raises(TesseractNotFound):
        tesseract.probe(config)


def test_crashing_tesseract_is_retryable(tmp_path):
    config = TesseractConfig(cmd=_fake_tesseract(tmp_path, "echo 'Segmentation fault' >&2; exit 139"))
    with pytest.raises(TesseractFailed) as info:
        tesseract.run(tesseract.ocr_args(config, dpi=300), BLANK, timeout_s=5)
    assert info.value.retryable and "Segmentation fault" in info.value.message


def test_hung_tesseract_is_killed_at_the_time_limit(tmp_path):
    config = TesseractConfig(cmd=_fake_tesseract(tmp_path, "exec sleep 30"))
    with pytest.raises(TesseractTimeout) as info:
        tesseract.run(tesseract.ocr_args(config, dpi=300), BLANK, timeout_s=0.5)
    assert info.value.code == "ocr_timeout" and info.value.retryable


def test_missing_model_is_reported_by_name(tmp_path):
    with pytest.raises(TesseractNotFound, match="no-such-model"):
        tesseract.probe(TesseractConfig(language="no-such-model"))


def test_real_tesseract_is_probed_and_reads_an_empty_page_as_no_words():
    version, languages = tesseract.probe(TesseractConfig())
    assert version.startswith("tesseract 5")
    assert {"vie", "osd"} <= languages
    output, stats = tesseract.run(tesseract.ocr_args(TesseractConfig(), dpi=300), BLANK, timeout_s=60)
    assert tesseract.parse_tsv(output) == [] and stats.seconds > 0
