"""A document's final statuses: here rather than in `schemas.record`, so reading them loads no pydantic."""

from __future__ import annotations

from typing import Literal

Status = Literal["archived", "needs_review", "rejected", "failed"]
FINAL_STATUSES: tuple[str, ...] = ("archived", "needs_review", "rejected", "failed")
