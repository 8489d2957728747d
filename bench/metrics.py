"""Accuracy measures shared by the bench and the tests: character error rate on normalised text."""

from __future__ import annotations

import unicodedata
from collections import Counter

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein


def normalise(text: str) -> str:
    """NFC, whitespace collapsed: layout differences are not recognition errors."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(recognised: str, truth: str) -> float:
    """Character error rate of `recognised` against `truth`, after normalising both."""
    truth_n, recognised_n = normalise(truth), normalise(recognised)
    if not truth_n:
        return 0.0 if not recognised_n else 1.0
    return Levenshtein.distance(recognised_n, truth_n) / len(truth_n)


def word_error(recognised: str, truth: str) -> float:
    """Share of the truth's words missing from the recognised words, in any order.

    Unlike CER this does not punish a different reading order, so tools that read a two-column
    header line by line are judged on recognition alone.
    """
    truth_words, recognised_words = Counter(normalise(truth).split()), Counter(normalise(recognised).split())
    total = sum(truth_words.values())
    return 1 - sum((truth_words & recognised_words).values()) / total if total else 0.0


def line_cer(recognised: str, truth_lines: list[str]) -> float:
    """Character error rate line by line, each truth line against the recognised line that holds it best.

    Reading order is not judged (a two-column header read as one line still holds both of its lines); each
    truth line costs the edits to the best-aligned stretch of a recognised line, or its length when no stretch
    has it more than half right.
    """
    lines = [normalise(line) for line in recognised.splitlines() if line.strip()]
    edits = chars = 0
    for truth in (normalise(line) for line in truth_lines):
        if not truth:
            continue
        chars += len(truth)
        best = len(truth)
        for line in lines:
            window = fuzz.partial_ratio_alignment(truth, line)
            distance = Levenshtein.distance(truth, line[window.dest_start : window.dest_end]) if window else best
            if distance <= len(truth) / 2:  # worse than half wrong is a line not read: it costs its length
                best = min(best, distance)
        edits += best
    return edits / chars if chars else 0.0
