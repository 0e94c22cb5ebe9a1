"""The one place that posts to the staff Slack channel (handoff tickets, staff alerts)."""
from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

logger = logging.getLogger(__name__)

FALLBACK_TEXT_LIMIT = 3000


def staff_channel_configured(settings) -> bool:
    return bool(settings.slack_bot_token and settings.slack_staff_channel)


def staff_client(settings) -> AsyncWebClient:
    return AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_base_url)


async def post_staff_message(settings, text: str, blocks: list[dict] | None = None,
                             thread_ts: str | None = None) -> str | None:
    """Posts to the staff channel (in the thread `thread_ts` when given) and returns the message
    ts, or None when Slack or the staff channel is not configured. A refusal from Slack raises
    slack_sdk's SlackApiError and a network failure aiohttp's ClientError, so callers that
    retry (the notification dispatcher) can."""
    if not staff_channel_configured(settings):
        return None
    arguments = {"channel": settings.slack_staff_channel, "text": text[:FALLBACK_TEXT_LIMIT]}
    if blocks:
        arguments["blocks"] = blocks
    if thread_ts:
        arguments["thread_ts"] = thread_ts
    response = await staff_client(settings).chat_postMessage(**arguments)
    return response.get("ts")


async def update_staff_message(settings, ts: str, text: str, blocks: list[dict]) -> None:
    """Rewrites a message the app posted in the staff channel (a ticket once resolved)."""
    if staff_channel_configured(settings):
        await staff_client(settings).chat_update(channel=settings.slack_staff_channel, ts=ts,
                                                 text=text[:FALLBACK_TEXT_LIMIT], blocks=blocks)
