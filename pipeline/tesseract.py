"""The only place sohoa runs tesseract: argument lists as data, pure parsers, one logged runner."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from pipeline.errors import TesseractFailed, TesseractNotFound, TesseractTimeout

log = logging.getLogger(__name__)

#: tesseract uses OpenMP threads inside one call; on a shared machine that makes every call slower.
TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True)
class TesseractConfig:
    """How to call tesseract: binary, model folder, model name, time limit."""

    cmd: str = "tesseract"
    tessdata_dir: Path | None = None
    language: str = "vie"
    timeout_s: float = 180.0


@dataclass(frozen=True)
class Word:
    """One recognised word with its box in OCR-image pixels and tesseract's confidence (0-100)."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int
    paragraph: int
    line: int


def lines_of(words: Iterable[Word]) -> list[list[Word]]:
    """The words grouped into the lines tesseract read them in: runs of one block, paragraph and line."""
    return [list(group) for _, group in groupby(words, key=lambda w: (w.block, w.paragraph, w.line))]


@dataclass(frozen=True)
class Orientation:
    """OSD's answer: the counter-clockwise quarter turn found on the page, and how sure it is."""

    rotation_deg: int
    confidence: float


@dataclass(frozen=True)
class CallStats:
    """What one tesseract call cost. CPU is exact when calls do not overlap (one worker thread)."""

    seconds: float
    cpu_seconds: float


def base_args(config: TesseractConfig, *, dpi: int) -> list[str]:
    args = [config.cmd, "stdin", "stdout", "--dpi", str(dpi)]
    if config.tessdata_dir is not None:
        args += ["--tessdata-dir", str(config.tessdata_dir)]
    return args


def ocr_args(config: TesseractConfig, *, dpi: int, psm: int = 3) -> list[str]:
    """One call that yields words, boxes and confidences (TSV): a whole page (psm 3) or one block (psm 6)."""
    psm_and_speed = ["--psm", str(psm), "-c", "tessedit_do_invert=0"]
    return [*base_args(config, dpi=dpi), "-l", config.language, *psm_and_speed, "tsv"]


def osd_args(config: TesseractConfig, *, dpi: int) -> list[str]:
    return [*base_args(config, dpi=dpi), "-l", "osd", "--psm", "0"]


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) from tesseract's TSV output, in tesseract's reading order."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        words.append(
            Word(
                text=cols[11].strip(),
                left=int(cols[6]),
                top=int(cols[7]),
                width=int(cols[8]),
                height=int(cols[9]),
                confidence=max(0.0, float(cols[10])),
                block=int(cols[2]),
                paragraph=int(cols[3]),
                line=int(cols[4]),
            )
        )
    return words


_OSD_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_OSD_CONFIDENCE = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE)


def parse_osd(text: str) -> Orientation:
    """OSD prints `Rotate: R`, the clockwise turn that uprights the page: the scan is turned R counter-clockwise."""
    if text == OSD_TOO_FEW_CHARACTERS:
        return Orientation(rotation_deg=0, confidence=0.0)
    rotate, confidence = _OSD_ROTATE.search(text), _OSD_CONFIDENCE.search(text)
    if rotate is None or confidence is None:
        raise TesseractFailed(f"unexpected OSD output: {text.strip()[:200]!r}")
    return Orientation(rotation_deg=int(rotate.group(1)) % 360, confidence=float(confidence.group(1)))


#: What OSD prints when a page has too little text to tell its orientation; not a failure of tesseract.
OSD_TOO_FEW_CHARACTERS = "Too few characters"


def run(args: list[str], image: bytes, *, timeout_s: float) -> tuple[str, CallStats]:
    """Run tesseract with the image on stdin; typed errors for missing, crashed or hung runs."""
    env = {**os.environ, **TESSERACT_ENV}
    started, cpu_before = time.perf_counter(), _children_cpu()
    try:
        proc = subprocess.run(args, input=image, capture_output=True, timeout=timeout_s, env=env, check=False)
    except FileNotFoundError:
        raise TesseractNotFound(f"tesseract not found: {args[0]!r}; install tesseract-ocr") from None
    except subprocess.TimeoutExpired:
        raise TesseractTimeout(f"tesseract did not finish within {timeout_s:g} s and was stopped") from None
    stats = CallStats(time.perf_counter() - started, _children_cpu() - cpu_before)
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    log.debug("%s -> rc=%s in %.2fs", " ".join(args), proc.returncode, stats.seconds)
    if proc.returncode != 0 and OSD_TOO_FEW_CHARACTERS in stderr:
        return OSD_TOO_FEW_CHARACTERS, stats
    if proc.returncode != 0:
        if "Failed loading language" in stderr or "Error opening data file" in stderr:
            raise TesseractNotFound(f"tesseract model missing: {stderr.splitlines()[0]}")
        detail = stderr.splitlines()[-1] if stderr else f"exit status {proc.returncode}"
        raise TesseractFailed(f"tesseract failed: {detail}")
    return proc.stdout.decode("utf-8", "replace"), stats


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


@lru_cache(maxsize=8)
def probe(config: TesseractConfig) -> tuple[str, frozenset[str]]:
    """Version and installed models; raises TesseractNotFound with what to install."""
    args = [config.cmd, "--list-langs"]
    if config.tessdata_dir is not None:
        args += ["--tessdata-dir", str(config.tessdata_dir)]
    try:
        listing = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        version = subprocess.run([config.cmd, "--version"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise TesseractNotFound(f"tesseract not found: {config.cmd!r}; install tesseract-ocr") from None
    languages = frozenset(line.strip() for line in listing.stdout.splitlines()[1:] if line.strip())
    for needed in (config.language, "osd"):
        if needed not in languages:
            raise TesseractNotFound(
                f"tesseract model {needed!r} is not installed (have: {', '.join(sorted(languages)) or 'none'})"
            )
    return (version.stdout or version.stderr).splitlines()[0], languages
