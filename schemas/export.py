"""Publish the JSON Schema of the document record and settings as files other tools can validate against."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.record import DocumentRecord
from schemas.settings import Settings

PUBLISHED: dict[str, type[BaseModel]] = {
    "document-record.schema.json": DocumentRecord,
    "settings.schema.json": Settings,
}


def schema_text(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(mode="serialization")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    """Write every published schema into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in PUBLISHED.items():
        path = directory / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
