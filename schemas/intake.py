"""What staff say about a file when they hand it in: its dossier, its procedure, its pages on paper."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Intake(BaseModel):
    """Per-file facts from a batch manifest or the command line; none are read from the scan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dossier_code: str | None = Field(None, title="Mã hồ sơ", max_length=100)
    procedure_code: str | None = Field(None, title="Mã thủ tục hành chính", max_length=100)
    paper_pages: int | None = Field(None, ge=1, description="Pages of the paper original, to reconcile with scans.")
    ordinal: int | None = Field(None, ge=1, description="Position of the result within its dossier (the n of KQn).")
