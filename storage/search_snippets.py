"""Snippets of the hits shown: the passage around the densest matches, the matches marked.

The text is folded again for the page shown only (one character for one), so a match found in the folded
copy marks the same characters of the original; `Snippet.html` escapes every piece before marking.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from pipeline.textfold import fold_diacritics
from storage.search_query import Term, words_of

SNIPPET_CHARS = 240
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """A piece of original text cut into parts, each marked when it matched the query."""

    parts: tuple[tuple[str, bool], ...]

    def html(self) -> str:
        """Escaped text with `<mark>` around the matches: safe to put in a page as it is (the web's pages and
        API, and `sohoa search --json`, give the same)."""
        return "".join(f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in self.parts)

    def text(self) -> str:
        return "".join(t for t, _ in self.parts)

    @property
    def marked(self) -> list[str]:
        return [t for t, hit in self.parts if hit]


def terms_pattern(terms: list[Term]) -> re.Pattern[str] | None:
    """A regular expression finding the terms in folded text, whole words only (a prefix's last word excepted)."""
    alternatives = []
    for term in sorted(terms, key=lambda t: -len(" ".join(t.folded))):
        body = r"[\W_]+".join(re.escape(w) for w in term.folded)
        alternatives.append(r"(?<![^\W_])" + body + (r"[^\W_]*" if term.prefix else r"(?![^\W_])"))
    return re.compile("|".join(alternatives)) if alternatives else None


def highlight(value: str, terms: list[Term]) -> Snippet:
    """A whole (short) value with its matches marked, e.g. a document's subject."""
    value = unicodedata.normalize("NFC", value)
    return _cut(value, _spans(fold_diacritics(value), terms, 0, len(value)), 0, len(value))


def snippet(content: str, folded: str, body_start: int, terms: list[Term], width: int = SNIPPET_CHARS) -> Snippet:
    """About `width` characters around the densest matches, from the pages' text when it has a match.

    Words typed with diacritics: the densest of the matches spelled as typed, when there are any.
    """
    body_start = min(body_start, len(content))
    spans = _spans(folded, terms, body_start, len(content))
    lo, hi = body_start, len(content)
    if not spans and (head := _spans(folded, terms, 0, body_start)):
        spans, lo, hi = head, 0, body_start
    if lo == hi:  # no text on the pages: the metadata values
        lo, hi = 0, body_start
    start = lo
    if spans:
        exact = [span for span in spans if _spelled_as_typed(content[span[0] : span[1]], terms)]
        best = _densest(exact or spans, width * 2 // 3)
        start = max(lo, best - width // 4)
        if start > lo and (space := _SPACES.search(content, start, best)):  # begin on a word
            start = space.end()
    end = min(hi, start + width)
    if end < hi and (spaces := [m.start() for m in _SPACES.finditer(content, start, end)]):  # end on one
        end = spaces[-1] if spaces[-1] > start else end
    parts = _cut(content, spans, start, end).parts
    return Snippet((("… ", False),) * (start > lo) + parts + (((" …", False),) if end < hi else ()))


def _spelled_as_typed(found: str, terms: list[Term]) -> bool:
    """Whether a match has the diacritics of a term typed with them."""
    words = words_of(found)
    for term in terms:
        if term.accented and len(words) == len(term.words):
            last_ok = words[-1].startswith(term.words[-1]) if term.prefix else words[-1] == term.words[-1]
            if last_ok and words[:-1] == list(term.words[:-1]):
                return True
    return False


def _densest(spans: list[tuple[int, int]], reach: int) -> int:
    """Where the window of `reach` characters holding the most spans starts (spans sorted, not overlapping)."""
    best, most, j = spans[0][0], 0, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + reach:
            j += 1
        if j - i > most:
            best, most = start, j - i
    return best


def _spans(folded: str, terms: list[Term], lo: int, hi: int) -> list[tuple[int, int]]:
    pattern = terms_pattern(terms)
    return [m.span() for m in pattern.finditer(folded, lo, hi)] if pattern else []


def _cut(content: str, spans: list[tuple[int, int]], start: int, end: int) -> Snippet:
    """`content[start:end]` in parts, the spans marked (merged where they touch), white space collapsed."""
    parts: list[tuple[str, bool]] = []
    at = start
    for s, e in sorted(spans):
        s, e = max(s, at), min(e, end)
        if s >= e:
            continue
        if s > at:
            parts.append((content[at:s], False))
        parts.append((content[s:e], True))
        at = e
    if at < end:
        parts.append((content[at:end], False))
    return Snippet(tuple((_SPACES.sub(" ", t), hit) for t, hit in parts if t))


# --- the index ---------------------------------------------------------------------------------------
