"""Entry point for long polling (no public URL needed): `python -m connectors.telegram`.
With TELEGRAM_WEBHOOK_URL set, the gateway serves POST /telegram/webhook instead."""
from __future__ import annotations

import logging
import sys

from telegram import Update

from connectors.config import get_settings
from connectors.telegram.app import build_application

logger = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per getUpdates (token redacted)
    settings = get_settings()
    if not settings.telegram_bot_token:
        logger.error("TELEGRAM_BOT_TOKEN is not set; see the README's Telegram section")
        return 2
    if settings.telegram_webhook_url:
        logger.error("TELEGRAM_WEBHOOK_URL is set: webhook mode runs in the gateway, not here")
        return 2
    logger.info("Telegram connector: long polling")
    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
