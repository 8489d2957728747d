"""Search queries as people type them: words, "quoted phrases", chunks such as 123/QĐ-UBND, and a trailing *.

A query is never passed to an engine as syntax: it is cut here into `Term`s (one word, or several in a
row), the same way the index cuts a document's words (`fulltext_words`), folded by `pipeline.textfold`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from pipeline.textfold import fold_diacritics

MAX_QUERY_CHARS = 300
MAX_TERMS = 24
MAX_PER_PAGE = 100

WORD = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'["“”„]([^"“”„]*)["“”„]?|([^\s"“”„]+)')
_NOT_IN_CHUNKS = re.compile(r"[()\[\]{}^+]")
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


@dataclass(frozen=True)
class Term:
    """What a query asks for: one word, or several in a row (a phrase); the last one may be a prefix."""

    words: tuple[str, ...]  # lower case NFC, as typed
    prefix: bool = False

    @cached_property  # read for every match a snippet weighs
    def folded(self) -> tuple[str, ...]:
        return tuple(fold_diacritics(w) for w in self.words)

    @cached_property
    def accented(self) -> bool:
        """Typed with diacritics (or đ): then it is also looked up exactly as typed."""
        return self.folded != self.words


def words_of(value: str) -> list[str]:
    """The words of a text as both indexes and queries cut them: NFC, lower case, letters and digits."""
    return WORD.findall(unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).lower()))


def fulltext_words(content: str) -> tuple[list[str], list[str]]:
    """The words the full-text index holds for an entry's text: folded, and as written (lower case). SQLite's
    contentless index is told them again to remove an entry, so they must come out the same every time."""
    return WORD.findall(fold_diacritics(content)), words_of(content)


def parse_query(query: str) -> list[Term]:
    """The terms of what someone typed; anything that is not a letter or digit is only a separator.

    `"…"` is a phrase, as is a chunk with inner punctuation ("123/QĐ-UBND"); `word*` is a prefix; AND, OR,
    NOT and NEAR in capitals are not operators and are ignored. At most `MAX_TERMS` terms are kept.
    """
    query = _NOT_IN_CHUNKS.sub(" ", unicodedata.normalize("NFC", query)[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    for match in _CHUNK.finditer(query):
        quoted, chunk = match.groups()
        if chunk is not None and chunk in _OPERATORS:
            continue
        words = tuple(words_of(quoted if quoted is not None else chunk))
        prefix = chunk is not None and chunk.endswith("*") and len(words[-1] if words else "") >= 2
        term = Term(words, prefix)
        if words and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class SearchQuery:
    """A search: the words typed, the filters, and the page wanted. Every criterion given must hold."""

    text: str = ""
    type_name: str | None = None  # the document type, compared without diacritics or case
    agency: str | None = None  # part of the issuing agency's name, without diacritics or case
    date_from: date | None = None  # issued on or after
    date_to: date | None = None  # issued on or before
    holder_id: str | None = None  # the holder's personal id, exactly
    page: int = 1
    per_page: int = 20

    def filters(self) -> dict[str, str]:
        """The filters that are set, as text (for the audit log and the pager's links)."""
        values = {
            "type": self.type_name,
            "agency": self.agency,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "holder": holder_digits(self.holder_id),
        }
        return {k: v for k, v in values.items() if v}


def holder_digits(holder_id: str | None) -> str:
    """A personal id in digits only, as it is stored and logged, however it was typed ("001 089 012 345")."""
    return re.sub(r"\D", "", holder_id or "")


def fold_key(value: str | None) -> str | None:
    """A name as filters compare it: folded, spaces collapsed ("Sở  Xây dựng" → "so xay dung")."""
    key = " ".join(fold_diacritics(value or "").split())
    return key or None
