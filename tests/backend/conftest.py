"""Backend fixtures: a fresh migrated database per run, the app in-process over ASGI, and
real uvicorn servers for the race tests. PostgreSQL tests skip when it is unreachable,
unless REQUIRE_POSTGRES=1."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.backend import servers

DB_KINDS = servers.DB_KINDS


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("backend")


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    return servers.pg_available()


class Databases:
    """One migrated database per (kind, variant), created on first use, dropped at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.envs: dict[tuple, dict] = {}

    def get(self, kind: str, variant: str = "main") -> dict[str, str]:
        if (kind, variant) not in self.envs:
            env = servers.database_env(kind, self.workdir)
            servers.migrate(env)
            self.envs[(kind, variant)] = env
        return self.envs[(kind, variant)]

    def close(self) -> None:
        for env in self.envs.values():
            if env.get("DATABASE_SCHEMA"):
                servers.drop_pg_schema(env["DATABASE_SCHEMA"])


@pytest.fixture(scope="session")
def databases(workdir: Path) -> Iterator[Databases]:
    dbs = Databases(workdir)
    yield dbs
    dbs.close()


@pytest.fixture(scope="session", params=DB_KINDS)
def db_kind(request, postgres_ready: bool) -> str:
    servers.require_database(request.param, postgres_ready)
    return request.param


@pytest.fixture(scope="session")
async def app(db_kind: str, databases: Databases):
    from backend.core.config import Settings
    from backend.main import create_app

    env = databases.get(db_kind)
    settings = Settings(**{k: v for k, v in env.items()})
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


class Servers:
    def __init__(self, databases: Databases, workdir: Path) -> None:
        self.databases, self.workdir, self.running = databases, workdir, {}

    def get(self, kind: str, delay_ms: int = 0) -> servers.LiveServer:
        key = (kind, delay_ms)
        if key not in self.running:
            env = {**self.databases.get(kind, f"live-{delay_ms}"),
                   "RESERVE_DELAY_MS": str(delay_ms)}
            log = self.workdir / f"uvicorn-{kind}-{delay_ms}.log"
            self.running[key] = servers.LiveServer(env).start(log)
        return self.running[key]

    def stop(self) -> None:
        for server in self.running.values():
            server.stop()


@pytest.fixture(scope="session")
def live_servers(databases: Databases, workdir: Path) -> Iterator[Servers]:
    pool = Servers(databases, workdir)
    yield pool
    pool.stop()
