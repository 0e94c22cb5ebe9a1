"""Forecast tests: a demo-seeded database per kind (the real `manage seed`), and the app
in-process over ASGI on it."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.backend.servers import REPO_ROOT, STAFF_TOKEN

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """As forecast_all does: tiny fits, so BLAS threads only spin on a shared machine."""
    from backend.forecasting.engine import _one_blas_thread

    with _one_blas_thread():
        yield


@pytest.fixture(scope="session")
def demo_env(db_kind: str, databases) -> dict[str, str]:
    env = databases.get(db_kind, "forecast-demo")
    result = subprocess.run([sys.executable, "-m", "backend.manage", "seed"], cwd=REPO_ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return env


@pytest.fixture(scope="session")
async def demo_app(demo_env):
    from backend.core.config import Settings
    from backend.main import create_app

    application = create_app(Settings(_env_file=None, **demo_env))
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def staff(demo_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=STAFF,
                                 timeout=120) as client:
        yield client
