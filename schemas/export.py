"""Publish the JSON Schema of the document record and settings as files other tools can validate against."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, create_model

from schemas import settings
from schemas.record import DocumentRecord


def settings_model() -> type[BaseModel]:
    """`schemas.settings.Settings` as a pydantic model with the same fields, types, defaults, bounds and
    descriptions, for its JSON Schema only (the settings check themselves)."""
    hints = typing.get_type_hints(settings.Settings)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(settings.Settings):
        bounds = field.metadata.get("bounds", {})
        hint = _pydantic_type(hints[field.name])
        if typing.get_origin(hint) is dict:  # a mapping's bounds are its values'
            hint, bounds = dict[str, Annotated[typing.get_args(hint)[1], Field(**bounds)]], {}  # type: ignore[misc]
        described = {"description": field.metadata.get("description"), **bounds}
        if field.default_factory is not dataclasses.MISSING:
            fields[field.name] = (hint, Field(default_factory=field.default_factory, **described))
        else:
            fields[field.name] = (hint, Field(field.default, **described))
    config = ConfigDict(extra="forbid", frozen=True)
    return create_model("Settings", __config__=config, __doc__=settings.Settings.__doc__, **fields)


def _pydantic_type(hint: Any) -> Any:
    """The type with `schemas.settings.SecretStr` as pydantic's, which the schema marks as a password."""
    if hint is settings.SecretStr:
        return pydantic.SecretStr
    if typing.get_origin(hint) in (typing.Union, type(int | None)) and type(None) in typing.get_args(hint):
        (inner,) = (argument for argument in typing.get_args(hint) if argument is not type(None))
        return typing.Optional[_pydantic_type(inner)]  # noqa: UP045  # built from a value, not written
    return hint


PUBLISHED: dict[str, type[BaseModel]] = {
    "document-record.schema.json": DocumentRecord,
    "settings.schema.json": settings_model(),
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
