"""Accuracy measures shared by the bench and the tests: character error rate on normalised text."""

from __future__ import annotations

import unicodedata
from collections import Counter

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
