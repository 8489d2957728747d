"""Which kinds of documents exist, and building the content of one.

:data:`KINDS` are the kinds :func:`samples.generate.write_corpus` cycles through
by default; :data:`EXTRA_KINDS` (the công văn) are drawn only when asked for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from samples import organs
from samples.civil import build_certificate, build_criminal, build_marital, build_permit
from samples.content import ISSUE_END, ISSUE_START, Content
from samples.letters import build_letter
from samples.orders import build_decision, build_notice
from samples.organs import Organ
from samples.vocab import Locale, pick_locale, random_date

KINDS: tuple[str, ...] = (
    "decision",
    "construction_permit",
    "certificate",
    "marital_status",
    "notice",
    "criminal_record",
)
EXTRA_KINDS: tuple[str, ...] = ("official_letter",)
ALL_KINDS: tuple[str, ...] = KINDS + EXTRA_KINDS


# ----------------------------------------------------------------------------- dispatch


def _organ_for(rng: random.Random, kind: str, loc: Locale, with_parent: bool) -> Organ:
    if kind in ("decision", "notice"):
        return organs.any_organ(rng, loc, with_parent)
    if kind == "construction_permit":
        return organs.department(loc, "SXD", True) if with_parent else organs.ubnd_district(loc)
    if kind == "certificate":
        if rng.random() < 0.5:
            return organs.district_office(loc, "TCKH", with_parent)
        return organs.department(loc, "STNMT", True) if with_parent else organs.ubnd_district(loc)
    if kind == "marital_status":
        return organs.ubnd_commune(loc, with_parent)
    if kind == "criminal_record":
        return organs.department(loc, "STP", with_parent)
    if kind == "official_letter":
        if rng.random() < 0.3:
            return organs.department(loc, "SGDĐT", with_parent)
        return organs.any_organ(rng, loc, with_parent)
    raise ValueError(f"unknown kind {kind!r}; expected one of {ALL_KINDS}")


BUILDERS: dict[str, Callable[[random.Random, Organ, date], Content]] = {
    "decision": build_decision,
    "construction_permit": build_permit,
    "certificate": build_certificate,
    "marital_status": build_marital,
    "notice": build_notice,
    "criminal_record": build_criminal,
    "official_letter": build_letter,
}


def build_content(kind: str, rng: random.Random, parent_organ: bool) -> Content:
    """Random content of one document of ``kind``."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {ALL_KINDS}")
    loc = pick_locale(rng)
    organ = _organ_for(rng, kind, loc, parent_organ)
    issued = random_date(rng, ISSUE_START, ISSUE_END)
    return BUILDERS[kind](rng, organ, issued)
