"""The action server's settings, read once from the environment (and the repo's .env)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def _read_env_file(path: Path) -> dict:
    """Reads KEY=VALUE lines; the process environment still wins over the file."""
    values: dict = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True)
class ActionSettings:
    backend_url: str
    bot_api_token: str
    backend_timeout_seconds: float


def _setting(values: dict, name: str, default: str) -> str:
    return os.environ.get(name, values.get(name, default))


@lru_cache
def get_settings() -> ActionSettings:
    values = _read_env_file(_ENV_FILE)
    timeout_text = _setting(values, "BACKEND_TIMEOUT_SECONDS", "5")
    try:
        timeout = float(timeout_text)
    except ValueError:
        raise ValueError(f"BACKEND_TIMEOUT_SECONDS must be a number of seconds, got {timeout_text!r}")
    if timeout <= 0:
        raise ValueError(f"BACKEND_TIMEOUT_SECONDS must be positive, got {timeout_text!r}")
    backend_url = _setting(values, "BACKEND_URL", "http://127.0.0.1:8000").rstrip("/")
    if not backend_url.startswith(("http://", "https://")):
        raise ValueError(f"BACKEND_URL must be an http(s) URL, got {backend_url!r}")
    return ActionSettings(
        backend_url=backend_url,
        bot_api_token=_setting(values, "BOT_API_TOKEN", "dev-bot-token"),
        backend_timeout_seconds=timeout,
    )
