"""Telegram webhook mode, mounted in the gateway when TELEGRAM_WEBHOOK_URL is set: registers the
webhook with a secret token and serves POST /telegram/webhook, which checks the secret and queues
the update. Any accepted update gets 200 at once, so Telegram never resends it."""
from __future__ import annotations

import hmac
import logging
import secrets
from contextlib import asynccontextmanager
from json import JSONDecodeError

from fastapi import APIRouter, FastAPI, Request, Response
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from connectors.config import GatewaySettings
from connectors.telegram.app import build_application

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_webhook_router(settings: GatewaySettings) -> APIRouter:
    """An empty router unless both the bot token and the public webhook URL are configured."""
    if not (settings.telegram_bot_token and settings.telegram_webhook_url):
        return APIRouter()
    secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        application = build_application(settings, webhook=True)
        app.state.telegram = await _start(application, settings, secret)
        try:
            yield
        finally:
            if app.state.telegram is not None:
                await application.stop()
            await application.shutdown()
            await application.bot_data["rasa"].aclose()  # post_shutdown runs only in run_polling

    router = APIRouter(tags=["telegram"], lifespan=lifespan)

    @router.post("/telegram/webhook", name="telegram_webhook", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
            logger.warning("Telegram webhook call with a missing or wrong secret")
            return Response(status_code=403)
        application = request.app.state.telegram
        if application is None:
            return Response(status_code=503)
        update = await _read_update(request, application.bot)
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return router


async def _start(application: Application, settings: GatewaySettings,
                 secret: str) -> Application | None:
    """Registers the webhook and starts processing; a Telegram failure leaves the rest of the
    gateway running (logged, and the route answers 503)."""
    try:
        await application.initialize()
        await application.bot.set_webhook(settings.telegram_webhook_url, secret_token=secret,
                                          allowed_updates=Update.ALL_TYPES)
        await application.start()
    except TelegramError as error:
        logger.error("Telegram webhook mode is off: could not register the webhook: %s", error)
        return None
    logger.info("Telegram webhook registered")
    return application


async def _read_update(request: Request, bot) -> Update | None:
    try:
        data = await request.json()
        if isinstance(data, dict) and isinstance(data.get("update_id"), int):
            return Update.de_json(data, bot)
    except (JSONDecodeError, UnicodeDecodeError, TypeError, KeyError, ValueError, AttributeError):
        pass
    logger.warning("Telegram webhook call with an unreadable update")
    return None
