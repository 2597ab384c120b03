"""Errors as JSON problem details (RFC 9457) with a stable `code` and Chinese and English text."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError

PROBLEM_JSON = "application/problem+json"


class ApiError(DomainError):
    """What only the HTTP edge refuses (a bad token, a missing CSRF token, a malformed query)."""

    def __init__(self, status: int, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(code, message_zh, message_en, status)


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


def domain_problem(exc: DomainError) -> JSONResponse:
    """Any refusal of the domain as problem+json: its status, its stable code, both messages."""
    return problem(exc.status, exc.code, exc.message_zh, exc.message_en, **exc.problem_extra())


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to HTTP in one place, so routes stay thin."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, DomainError):  # raised while the body was read (an upload's size)
            return domain_problem(exc.__cause__)
        text = str(exc.detail)
        return problem(exc.status_code, f"http-{exc.status_code}", text, text)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg")} for e in exc.errors()]
        return problem(422, "invalid-request", "请求参数有误", "invalid request parameters", errors=errors)
