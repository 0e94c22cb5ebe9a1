"""SQLite's single writer: whole write transactions on one thread, one connection.

Through aiosqlite every statement is three or four hops between the event loop and the
driver's thread (cursor, execute, fetch, close), and on the order path those hops cost more
CPU than SQLite spends on the SQL. SQLite runs one writer at a time anyway, so the order
and status-change use cases run here instead: the caller's loop hands the whole use case
to this thread's own event loop (one hop there, one back), where a plain sqlite3
connection answers each statement at once. The SQL, the BEGIN IMMEDIATE and the
conditional reservation UPDATE are the same as on the pool's connections, so other
connections and processes still serialise against these transactions through SQLite's own
lock (busy_timeout), and a wait for that lock blocks this thread, never the server's loop.
A thread of its own copies the WAL into the database file (backend/core/sqlite_checkpoint.py),
so this thread's commits seldom do.
"""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from backend.core.sqlite_checkpoint import WRITER_AUTOCHECKPOINT_PAGES, Checkpointer

T = TypeVar("T")


class _InlineConnection(aiosqlite.Connection):
    """aiosqlite's interface over a sqlite3 connection, each call run at once on the calling
    thread (the writer's), which is the only thread that ever touches the connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__(lambda: connection, iter_chunk_size=64)  # its Thread never starts
        self._connection = connection

    async def _execute(self, fn, *args, **kwargs):
        return fn(*args, **kwargs)

    def __del__(self) -> None:
        # aiosqlite closes from whichever thread collects the object; sqlite3 refuses that,
        # and the sqlite3 connection closes itself when it is collected anyway.
        pass

    def stop(self) -> None:
        self._running = False
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except sqlite3.ProgrammingError:
                pass  # called from another thread (pool clean-up at exit): it closes on GC

    async def close(self) -> None:
        self.stop()


class SqliteWriter:
    """Runs `use_case(session, ...)` on the writer thread, with a session of its own."""

    def __init__(self, url: str, pragmas: Callable[[sqlite3.Cursor], None],
                 configure: Callable[[AsyncEngine], None]) -> None:
        self._database = make_url(url).database
        self._url = url
        self._pragmas = pragmas
        self._configure = configure
        self._start_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._engine: AsyncEngine | None = None
        self._checkpointer: Checkpointer | None = None

    async def _connect(self) -> _InlineConnection:
        # isolation_level=None: the engine's "begin" listener issues BEGIN IMMEDIATE itself.
        connection = sqlite3.connect(self._database, isolation_level=None)
        cursor = connection.cursor()
        self._pragmas(cursor)
        cursor.execute(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}")
        cursor.close()
        return _InlineConnection(connection)

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:  # started on first use: most processes never write
            if self._loop is None:
                # One connection: transactions queue on the pool, in this thread's loop.
                engine = create_async_engine(self._url, async_creator=self._connect,
                                             pool_size=1, max_overflow=0, pool_timeout=60)
                self._configure(engine)
                self._engine = engine
                self._sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, daemon=True,
                                                name="sqlite-writer")
                self._thread.start()
                self._checkpointer = Checkpointer(self._database)
                self._checkpointer.start()
                self._loop = loop
        return self._loop

    async def _in_session(self, use_case, args, kwargs):
        async with self._sessionmaker() as session:
            return await use_case(session, *args, **kwargs)

    async def run(self, use_case: Callable[..., Awaitable[T]], /, *args: Any,
                  **kwargs: Any) -> T:
        loop = self._loop or self._start()
        future = asyncio.run_coroutine_threadsafe(self._in_session(use_case, args, kwargs), loop)
        return await asyncio.wrap_future(future)

    async def close(self) -> None:
        if self._loop is None:
            return
        loop, self._loop = self._loop, None
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._engine.dispose(), loop))
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(self._thread.join, 10)
        loop.close()
        await asyncio.to_thread(self._checkpointer.stop)
