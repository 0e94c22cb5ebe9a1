"""Sends a message to a customer on their own channel through the gateway's POST /internal/push
(the same route the notification dispatcher uses)."""
from __future__ import annotations

import logging

import httpx

from backend.errors import CustomerUnreachable

logger = logging.getLogger(__name__)


async def push_texts(settings, sender_id: str, texts: list[str], dedupe_key: str) -> None:
    """Raises CustomerUnreachable unless the gateway accepted the messages. The dedupe key lets
    the gateway drop a repeat, so a retried request never shows the customer a message twice."""
    body = {"sender_id": sender_id, "messages": [{"text": text} for text in texts],
            "dedupe_key": dedupe_key}
    url = settings.GATEWAY_URL.rstrip("/") + "/internal/push"
    headers = {"Authorization": f"Bearer {settings.GATEWAY_PUSH_TOKEN}"}
    try:
        async with httpx.AsyncClient(timeout=settings.NOTIFY_TIMEOUT_SECONDS) as client:
            response = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError as error:
        logger.warning("gateway unreachable for a handoff message: %r", error)
        raise CustomerUnreachable("the channel gateway is unreachable") from error
    if response.status_code >= 300:
        logger.warning("gateway refused a handoff message: %s %s", response.status_code,
                       response.text[:200])
        raise CustomerUnreachable(f"the channel gateway answered {response.status_code}")
