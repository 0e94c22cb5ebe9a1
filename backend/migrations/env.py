"""Alembic environment: runs migrations through the app's async engine."""
from __future__ import annotations

import asyncio

from alembic import context

from backend.core.config import Settings
from backend.core.db import create_engine
from backend.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    # SQLite can't ALTER most things in place; batch mode rebuilds tables instead.
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=is_sqlite
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    settings: Settings = config.attributes["settings"]
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


asyncio.run(_run_async())
