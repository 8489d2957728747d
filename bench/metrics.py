"""Accuracy measures shared by the bench and the tests: character error rate on normalised text."""

from __future__ import annotations

import unicodedata

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
