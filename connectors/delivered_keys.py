"""Dedupe keys of proactive messages the gateway already delivered, in a small SQLite file so
they survive a restart. A dispatcher that crashed after sending but before recording the send
sends again with the same key; the gateway answers "duplicate" and the customer sees it once."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

KEEP_SECONDS = 90 * 24 * 3600  # far longer than any dispatcher retries a message


class DeliveredKeys:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None  # opened on first use
        # One connection, used from worker threads one at a time (the lock): stdlib sqlite3 is
        # blocking, so calls run in a thread and never stall the event loop.
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS delivered_keys "
                       "(key TEXT PRIMARY KEY, delivered_at REAL NOT NULL)")
            db.execute("DELETE FROM delivered_keys WHERE delivered_at < ?",
                       (time.time() - KEEP_SECONDS,))
            self._db = db
        return self._db

    def _contains(self, key: str) -> bool:
        with self._lock:
            row = self._connection().execute(
                "SELECT 1 FROM delivered_keys WHERE key = ?", (key,)).fetchone()
        return row is not None

    def _add(self, key: str) -> None:
        with self._lock:
            self._connection().execute(
                "INSERT OR IGNORE INTO delivered_keys (key, delivered_at) VALUES (?, ?)",
                (key, time.time()))

    async def contains(self, key: str) -> bool:
        return await asyncio.to_thread(self._contains, key)

    async def add(self, key: str) -> None:
        await asyncio.to_thread(self._add, key)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
