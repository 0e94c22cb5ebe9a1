"""The background checkpointer copies the WAL into the database file without the writer."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from backend.core.sqlite_checkpoint import Checkpointer


def _write_without_checkpoints(path: Path, blob_bytes: int) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE blobs (data BLOB)")
    connection.execute("INSERT INTO blobs VALUES (?)", (b"x" * blob_bytes,))
    return connection


def test_checkpointer_copies_committed_pages_into_the_database_file(tmp_path):
    path = tmp_path / "wal.db"
    writer = _write_without_checkpoints(path, 2_000_000)
    assert path.stat().st_size < 100_000  # everything still in the -wal file
    checkpointer = Checkpointer(str(path), interval=0.05)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while path.stat().st_size < 2_000_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size >= 2_000_000
        # The writer was never blocked: it commits while the checkpointer runs.
        writer.execute("INSERT INTO blobs VALUES (?)", (b"y" * 10,))
    finally:
        checkpointer.stop()
        writer.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM blobs").fetchone() == (2,)


def test_stop_ends_the_thread(tmp_path):
    path = tmp_path / "idle.db"
    _write_without_checkpoints(path, 10).close()
    checkpointer = Checkpointer(str(path), interval=60)
    checkpointer.start()
    assert checkpointer.running
    started = time.monotonic()
    checkpointer.stop()
    assert time.monotonic() - started < 5
    assert not checkpointer.running
