"""The gateway's settings: one pydantic Settings read from the environment and the repo's .env."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".env", extra="ignore")

    gateway_host: str = "127.0.0.1"
    gateway_port: int = Field(8080, ge=1, le=65535)
    rasa_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:5005")
    rasa_timeout_seconds: float = Field(30.0, gt=0)
    shop_name: str = "Hearth & Bean"
    max_message_chars: int = Field(2000, ge=1)
    # Telegram: long polling unless telegram_webhook_url (public https URL) is set.
    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""  # empty: a random secret per start
    telegram_concurrent_updates: int = Field(16, ge=1)
    # Slack: Socket Mode with slack_app_token (xapp-), HTTP events with slack_signing_secret.
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_base_url: str = "https://slack.com/api/"
    # Human handoff: tickets and staff alerts go to this channel id (the app must be a member).
    slack_staff_channel: str = ""
    # The backend keeps the handoff state; the channels ask it with the staff token whether a
    # conversation is with staff (answers cached this long; resolving elsewhere shows up after).
    backend_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    staff_api_token: str = "dev-staff-token"
    handoff_cache_seconds: float = Field(2.0, ge=0)
    # Proactive messages: POST /internal/push needs this bearer token; web chat keeps a short
    # per-session backlog for reconnecting widgets and remembers recent replies for retries.
    gateway_push_token: str = "dev-push-token"
    # Dedupe keys of delivered proactive messages (SQLite), so a re-send is dropped even after a
    # gateway restart.
    gateway_state_db: Path = REPO_ROOT / "var" / "data" / "gateway.db"
    webchat_backlog_size: int = Field(100, ge=1)
    webchat_heartbeat_seconds: float = Field(15.0, gt=0)
    webchat_retry_window_seconds: float = Field(600.0, gt=0)
    webchat_retry_cache_size: int = Field(10_000, ge=1)
    # Other sites that may embed the widget: comma-separated origins (https://shop.example).
    # Empty: only the gateway's own demo page. "*" lets any site use it: not recommended.
    webchat_allowed_origins: str = ""

    @field_validator("webchat_allowed_origins")
    @classmethod
    def _origins_look_like_origins(cls, value: str) -> str:
        for origin in _split_origins(value):
            if origin != "*" and not re.fullmatch(r"https?://[^/\s?#]+", origin):
                raise ValueError(f"{origin!r} is not an origin like https://shop.example (no path)")
        return value

    @property
    def webchat_allowed_origin_list(self) -> list[str]:
        return _split_origins(self.webchat_allowed_origins)

    @property
    def rasa_webhook_url(self) -> str:
        return str(self.rasa_url).rstrip("/") + "/webhooks/rest/webhook"


def _split_origins(value: str) -> list[str]:
    """Browsers send origins without a trailing slash; a pasted "https://shop.example/" still matches."""
    return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
