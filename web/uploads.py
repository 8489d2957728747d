"""Uploads streamed to disk as they arrive: multipart parts become temp files, hashed while written.

Nothing of a file is held in memory beyond one network chunk, and a file over the size limit stops
being written the moment it crosses it. Names sent by browsers are only ever shown to people: they
are reduced to a clean basename and never used as a path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from anyio import to_thread
from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

#: Form fields (not files) are small: a CSRF token, a note.
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50
#: Room for the multipart framing and small fields around a single file, when checking Content-Length.
FRAMING_BYTES = 64 * 1024
UNNAMED = "tệp-không-tên"
MAX_NAME_CHARS = 200


class BadUpload(ValueError):
    """The request body is not a usable multipart form."""


@dataclass
class FormField:
    """A plain form field, complete."""

    name: str
    value: str


@dataclass
class FilePart:
    """A file part. Complete ones have `path`, `size` and `sha256`; `refused` says why one was not written.

    A refused part ("too_large", or "unsupported_type" by its name's suffix) is yielded as soon as that is
    known; the rest of its bytes are then read and dropped if the caller goes on with the next parts.
    """

    field: str
    filename: str
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    refused: str | None = None


def clean_filename(raw: str) -> str:
    """A name fit to show: the basename only, in NFC, without control or format characters (bidi tricks)."""
    name = unicodedata.normalize("NFC", raw)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    if name in ("", ".", ".."):
        return UNNAMED
    if len(name) > MAX_NAME_CHARS:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME_CHARS - len(suffix)] + suffix
    return unicodedata.normalize("NFC", name)


class _Events:
    """python-multipart's callbacks, queued as events for the async loop to act on after each chunk."""

    def __init__(self) -> None:
        self.queue: list[tuple[str, object]] = []
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict[str, Callable]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._grow("_header_name", data[start:end]),
            "on_header_value": lambda data, start, end: self._grow("_header_value", data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": lambda: self.queue.append(("begin", self._headers)),
            "on_part_data": lambda data, start, end: self.queue.append(("data", bytes(data[start:end]))),
            "on_part_end": lambda: self.queue.append(("end", None)),
        }

    def _grow(self, attribute: str, data: bytes) -> None:
        value = getattr(self, attribute) + data
        if len(value) > 8192:
            raise BadUpload("a part header is too long")
        setattr(self, attribute, value)

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def take(self) -> list[tuple[str, object]]:
        events, self.queue = self.queue, []
        return events


@dataclass
class _Writer:
    """The temp file of the file part being received, hashed and counted as it is written."""

    part: FilePart
    fh: BinaryIO | None = None
    digest: Any = field(default_factory=hashlib.sha256)

    def write(self, data: bytes) -> None:
        assert self.fh is not None
        self.digest.update(data)
        self.fh.write(data)

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def discard(self) -> None:
        self.close()
        if self.part.path is not None:
            self.part.path.unlink(missing_ok=True)
            self.part.path = None


async def stream_parts(
    request: Request,
    *,
    tmp_dir: Path,
    max_file_bytes: int,
    accept_name: Callable[[str], bool],
    single_file: bool = False,
) -> AsyncIterator[FormField | FilePart]:
    """The parts of a multipart/form-data body, in order, each file written to a temp file under `tmp_dir`.

    A complete file's temp file is deleted when the caller asks for the next part (or closes the
    iterator), so the caller receives it (copies, stores) before moving on. With `single_file`, a body
    whose Content-Length alone exceeds the limit refuses its file before a byte of it is written.
    Use with `contextlib.aclosing` so temp files go away even when the caller stops early.
    """
    content_type = request.headers.get("content-type", "")
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise BadUpload("expected a multipart/form-data body")
    declared = int(request.headers.get("content-length") or 0)
    oversized_body = single_file and declared > max_file_bytes + FRAMING_BYTES
    tmp_dir.mkdir(parents=True, exist_ok=True)
    events = _Events()
    parser = MultipartParser(params[b"boundary"], events.callbacks())  # type: ignore[arg-type]  # a dict of them
    writer: _Writer | None = None
    value: bytearray | None = None
    name, fields = "", 0
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except FormParserError as exc:
                raise BadUpload("malformed multipart body") from exc
            for kind, payload in events.take():
                if kind == "begin":
                    name, filename = _disposition(payload)  # type: ignore[arg-type]
                    if filename is None:
                        fields += 1
                        if fields > MAX_FIELDS:
                            raise BadUpload("too many form fields")
                        value = bytearray()
                        continue
                    part = FilePart(name, clean_filename(filename) if filename else "")
                    writer = _Writer(part)
                    if filename and not accept_name(part.filename):
                        part.refused = "unsupported_type"
                    elif oversized_body:
                        part.refused, part.size = "too_large", declared
                    if part.refused:
                        yield part
                        continue
                    descriptor, temp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
                    part.path, writer.fh = Path(temp_name), os.fdopen(descriptor, "wb")
                elif kind == "data":
                    data: bytes = payload  # type: ignore[assignment]
                    if value is not None:
                        if len(value) + len(data) > MAX_FIELD_BYTES:
                            raise BadUpload("a form field is too long")
                        value += data
                    elif writer is not None and writer.part.refused is None:
                        writer.part.size += len(data)
                        if writer.part.size > max_file_bytes:
                            writer.part.refused = "too_large"
                            await to_thread.run_sync(writer.discard)
                            yield writer.part
                        else:
                            await to_thread.run_sync(writer.write, data)
                    elif writer is not None:
                        writer.part.size += len(data)
                elif value is not None:  # the end of a field
                    yield FormField(name, bytes(value).decode("utf-8", "replace"))
                    value = None
                elif writer is not None:  # the end of a file
                    finished, writer = writer, None
                    await to_thread.run_sync(finished.close)
                    if finished.part.refused is None and finished.part.filename:
                        finished.part.sha256 = finished.digest.hexdigest()
                        try:
                            yield finished.part
                        finally:
                            await to_thread.run_sync(finished.discard)
                    else:
                        finished.discard()
        try:
            parser.finalize()
        except FormParserError as exc:
            raise BadUpload("the multipart body ended early") from exc
    finally:
        if writer is not None:
            with suppress(OSError):
                writer.discard()


def _disposition(headers: dict[bytes, bytes]) -> tuple[str, str | None]:
    """The form field's name and, for a file, the name the browser gave it (possibly empty)."""
    disposition, options = parse_options_header(headers.get(b"content-disposition", b""))
    if disposition != b"form-data" or b"name" not in options:
        raise BadUpload("a part has no form-data name")
    filename = options.get(b"filename")
    return (
        options[b"name"].decode("utf-8", "replace"),
        None if filename is None else filename.decode("utf-8", "replace"),
    )
