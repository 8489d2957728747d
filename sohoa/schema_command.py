"""`sohoa schema export DIR`: write the JSON Schema files of the document record and its parts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemas.errors import ExitCode

if TYPE_CHECKING:
    from schemas.settings import Settings


def add_parser(commands: Any) -> None:
    """The `schema` command, added to the `sohoa` subparsers."""
    schema = commands.add_parser("schema", help="JSON Schema of the document record")
    actions = schema.add_subparsers(dest="schema_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write the JSON Schema files to DIR")
    export.add_argument("dir", type=Path, metavar="DIR")


def run(settings: Settings | None, args: argparse.Namespace) -> int:
    """Write the files and print their paths; needs no configuration (`settings` may be None)."""
    from schemas.export import export_schemas

    for path in export_schemas(args.dir):
        print(path)
    return ExitCode.OK
