"""Builds the python-telegram-bot Application: handlers, error handler, shared bot data."""
from __future__ import annotations

from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          MessageHandler, TypeHandler, filters)

from connectors import common
from connectors.config import GatewaySettings
from connectors.rasa_client import RasaClient
from connectors.telegram import handlers
from connectors.telegram.rendering import PayloadStore

TOKEN_LOGGERS = ("httpx", "telegram.Bot", "telegram.ext.ExtBot")  # they log Bot API URLs


def build_application(settings: GatewaySettings, *, webhook: bool = False) -> Application:
    """Long polling uses PTB's Updater; webhook mode (`webhook=True`) has none: our route queues
    updates itself. `settings.telegram_api_base_url` points the bot at Telegram or a fake."""
    common.redact_in_logs(settings.telegram_bot_token, *TOKEN_LOGGERS)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .concurrent_updates(settings.telegram_concurrent_updates)
        .post_shutdown(_close_rasa)
    )
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data.update(
        settings=settings,
        rasa=RasaClient(settings.rasa_webhook_url, settings.rasa_timeout_seconds),
        payloads=PayloadStore(),
        seen_updates=common.RecentIds(10_000),
        locks=common.KeyedLocks(),
    )
    _add_handlers(application)
    return application


def _add_handlers(application: Application) -> None:
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, handlers.drop_duplicates), group=-1)
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help))
    application.add_handler(CommandHandler("orders", handlers.orders))
    application.add_handler(
        MessageHandler(new_messages & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(new_messages & filters.TEXT, handlers.on_text))
    application.add_handler(
        MessageHandler(new_messages & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.on_other))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_error_handler(handlers.on_error)


async def _close_rasa(application: Application) -> None:
    await application.bot_data["rasa"].aclose()
