"""Settings of the whole stack as `make run` starts it: ports, hosts and optional channel tokens.

Each service validates its own settings too; this object catches a wrong port or URL before
anything starts, with a message that names the setting.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".env", extra="ignore")

    backend_port: int = Field(8000, ge=1, le=65535)
    actions_port: int = Field(5055, ge=1, le=65535)
    rasa_port: int = Field(5005, ge=1, le=65535)
    gateway_port: int = Field(8080, ge=1, le=65535)
    public_host: str = "127.0.0.1"
    startup_timeout_seconds: float = Field(300.0, gt=0)
    telegram_bot_token: str = ""
    telegram_webhook_url: str = ""
    slack_bot_token: str = ""
    slack_app_token: str = ""

    def channel_processes(self) -> list[str]:
        """Channels that need a process of their own: Telegram long polling (webhook mode runs
        inside the gateway instead) and Slack Socket Mode (HTTP events run inside the gateway)."""
        processes = []
        if self.telegram_bot_token and not self.telegram_webhook_url:
            processes.append("telegram")
        if self.slack_bot_token and self.slack_app_token:
            processes.append("slack")
        return processes

    def health_checks(self) -> dict[str, str]:
        """Service name → URL that answers 200 once the service is ready."""
        return {
            "backend": f"http://127.0.0.1:{self.backend_port}/health",
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
            "rasa": f"http://127.0.0.1:{self.rasa_port}/",
            "gateway": f"http://127.0.0.1:{self.gateway_port}/health",
        }


def describe_errors(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        name = ".".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"  {name}: {problem['msg']} (got {problem.get('input')!r})")
    return "invalid configuration in .env or the environment:\n" + "\n".join(lines)


@lru_cache
def get_stack_settings() -> StackSettings:
    return StackSettings()
