"""One settings object for the backend, read from the environment and the repo's .env."""
from __future__ import annotations

import re
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
    # Where orders may be shipped: ISO alpha-2 codes, comma-separated. The EU's 27, the UK (GB),
    # Switzerland and Norway; places inside them outside the VAT area are refused by postcode
    # (backend/orders/delivery_area.py).
    DELIVERY_COUNTRIES: str = ("AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,"
                               "RO,SK,SI,ES,SE,GB,CH,NO")
    # Test-only: sleep this long between reading stock and reserving it, inside the
    # transaction, to widen any race window. Must stay 0 in production.
    RESERVE_DELAY_MS: int = Field(default=0, ge=0, le=5000)
    # Reports (backend/reports): Rasa's SQL tracker store, read-only, for conversation metrics.
    # The same RASA_TRACKER_DB the bot uses (relative to the repo); TRACKER_STORE_URL overrides
    # it (sqlite+aiosqlite:///… or postgresql+asyncpg://…) for a tracker store elsewhere.
    RASA_TRACKER_DB: Path = Path("var/rasa/tracker.db")
    TRACKER_STORE_URL: str | None = None
    # Notifications (backend/notifications: the dispatcher process and its periodic scans).
    GATEWAY_URL: str = "http://127.0.0.1:8080"  # the gateway's /internal/push (notifier, handoff)
    GATEWAY_PUSH_TOKEN: str = Field(default="dev-push-token", min_length=8)
    FEEDBACK_REQUEST_DELAY_MINUTES: float = Field(default=60, ge=0)
    ORDER_EXPIRING_NOTICE_MINUTES: float = Field(default=5, ge=0)  # 0: no reminder
    STUCK_ORDER_HOURS: float = Field(default=24, gt=0)  # confirmed/processing this long: alert
    NOTIFY_MAX_ATTEMPTS: int = Field(default=8, ge=1, le=100)
    NOTIFY_BACKOFF_SECONDS: float = Field(default=10, ge=0)  # first retry; doubles each time
    NOTIFY_BACKOFF_MAX_SECONDS: float = Field(default=3600, ge=0)
    NOTIFY_BATCH_SIZE: int = Field(default=20, ge=1, le=1000)
    NOTIFY_POLL_SECONDS: float = Field(default=1, gt=0)
    NOTIFY_LEASE_SECONDS: float = Field(default=60, gt=0)  # a claimed row is retried after this
    NOTIFY_SCAN_SECONDS: float = Field(default=60, gt=0)  # low stock, stuck orders, reminders
    NOTIFY_TIMEOUT_SECONDS: float = Field(default=10, gt=0)
    NOTIFY_DOMAIN_PATH: Path = REPO_ROOT / "domain.yml"  # where the message wording lives
    # Test-only: sleep this long after the gateway accepted a message and before marking the row
    # delivered, so a test can kill the dispatcher in that window. Must stay 0 in production.
    NOTIFY_ACK_DELAY_MS: int = Field(default=0, ge=0, le=60_000)
    # Human handoff (backend/support/handoff.py): when staff answer, in STAFF_TIMEZONE; outside
    # these hours the customer is told when someone will answer. Empty: never staffed.
    STAFF_HOURS: str = "mon-fri 09:00-18:00, sat 10:00-14:00"
    STAFF_TIMEZONE: str = "Europe/Berlin"
    # Demand forecasting and reorder suggestions (backend/forecasting).
    FORECAST_SERVICE_LEVEL: float = Field(default=0.95, ge=0.5, le=0.999)  # chance of no stock-out
    FORECAST_HISTORY_DAYS: int = Field(default=182, ge=70, le=1095)  # order history to learn from
    FORECAST_COVER_DAYS: int = Field(default=14, ge=0, le=365)  # an order lasts this long past lead
    FORECAST_CACHE_SECONDS: float = Field(default=900, ge=0)  # then refit in the background

    @field_validator("DATABASE_URL")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("DELIVERY_COUNTRIES")
    @classmethod
    def _country_codes(cls, value: str) -> str:
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        wrong = [code for code in codes if not re.fullmatch(r"[A-Z]{2}", code)]
        if wrong:
            raise ValueError(f"not ISO alpha-2 country codes: {', '.join(wrong)} (write IE,DE,GB)")
        if not codes:
            raise ValueError("name at least one country (ISO alpha-2, comma-separated: IE,DE,GB)")
        return ",".join(codes)

    @field_validator("STAFF_HOURS")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        from backend.support.staff_hours import parse_hours  # pure module, no settings import
        parse_hours(value)
        return value

    @field_validator("STAFF_TIMEZONE")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)")
        return value

    @property
    def tracker_store_url(self) -> str:
        if self.TRACKER_STORE_URL:
            return self.TRACKER_STORE_URL
        path = self.RASA_TRACKER_DB
        return f"sqlite+aiosqlite:///{path if path.is_absolute() else REPO_ROOT / path}"

    @property
    def delivery_countries(self) -> frozenset[str]:
        return frozenset(self.DELIVERY_COUNTRIES.split(","))

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
