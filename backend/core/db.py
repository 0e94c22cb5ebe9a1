"""Async engine and sessions. SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (AsyncEngine, AsyncSession, async_sessionmaker,
                                    create_async_engine)

from backend.core.config import Settings

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "orderbot_read_only"


def _ensure_sqlite_folder(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control away from the driver so "begin" below decides how to BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

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
    pool_size = settings.DATABASE_POOL_SIZE or 10
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=5, pool_timeout=60, connect_args=connect_args
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


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
