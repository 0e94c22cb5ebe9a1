"""Entry point for Socket Mode (no public URL): `python -m connectors.slack`.
Needs SLACK_APP_TOKEN (xapp-, connections:write) and SLACK_BOT_TOKEN (xoxb-)."""
from __future__ import annotations

import asyncio
import logging
import sys

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from connectors.config import GatewaySettings, get_settings
from connectors.slack.app import build_app

logger = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


async def run(settings: GatewaySettings) -> None:
    app = build_app(settings)
    handler = AsyncSocketModeHandler(app, settings.slack_app_token)
    try:
        await handler.start_async()  # runs until cancelled
    finally:
        await handler.close_async()
        await app.rasa_client.aclose()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    settings = get_settings()
    if not (settings.slack_app_token and settings.slack_bot_token):
        logger.error("SLACK_APP_TOKEN and SLACK_BOT_TOKEN are needed (README, Slack section)")
        return 2
    logger.info("Slack connector: Socket Mode")
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
