"""What the web chat routes share: the bot client, the live hub and the reply cache, kept on the
app's state by the gateway (one process: these live in its memory)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from connectors.config import GatewaySettings, get_settings
from connectors.rasa_client import RasaClient
from connectors.webchat.live import LiveHub
from connectors.webchat.reply_cache import ReplyCache

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


@dataclass
class WebchatState:
    hub: LiveHub
    replies: ReplyCache

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> WebchatState:
        return cls(LiveHub(settings.webchat_backlog_size),
                   ReplyCache(settings.webchat_retry_cache_size, settings.webchat_retry_window_seconds))


def get_rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_hub(request: Request) -> LiveHub:
    return request.app.state.webchat.hub


def get_reply_cache(request: Request) -> ReplyCache:
    return request.app.state.webchat.replies


RasaDep = Annotated[RasaClient, Depends(get_rasa)]
HubDep = Annotated[LiveHub, Depends(get_hub)]
ReplyCacheDep = Annotated[ReplyCache, Depends(get_reply_cache)]
SettingsDep = Annotated[GatewaySettings, Depends(get_settings)]
