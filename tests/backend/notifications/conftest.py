"""Notification fixtures: a database of their own (the queue tests empty the outbox), on SQLite
and PostgreSQL, with a sessionmaker and settings made for quick retries."""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from backend.core.config import Settings
from backend.core.db import create_engine, create_sessionmaker
from backend.outbox.models import Notification


@pytest.fixture(scope="session")
def queue_settings(db_kind: str, databases) -> Settings:
    env = databases.get(db_kind, "notifications")
    return Settings(_env_file=None, **env, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_BACKOFF_SECONDS=10,
                    NOTIFY_BACKOFF_MAX_SECONDS=60, NOTIFY_LEASE_SECONDS=30)


@pytest.fixture(scope="session")
async def queue_sessionmaker(queue_settings: Settings):
    engine = create_engine(queue_settings)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def sessionmaker(queue_sessionmaker):
    """The notifications database with an empty outbox."""
    async with queue_sessionmaker() as session, session.begin():
        await session.execute(delete(Notification))
    return queue_sessionmaker
