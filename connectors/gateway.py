"""The channel gateway's web app: web chat page and endpoint, health. Run: uvicorn connectors.gateway:app"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from connectors.config import GatewaySettings, get_settings
from connectors.delivered_keys import DeliveredKeys
from connectors.handoff.relay import HandoffRelay
from connectors.outbound import Outbound
from connectors.push import router as push_router
from connectors.rasa_client import RasaClient
from connectors.slack.events import slack_events_router
from connectors.telegram.webhook import telegram_webhook_router
from connectors.webchat.cors import add_webchat_cors
from connectors.webchat.deps import WebchatState
from connectors.webchat.routes import router as webchat_router
from connectors.webchat.stream import end_streams_on_exit
from connectors.webchat.stream import router as webchat_stream_router

logger = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None,
               rasa_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """rasa_transport lets a connector's unit tests put a stand-in for Rasa's REST webhook."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.rasa = RasaClient(settings.rasa_webhook_url, settings.rasa_timeout_seconds, rasa_transport)
        app.state.webchat = WebchatState.from_settings(settings)
        # Proactive messages to any channel, each dedupe key delivered once (connectors/push.py).
        app.state.outbound = Outbound(settings, app.state.webchat.hub)
        app.state.delivered_keys = DeliveredKeys(settings.gateway_state_db)
        app.state.handoff = HandoffRelay(settings)  # human handoff around web chat's bot calls
        with end_streams_on_exit(app.state.webchat.hub):
            yield
        await app.state.outbound.aclose()
        await app.state.handoff.aclose()
        app.state.delivered_keys.close()
        await app.state.rasa.aclose()

    app = FastAPI(title="orderbot gateway", lifespan=lifespan)
    app.dependency_overrides[get_settings] = lambda: settings
    add_webchat_cors(app, settings)  # widget embedded on other sites (WEBCHAT_ALLOWED_ORIGINS)
    app.include_router(webchat_router)
    app.include_router(webchat_stream_router)
    app.include_router(push_router)  # proactive messages to any channel, staff alerts
    app.include_router(telegram_webhook_router(settings))  # only when a webhook URL is set
    app.include_router(slack_events_router(settings))  # only when a signing secret is set

    @app.get("/health", tags=["health"])
    async def health() -> dict:
        return {"status": "ok"}

    return app


app = create_app()
