"""Slack HTTP events mode, mounted in the gateway when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN
are set: POST /slack/events for events, actions and slash commands. Bolt checks the signature
and timestamp: unsigned, wrongly signed or stale requests get 401."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from connectors.config import GatewaySettings
from connectors.slack.app import build_app

logger = logging.getLogger(__name__)


def slack_events_router(settings: GatewaySettings) -> APIRouter:
    """An empty router unless the bot token and the signing secret are configured."""
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        return APIRouter()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        bolt_app = build_app(settings)
        app.state.slack_handler = AsyncSlackRequestHandler(bolt_app)
        logger.info("Slack HTTP events mode at /slack/events")
        try:
            yield
        finally:
            await bolt_app.rasa_client.aclose()

    router = APIRouter(tags=["slack"], lifespan=lifespan)

    @router.post("/slack/events", name="slack_events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await request.app.state.slack_handler.handle(request)

    return router
