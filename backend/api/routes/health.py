from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import text
from backend.core.db import READ_ONLY_OPTION
from backend.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class DatabaseUnavailable(DomainError):
    status = 503
    code = ErrorCode.DATABASE_UNAVAILABLE


@router.get("/health")
async def read_health(request: Request) -> dict[str, str]:
    # The engine directly, not a session dependency, so a connect failure lands in the except.
    try:
        async with request.app.state.engine.connect() as connection:
            connection = await connection.execution_options(**{READ_ONLY_OPTION: True})
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"; say so, don't 500
        logger.warning("health check: database unreachable: %s", type(exc).__name__)
        raise DatabaseUnavailable("The database is unreachable.") from exc
    return {"status": "ok", "database": "ok"}
