"""Errors as JSON problem details (RFC 9457) with a stable `code` and Chinese and English text."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.services.accounts import AccountError
from app.services.briefs import BriefError
from app.services.notes import NoteError
from app.services.progress import ScopeError
from app.services.uploads import UploadError

PROBLEM_JSON = "application/problem+json"
UPLOAD_STATUS = {
    "not-found": 404,
    "wrong-status": 409,
    "conflict": 409,
    "warnings-not-confirmed": 409,
    "reason-required": 422,
    "period-locked": 409,
    "changed-since-staging": 409,
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message_zh: str, message_en: str) -> None:
        self.status, self.code, self.message_zh, self.message_en = status, code, message_zh, message_en
        super().__init__(message_en)


def problem(status: int, code: str, message_zh: str, message_en: str, **extra: object) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": message_en,
        "status": status,
        "code": code,
        "detail": message_zh,
        "detail_en": message_en,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to HTTP in one place, so routes stay thin."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message_zh, exc.message_en)

    @app.exception_handler(AccountError)
    async def _account(_: Request, exc: AccountError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message_zh, exc.message_en)

    @app.exception_handler(NoteError)
    async def _note(_: Request, exc: NoteError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message_zh, exc.message_en)

    @app.exception_handler(UploadError)
    async def _upload(_: Request, exc: UploadError) -> JSONResponse:
        status = UPLOAD_STATUS.get(exc.code, 400)
        return problem(status, exc.code, exc.message_zh, exc.message_en, **exc.detail)

    @app.exception_handler(BriefError)
    async def _brief(_: Request, exc: BriefError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message_zh, exc.message_en)

    @app.exception_handler(ScopeError)
    async def _scope(_: Request, exc: ScopeError) -> JSONResponse:
        return problem(422, "unknown-scope", str(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = str(exc.detail)
        return problem(exc.status_code, f"http-{exc.status_code}", text, text)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg")} for e in exc.errors()]
        return problem(422, "invalid-request", "请求参数有误", "invalid request parameters", errors=errors)
