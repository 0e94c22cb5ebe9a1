"""Health: 503 problem+json when the database can't be reached."""
from __future__ import annotations

import httpx

from backend.core.config import Settings
from backend.main import create_app


async def test_health_database_down_is_503():
    # Nothing listens on port 1: the connection is refused at once.
    settings = Settings(_env_file=None,
                        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/none")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/health")
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "database_unavailable"
