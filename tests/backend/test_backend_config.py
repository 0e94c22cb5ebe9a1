"""Settings: defaults, and a bad value fails naming the setting."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from backend.core.config import Settings
from tests.backend.servers import REPO_ROOT


def test_settings_defaults(monkeypatch):
    for name in ("DATABASE_URL", "MAX_LINE_QUANTITY", "CURRENCY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.DATABASE_URL.endswith("var/data/orderbot.db")
    assert settings.MAX_LINE_QUANTITY == 20 and settings.PENDING_ORDER_TTL_MINUTES == 30
    assert settings.MAX_REQUEST_BYTES == 65536 and settings.CURRENCY == "EUR"


def test_settings_bad_value_names_setting():
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, MAX_LINE_QUANTITY="lots")
    assert "MAX_LINE_QUANTITY" in str(caught.value)


def test_server_start_with_bad_setting_fails_readably(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
           "PENDING_ORDER_TTL_MINUTES": "-5"}
    result = subprocess.run([sys.executable, "-c", "import backend.main"], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "PENDING_ORDER_TTL_MINUTES" in result.stderr
