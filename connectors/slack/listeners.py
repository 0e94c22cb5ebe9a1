"""Slack listeners: direct messages, app mentions (answered in the thread), Block Kit button
actions and the /order slash command. Actions and commands ack first; events are acked for us.
The sender id is `slack:<team id>:<user id>`."""
from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from connectors.common import BOT_UNAVAILABLE_TEXT, NON_TEXT_INPUT_TEXT, check_input
from connectors.handoff import slack_listeners as handoff_listeners
from connectors.rasa_client import BotUnavailable
from connectors.slack.rendering import BUTTON_ACTION_PREFIX, messages

logger = logging.getLogger(__name__)

MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")
BUTTON_ACTION = re.compile(rf"^{BUTTON_ACTION_PREFIX}\d+$")


def register(app: AsyncApp) -> None:
    handoff_listeners.register(app)  # staff channel first: its thread messages are not customers'
    app.event("message")(on_message)
    app.event("app_mention")(on_mention)
    app.action(BUTTON_ACTION)(on_button)
    app.command("/order")(on_order_command)
    app.error(on_error)


async def on_message(event: dict, body: dict, context: AsyncBoltContext,
                     client: AsyncWebClient) -> None:
    """Direct messages only; channel messages reach us as app_mention when addressed."""
    if event.get("channel_type") != "im" or event.get("bot_id"):
        return
    subtype = event.get("subtype")
    if subtype not in (None, "file_share"):
        return  # edits, deletions, joins, bot messages
    text = event.get("text") or ""
    if subtype == "file_share" and not text.strip():
        await client.chat_postMessage(channel=event["channel"], text=NON_TEXT_INPUT_TEXT)
        return
    where = {"channel": event["channel"], "thread_ts": event.get("thread_ts")}
    await converse(context, client, _team(body, event), event["user"], text, where)


async def on_mention(event: dict, body: dict, context: AsyncBoltContext,
                     client: AsyncWebClient) -> None:
    if event.get("bot_id") or event.get("channel_type") == "im" or not event.get("user"):
        return
    if handoff_listeners.is_staff_channel(context, event.get("channel")):
        return  # staff talking about the bot are not customers
    text = MENTION.sub(" ", event.get("text") or "").strip()
    where = {"channel": event["channel"], "thread_ts": event.get("thread_ts") or event["ts"]}
    await converse(context, client, _team(body, event), event["user"], text, where)


async def on_button(ack, body: dict, action: dict, context: AsyncBoltContext,
                    client: AsyncWebClient, respond) -> None:
    await ack()
    user = body["user"]
    team = (body.get("team") or {}).get("id") or user.get("team_id", "")
    if (body.get("container") or {}).get("is_ephemeral"):
        await converse(context, client, team, user["id"], action["value"], respond=respond)
        return
    message = body.get("message") or {}
    where = {"channel": body["channel"]["id"], "thread_ts": message.get("thread_ts")}
    await converse(context, client, team, user["id"], action["value"], where)


async def on_order_command(ack, command: dict, context: AsyncBoltContext,
                           client: AsyncWebClient, respond) -> None:
    await ack()
    wish = (command.get("text") or "").strip()
    text = f"i want to order {wish}" if wish else "i want to order"
    await converse(context, client, command["team_id"], command["user_id"], text, respond=respond)


async def on_error(error: Exception, body: dict) -> None:
    kind = body.get("type") if isinstance(body, dict) else None
    logger.error("error while handling a Slack %s request", kind, exc_info=error)


async def converse(context: AsyncBoltContext, client: AsyncWebClient, team: str, user: str,
                   text: str, where: dict | None = None, respond=None) -> None:
    """Asks the bot and posts its replies to `where` (channel, thread) or through `respond`."""
    polite = check_input(text, context["settings"].max_message_chars)
    sender_id = f"slack:{team}:{user}"
    if polite:
        replies = [{"text": polite}]
    else:
        async with context["locks"](sender_id):
            replies = await _ask(context, sender_id, text, team, where)
    for reply in replies:
        for message in messages(reply):
            if respond is not None:
                await respond(response_type="ephemeral", replace_original=False, **message)
            else:
                await client.chat_postMessage(**_thread(where), **message)


async def _ask(context: AsyncBoltContext, sender_id: str, text: str, team: str,
               where: dict | None) -> list[dict]:
    metadata = {"channel": "slack", "team_id": team}
    metadata.update({f"slack_{key}": value for key, value in _thread(where).items()})
    text = await context["handoff"].route(sender_id, text)
    if text is None:
        return []  # staff have this conversation (or it just ended, nothing asked): the bot stays silent
    try:
        return await context["handoff"].intercept(
            sender_id, await context["rasa"].send(sender_id, text, metadata))
    except BotUnavailable:
        logger.error("bot unreachable; told Slack user %s to retry", sender_id)
        return [{"text": BOT_UNAVAILABLE_TEXT}]


def _thread(where: dict | None) -> dict:
    return {key: value for key, value in (where or {}).items() if value}


def _team(body: dict, event: dict) -> str:
    return body.get("team_id") or event.get("team") or ""
