"""Databases and real uvicorn servers for backend tests and the benchmark."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
STAFF_TOKEN = "test-staff-token"
BOT_TOKEN = "test-bot-token"


def require_database(kind: str, postgres_ready: bool) -> None:
    """Skips PostgreSQL tests when the server is unreachable, unless REQUIRE_POSTGRES=1."""
    if kind == "postgres" and not postgres_ready:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL unreachable at {pg_url()} and REQUIRE_POSTGRES=1")
        pytest.skip(f"PostgreSQL unreachable at {pg_url()}")


def pg_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_URL)


async def _pg_execute(sql: str) -> None:
    import asyncpg
    dsn = pg_url().replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn, timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _run_pg(sql: str) -> None:
    # In a thread: callers may already be inside the test session's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_pg_execute(sql))).result()


def pg_available() -> bool:
    try:
        _run_pg("SELECT 1")
        return True
    except Exception:
        return False


def create_pg_schema() -> str:
    """A fresh schema per run, so concurrent or repeated runs never see each other's rows."""
    schema = f"obt_{uuid.uuid4().hex[:12]}"
    _run_pg(f"CREATE SCHEMA {schema}")
    return schema


def drop_pg_schema(schema: str) -> None:
    _run_pg(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def database_env(kind: str, workdir: Path) -> dict[str, str]:
    """Environment for one fresh, migrated database of `kind` ("sqlite" or "postgres")."""
    env = {"STAFF_API_TOKEN": STAFF_TOKEN, "BOT_API_TOKEN": BOT_TOKEN,
           "EXPIRY_INTERVAL_SECONDS": "0"}
    if kind == "sqlite":
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / f'{uuid.uuid4().hex[:8]}.db'}"
    else:
        env["DATABASE_URL"] = pg_url()
        env["DATABASE_SCHEMA"] = create_pg_schema()
    return env


def migrate(env: dict[str, str]) -> None:
    # In a child process: Alembic's env.py runs its own event loop.
    subprocess.run([sys.executable, "-m", "backend.manage", "migrate"], cwd=REPO_ROOT,
                   env={**os.environ, **env}, check=True, capture_output=True, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    env: dict[str, str]
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_path: Path) -> LiveServer:
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log", "--log-level", "warning",
             # Longer than any pause in a test, so a client never reuses a connection the
             # server is closing at that instant (a spurious ReadError).
             "--timeout-keep-alive", "120", "--workers", str(self.workers)],
            cwd=REPO_ROOT, env={**os.environ, **self.env}, stdout=self._log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited early; see {log_path}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn did not become healthy; see {log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()
