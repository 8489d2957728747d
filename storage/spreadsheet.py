"""CSV for spreadsheets, the same from the web app and the command line.

UTF-8 with a byte order mark (so Excel reads Vietnamese right), comma-separated, and no cell a spreadsheet
would run as a formula: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
apostrophe (agency names and file names come from scans and uploads). Numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: TextIO, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, line_end: str = "\n") -> None:
    """The byte order mark, the header, then every row with its cells guarded."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
