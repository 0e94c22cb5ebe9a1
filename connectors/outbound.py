"""Proactive delivery: sends Rasa-format messages to a conversation on any channel, outside a
reply. Used by POST /internal/push (order notifications) and by anything in the gateway that
must reach a customer on their own channel (a staff member's answer in a handoff)."""
from __future__ import annotations

import logging
import re

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.request import HTTPXRequest

from connectors import common
from connectors.config import GatewaySettings
from connectors.slack import rendering as slack_rendering
from connectors.telegram import rendering as telegram_rendering
from connectors.telegram.app import TOKEN_LOGGERS
from connectors.webchat.deps import SESSION_ID_PATTERN
from connectors.webchat.live import LiveHub

logger = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel is not configured here or its API failed: worth retrying later (503)."""


class BadRecipient(Exception):
    """The recipient can never be reached this way (malformed id, bot blocked): do not retry."""


class Outbound:
    def __init__(self, settings: GatewaySettings, hub: LiveHub) -> None:
        self.settings = settings
        self.hub = hub
        self._bot: Bot | None = None
        # Button payloads that do not fit Telegram's callback data; proactive buttons are kept
        # short (the feedback buttons fit inline), so the polling process can read them too.
        self._payloads = telegram_rendering.PayloadStore()

    async def send(self, sender_id: str, messages: list[dict]) -> dict:
        """Delivers `messages` to `sender_id` ("web:…", "telegram:…", "slack:<team>:<user>")."""
        channel, _, conversation = sender_id.partition(":")
        if channel == "web":
            return self._send_web(conversation, messages)
        if channel == "telegram":
            return await self._send_telegram(conversation, messages)
        if channel == "slack":
            return await self._send_slack(conversation, messages)
        raise BadRecipient(f"no channel {channel!r}")

    def _send_web(self, session_id: str, messages: list[dict]) -> dict:
        if not re.fullmatch(SESSION_ID_PATTERN, session_id):
            raise BadRecipient("not a web session id")
        event_ids, delivered = self.hub.publish(session_id, messages)
        return {"event_ids": event_ids, "delivered_to": delivered}

    async def _telegram_bot(self) -> Bot:
        if not self.settings.telegram_bot_token:
            raise ChannelUnavailable("Telegram is not configured (TELEGRAM_BOT_TOKEN)")
        if self._bot is None:
            common.redact_in_logs(self.settings.telegram_bot_token, *TOKEN_LOGGERS)
            # PTB's default pool has one connection; notifications arrive in parallel batches.
            bot = Bot(self.settings.telegram_bot_token,
                      base_url=self.settings.telegram_api_base_url,
                      request=HTTPXRequest(connection_pool_size=16))
            await bot.initialize()  # getMe: checks the token once
            self._bot = bot
        return self._bot

    async def _send_telegram(self, user_id: str, messages: list[dict]) -> dict:
        if not re.fullmatch(r"-?\d{1,20}", user_id):
            raise BadRecipient("not a Telegram user id")
        try:
            bot = await self._telegram_bot()
            # A private chat's id is the user's id: the user must have started the bot once,
            # which every customer who ordered through it has.
            await telegram_rendering.send_replies(bot, int(user_id), messages, self._payloads)
        except (Forbidden, BadRequest) as error:  # blocked the bot, chat gone
            raise BadRecipient(f"Telegram refused: {error}") from error
        except TelegramError as error:
            raise ChannelUnavailable(f"Telegram failed: {error}") from error
        return {"delivered_to": 1}

    def _slack_client(self) -> AsyncWebClient:
        if not self.settings.slack_bot_token:
            raise ChannelUnavailable("Slack is not configured (SLACK_BOT_TOKEN)")
        return AsyncWebClient(token=self.settings.slack_bot_token,
                              base_url=self.settings.slack_api_base_url)

    async def _send_slack(self, conversation: str, messages: list[dict]) -> dict:
        team, _, user = conversation.partition(":")
        if not (team and re.fullmatch(r"[A-Z0-9]{2,30}", user)):
            raise BadRecipient("not a Slack <team>:<user> id")
        client = self._slack_client()
        try:
            opened = await client.conversations_open(users=user)
            channel = opened["channel"]["id"]
            for reply in messages:
                for arguments in slack_rendering.messages(reply):
                    await client.chat_postMessage(channel=channel, **arguments)
        except SlackApiError as error:
            code = error.response.get("error", "")
            if code in ("user_not_found", "cannot_dm_bot", "user_disabled", "channel_not_found"):
                raise BadRecipient(f"Slack refused: {code}") from error
            raise ChannelUnavailable(f"Slack failed: {code or error}") from error
        except aiohttp.ClientError as error:
            raise ChannelUnavailable(f"Slack unreachable: {error}") from error
        return {"delivered_to": 1}

    async def aclose(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()
