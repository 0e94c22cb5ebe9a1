"""Posts a user's message to the bot's REST webhook and returns the bot's replies."""
from __future__ import annotations

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class BotUnavailable(Exception):
    """The Rasa server could not be reached or failed to answer."""


class RasaClient:
    def __init__(self, webhook_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self._webhook_url = webhook_url
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict]:
        payload = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            response = await self._client.post(self._webhook_url, json=payload)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("bot unavailable for %s: %r", sender_id, error)
            raise BotUnavailable(str(error)) from error
        if not isinstance(replies, list):
            raise BotUnavailable(f"unexpected reply from the bot: {type(replies).__name__}")
        return replies

    async def aclose(self) -> None:
        await self._client.aclose()
