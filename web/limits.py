"""A cap on every request body, applied while it arrives: before anything reads, parses or authenticates it.

FastAPI reads a JSON or form body before it runs the route's dependencies, so without a cap an anonymous
request could make the server hold or spool any amount of data before it is told 401. Bodies declared
larger than the cap are refused at once; bodies sent without a length are counted as they come and
refused the moment they cross it. Uploads stream their files to disk with their own limit
(`web.uploads`), so their routes are left to it.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: JSON and form bodies: a review's corrections, a new user, a dossier total. Far more than any needs.
MAX_BODY_BYTES = 1 << 20
#: Routes that stream an upload to disk and enforce `max_file_bytes` themselves.
STREAMED_UPLOADS = re.compile(r"^/(upload|api/v1/batches/[^/]+/files)$")


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"Dữ liệu gửi lên quá lớn (tối đa {MAX_BODY_BYTES // 1024} KB).")


class BodyLimit:
    """Pure ASGI middleware refusing (413) any body over `max_bytes`, except on the streamed upload routes."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or STREAMED_UPLOADS.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def receive_capped() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, receive_capped, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
