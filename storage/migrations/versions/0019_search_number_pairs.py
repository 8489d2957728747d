"""PostgreSQL: the pairs of consecutive words with a digit in them are indexed as one lexeme each.

A document number such as "82/TB-UBND" is searched as a phrase of three words. The GIN index knows which
entries hold the three words, not where: at 700,000 documents 5,092 entries held them and 261 the phrase,
and each was tested by reading its tsvector (57 ms). With "82 tb", the pair, indexed as a lexeme of its own
(a space never occurs in a word, so no word can be taken for a pair), the index finds the entries with the
pair in them, and only those are tested. Only pairs with a digit are kept: numbers, codes and dates are what
phrases of common words are typed for, and every other pair would double the index.

`sohoa_number_pairs` reads the pairs from a tsvector's positions, so they are exactly the ones a phrase
query can match. Rows written from now on have them (`storage.search_index`); this revision adds them to the
rows already there (one rewrite of `search_entries`: minutes for a province's archive).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The lexemes' positions, one row each, joined to the next position; the pair "a b" when either holds a digit.
NUMBER_PAIRS = """
CREATE OR REPLACE FUNCTION sohoa_number_pairs(words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH placed AS (SELECT w.lexeme, p FROM unnest(words) w, unnest(w.positions) p)
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector)
    FROM placed a JOIN placed b ON b.p = a.p + 1
    WHERE a.lexeme ~ '[0-9]' OR b.lexeme ~ '[0-9]'
$$
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(NUMBER_PAIRS)
        op.execute("UPDATE search_entries SET folded_tsv = folded_tsv || sohoa_number_pairs(folded_tsv)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "UPDATE search_entries SET folded_tsv = ts_delete(folded_tsv, "
            "ARRAY(SELECT lexeme FROM unnest(folded_tsv) WHERE lexeme LIKE '% %'))"
        )
        op.execute("DROP FUNCTION sohoa_number_pairs(tsvector)")
