"""Report tests: their own migrated database per kind, loaded once with the fixed history of
dataset.py, a Rasa-layout tracker store file, and the app in-process over ASGI."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.backend.reports import dataset
from tests.backend.servers import STAFF_TOKEN

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


@pytest.fixture(scope="session")
async def reports_app(db_kind: str, databases, workdir: Path):
    from backend.core.config import Settings
    from backend.main import create_app

    env = databases.get(db_kind, "reports")
    tracker = workdir / f"tracker-{db_kind}.db"
    if not tracker.exists():
        dataset.write_tracker(tracker)
    settings = Settings(_env_file=None, **env, RASA_TRACKER_DB=tracker)
    application = create_app(settings)
    await dataset.load(application.state.sessionmaker)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def reports(reports_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=reports_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                 headers=STAFF) as client:
        yield client


async def get_report(client: httpx.AsyncClient, name: str, **params) -> dict:
    response = await client.get(f"/api/v1/staff/reports/{name}",
                                params={**dataset.RANGE, **params})
    assert response.status_code == 200, response.text
    return response.json()
