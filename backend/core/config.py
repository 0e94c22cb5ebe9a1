"""One settings object for the backend, read from the environment and the repo's .env."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "data" / "orderbot.db"


class Settings(BaseSettings):
    # The same .env holds the bot's and connectors' settings too, hence extra="ignore".
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".env", extra="ignore")

    DATABASE_URL: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    # Optional PostgreSQL schema (search_path); lets test runs and benchmarks use a fresh one.
    DATABASE_SCHEMA: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    DATABASE_POOL_SIZE: int = Field(default=0, ge=0, le=100)  # 0 = 2 on SQLite, 10 on PostgreSQL
    STAFF_API_TOKEN: str = Field(default="dev-staff-token", min_length=8)
    BOT_API_TOKEN: str = Field(default="dev-bot-token", min_length=8)
    MAX_LINE_QUANTITY: int = Field(default=20, ge=1, le=10_000)
    MAX_ORDER_LINES: int = Field(default=50, ge=1, le=500)
    PENDING_ORDER_TTL_MINUTES: int = Field(default=30, ge=1, le=7 * 24 * 60)
    EXPIRY_INTERVAL_SECONDS: float = Field(default=60, ge=0)  # 0 disables the background sweep
    MAX_REQUEST_BYTES: int = Field(default=65536, ge=1024)
    CURRENCY: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    # Test-only: sleep this long between reading stock and reserving it, inside the
    # transaction, to widen any race window. Must stay 0 in production.
    RESERVE_DELAY_MS: int = Field(default=0, ge=0, le=5000)

    @field_validator("DATABASE_URL")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
