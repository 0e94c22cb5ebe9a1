"""Every error leaves as application/problem+json with a stable `code` and a precise `detail`."""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_HTTP_CODES = {400: "bad_request", 401: ErrorCode.UNAUTHORIZED.value, 403: "forbidden",
               404: ErrorCode.NOT_FOUND.value, 405: "method_not_allowed",
               413: ErrorCode.PAYLOAD_TOO_LARGE.value}


def problem(status: int, code: str, detail: str, headers: dict | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": f"https://orderbot.dev/problems/{code}", "title": HTTPStatus(status).phrase,
            "status": status, "code": code, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
    return problem(exc.status, exc.code.value, exc.detail, **exc.data)


def _field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid"),
               "type": e.get("type")} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]) or "invalid request"
    return problem(422, ErrorCode.VALIDATION_ERROR.value, detail, errors=errors)


async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return problem(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    # SQLSTATE class 22 (data exception: NUL byte, number out of range...) is the request's
    # fault, not ours; every other database error is a real 500.
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
    if sqlstate.startswith("22"):
        logger.info("rejected value on %s %s: SQLSTATE %s", request.method, request.url.path,
                    sqlstate)
        return problem(422, ErrorCode.VALIDATION_ERROR.value,
                       "A value is out of range or contains characters we can't store.")
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "Something went wrong on our side; it was logged.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
