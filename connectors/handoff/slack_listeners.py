"""Slack listeners for staff in the staff channel, for Socket Mode and HTTP events alike:

- a reply in a ticket's thread (a person, not a bot) goes to the customer on their channel;
- the ticket's Resolve button, `/resolve <ticket>` or "/resolve" typed in the thread ends the
  handoff: the ticket is resolved and the customer is told the bot is back.

Registered before the customer listeners, which never see staff-channel messages. Slack's
retries are dropped by event id (connectors/slack/app.py), and the backend records each Slack
message once by its ts, so nothing is relayed twice."""
from __future__ import annotations

import html
import logging
import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from connectors.handoff import ticket_post
from connectors.handoff.relay import HandoffRelay, relay_in
from connectors.handoff.staff_channel import update_staff_message
from connectors.handoff.state import BackendUnavailable, Refused

logger = logging.getLogger(__name__)
RESOLVE_TEXT = re.compile(r"^\s*/resolve\s*$", re.IGNORECASE)
TICKET_NUMBER = re.compile(r"^\s*#?(\d{1,9})\s*$")
RELAYED_SUBTYPES = (None, "thread_broadcast")


def register(app: AsyncApp) -> None:
    processes: dict = {}  # this process's relay, made on first use from the shared settings

    async def add_handoff_relay(context: AsyncBoltContext, next):  # noqa: A002
        context["handoff"] = relay_in(processes, context["settings"])
        await next()

    app.middleware(add_handoff_relay)
    app.event("message", matchers=[in_staff_thread])(on_staff_thread_message)
    app.action(ticket_post.RESOLVE_ACTION)(on_resolve_button)
    app.command("/resolve")(on_resolve_command)


async def in_staff_thread(event: dict, context: AsyncBoltContext) -> bool:
    staff_channel = context["settings"].slack_staff_channel
    return bool(staff_channel and event.get("channel") == staff_channel
                and event.get("thread_ts") and event.get("thread_ts") != event.get("ts"))


def is_staff_channel(context: AsyncBoltContext, channel: str | None) -> bool:
    staff_channel = context["settings"].slack_staff_channel
    return bool(staff_channel) and channel == staff_channel


async def on_staff_thread_message(event: dict, context: AsyncBoltContext,
                                  client: AsyncWebClient) -> None:
    if event.get("bot_id") or not event.get("user") or event.get("subtype") not in RELAYED_SUBTYPES:
        return  # our own posts (the customer's lines), edits, joins
    relay: HandoffRelay = context["handoff"]
    thread, text = event["thread_ts"], html.unescape(event.get("text") or "").strip()
    try:
        ticket = await relay.backend.ticket_for_thread(thread)
    except (BackendUnavailable, Refused) as error:
        await _note(client, event, f"Not delivered: the shop backend is unreachable ({error}).")
        return
    if ticket is None or not text:
        return  # a thread that is not a ticket (a staff alert), or a file without text
    if RESOLVE_TEXT.match(text):
        await _note(client, event, await resolve(relay, ticket["id"], event["user"]))
        return
    author = await staff_name(client, event["user"])
    try:
        await relay.backend.staff_reply(ticket["id"], text, author,
                                        f"slack:{event['channel']}:{event['ts']}")
    except Refused as error:
        await _note(client, event, f"Not delivered: {error.detail}")
    except BackendUnavailable as error:
        await _note(client, event, f"Not delivered: the shop backend is unreachable ({error}).")


async def on_resolve_button(ack, body: dict, action: dict, context: AsyncBoltContext,
                            client: AsyncWebClient, respond) -> None:
    await ack()
    user = body["user"]["id"]
    outcome = await resolve(context["handoff"], int(action["value"]), user)
    message = body.get("message") or {}
    if message.get("ts") and is_staff_channel(context, (body.get("channel") or {}).get("id")):
        await client.chat_postMessage(channel=body["channel"]["id"], thread_ts=message["ts"],
                                      text=outcome)
        if outcome.startswith(":white_check_mark:"):
            await _mark_resolved(context, message, user)
    else:
        await respond(response_type="ephemeral", replace_original=False, text=outcome)


async def on_resolve_command(ack, command: dict, context: AsyncBoltContext, respond) -> None:
    await ack()
    match = TICKET_NUMBER.match(command.get("text") or "")
    if not match:
        await respond(response_type="ephemeral",
                      text="Usage: `/resolve <ticket number>`, e.g. `/resolve 42`. In a ticket's "
                           "thread, the Resolve button does the same.")
        return
    outcome = await resolve(context["handoff"], int(match.group(1)), command["user_id"])
    await respond(response_type="ephemeral", text=outcome)


async def resolve(relay: HandoffRelay, ticket_id: int, user: str) -> str:
    """Resolves the ticket; returns what to tell staff."""
    try:
        result = await relay.backend.resolve(ticket_id, f"slack:{user}")
    except Refused as error:
        return f"Ticket #{ticket_id} could not be resolved: {error.detail}"
    except BackendUnavailable as error:
        return f"Ticket #{ticket_id} could not be resolved: the shop backend is unreachable ({error})."
    relay.active.forget(result["ticket"].get("conversation_id") or "")
    if not result["handoff_ended"]:
        return f"Ticket #{ticket_id} was already resolved."
    told = ("the customer was told the assistant is back" if result["customer_notified"]
            else "the customer could not be told (channel unreachable)")
    return f":white_check_mark: <@{user}> resolved ticket #{ticket_id}; {told}."


async def staff_name(client: AsyncWebClient, user: str) -> str | None:
    """The name the customer sees; None (the shop's team) if Slack does not say."""
    try:
        profile = ((await client.users_info(user=user)).get("user") or {}).get("profile") or {}
    except Exception:  # noqa: BLE001 - missing users:read scope, network: sign as the team
        return None
    return (profile.get("display_name") or profile.get("real_name") or "").strip() or None


async def _mark_resolved(context: AsyncBoltContext, message: dict, user: str) -> None:
    blocks = ticket_post.resolved_blocks(message.get("blocks") or [], f"<@{user}>")
    try:
        await update_staff_message(context["settings"], message["ts"],
                                   message.get("text") or "Ticket resolved", blocks)
    except Exception as error:  # noqa: BLE001 - cosmetic; the ticket is resolved anyway
        logger.warning("could not mark the ticket message resolved: %r", error)


async def _note(client: AsyncWebClient, event: dict, text: str) -> None:
    """A short answer to staff in the ticket's thread."""
    try:
        await client.chat_postMessage(channel=event["channel"], thread_ts=event["thread_ts"],
                                      text=text)
    except Exception as error:  # noqa: BLE001
        logger.warning("could not answer staff in the thread: %r", error)
