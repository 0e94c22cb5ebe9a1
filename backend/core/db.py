"""Async engine and sessions. SQLite gets WAL, foreign keys, a busy timeout, BEGIN IMMEDIATE
and a single writer thread for the hot write use cases (backend/core/sqlite_writer.py)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (AsyncEngine, AsyncSession, async_sessionmaker,
                                    create_async_engine)

from backend.core.config import Settings
from backend.core.sqlite_writer import SqliteWriter

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "orderbot_read_only"
WRITER_KEY = "sqlite_writer"  # in Session.info
T = TypeVar("T")


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(cursor) -> None:
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from the driver so "begin" below decides how to BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _sqlite_pragmas(cursor)
        cursor.close()

    _begin_immediate(engine)


def _begin_immediate(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection) -> None:
        # A deferred BEGIN fails its read-to-write upgrade with "database is locked" at once;
        # IMMEDIATE takes the write lock up front and waits on busy_timeout instead.
        # Read-only sessions (get_read_session) keep a deferred BEGIN so they never queue.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.DATABASE_URL
    if settings.is_sqlite:
        _ensure_sqlite_folder(url)
        # A small pool: writers serialise on SQLite anyway, more connections only add lock waits.
        pool_size = settings.DATABASE_POOL_SIZE or 2
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60)
        _configure_sqlite(engine)
        return engine
    connect_args = {}
    if settings.DATABASE_SCHEMA:
        connect_args["server_settings"] = {"search_path": settings.DATABASE_SCHEMA}
    # No overflow: under a burst, overflow connections are opened and closed again and again,
    # and each new PostgreSQL connection costs a process and a cold cache. Requests beyond
    # the pool wait for a connection instead; an order holds one for a single round trip.
    pool_size = settings.DATABASE_POOL_SIZE or 10
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_timeout=60, connect_args=connect_args
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions of a SQLite file carry the file's writer in `Session.info`, for run_write.
    (An in-memory database has no writer: another connection would be another database.)"""
    info = {}
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        info[WRITER_KEY] = SqliteWriter(engine.url.render_as_string(hide_password=False),
                                        _sqlite_pragmas, _begin_immediate)
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


async def dispose(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    writer = sessionmaker.kw.get("info", {}).get(WRITER_KEY)
    if writer is not None:
        await writer.close()
    await engine.dispose()


async def run_write(session: AsyncSession, use_case: Callable[..., Awaitable[T]], /,
                    *args: Any, **kwargs: Any) -> T:
    """Runs `use_case(session, *args, **kwargs)`, a write use case that opens its own
    transaction(s) on the session it is given.

    On a SQLite file it runs on the single writer thread with that thread's session (one
    thread hop per use case instead of several per statement) and `session` stays unused;
    on PostgreSQL it runs right here on `session`, from the pool. Call it with no transaction
    open on this engine in the same task: on SQLite that transaction would hold the write lock
    the writer waits for.
    """
    writer: SqliteWriter | None = session.info.get(WRITER_KEY)
    if writer is None:
        return await use_case(session, *args, **kwargs)
    return await writer.run(use_case, *args, **kwargs)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for routes that only read: no write lock on SQLite."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        await session.connection(execution_options={READ_ONLY_OPTION: True})
        yield session
