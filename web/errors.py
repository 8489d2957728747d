"""Errors as people should see them: a clear Vietnamese message, never a traceback or an internal name.

Paths under /api/ get JSON (`{"detail": ...}`); pages get the error template. A browser that is not
signed in is sent to the login page and brought back afterwards.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from web.auth import Forbidden, NotSignedIn
from web.pages import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Bạn cần đăng nhập.",
    403: "Bạn không có quyền truy cập trang này.",
    404: "Không tìm thấy trang hoặc tài liệu.",
    405: "Thao tác này không được hỗ trợ.",
    413: "Tệp tải lên quá lớn.",
    415: "Loại tệp này không được chấp nhận.",
    422: "Dữ liệu gửi lên không hợp lệ.",
    429: "Quá nhiều lần thử. Hãy đợi vài phút rồi thử lại.",
    500: "Đã có lỗi trong hệ thống. Lỗi đã được ghi lại; hãy thử lại sau.",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    message = message or MESSAGES.get(status, MESSAGES[400])
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": MESSAGES[401]}, status_code=401, headers={"www-authenticate": 'Bearer realm="sohoa"'}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail and exc.status_code < 500 else None
        response = error_response(request, exc.status_code, detail if detail != _default_phrase(exc) else None)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]) for e in exc.errors()})
        return error_response(request, 422, f"{MESSAGES[422]} Kiểm tra: {', '.join(fields)}.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500)


def _default_phrase(exc: HTTPException) -> str:
    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return ""
