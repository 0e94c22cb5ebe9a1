"""Builds the slack-bolt AsyncApp: client, shared bot client, retry dedupe and listeners."""
from __future__ import annotations

import logging

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from connectors.common import KeyedLocks, RecentIds
from connectors.config import GatewaySettings
from connectors.rasa_client import RasaClient
from connectors.slack import listeners

logger = logging.getLogger(__name__)


def build_app(settings: GatewaySettings, client: AsyncWebClient | None = None) -> AsyncApp:
    """`client` defaults to a WebClient on `settings.slack_api_base_url` (Slack or a fake)."""
    client = client or AsyncWebClient(token=settings.slack_bot_token,
                                      base_url=settings.slack_api_base_url)
    app = AsyncApp(client=client, signing_secret=settings.slack_signing_secret,
                   logger=logging.getLogger("connectors.slack.bolt"))
    rasa = RasaClient(settings.rasa_webhook_url, settings.rasa_timeout_seconds)
    app.middleware(_shared(settings, rasa, KeyedLocks()))
    app.middleware(_drop_retries(RecentIds(10_000)))
    listeners.register(app)
    app.rasa_client = rasa  # the runner closes it: `await app.rasa_client.aclose()`
    return app


def _shared(settings: GatewaySettings, rasa: RasaClient, locks: KeyedLocks):
    async def add_shared_objects(context, next):  # noqa: A002 - Bolt passes `next` by name
        context["settings"], context["rasa"], context["locks"] = settings, rasa, locks
        await next()

    return add_shared_objects


def _drop_retries(seen: RecentIds):
    """Slack resends an event it thinks we missed (X-Slack-Retry-Num, same event_id); an event id
    seen before is acknowledged and dropped, so a retry never produces a second reply."""

    async def drop_repeated_events(body, next):  # noqa: A002
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and seen.seen(event_id):
            logger.info("dropping repeated Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        await next()

    return drop_repeated_events
