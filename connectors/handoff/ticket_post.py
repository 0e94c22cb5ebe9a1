"""What staff see in the staff Slack channel: the ticket (Block Kit, with a Resolve button) and,
in its thread, what the customer writes during the handoff and whether they went back to the
bot."""
from __future__ import annotations

from datetime import datetime

from connectors.slack.rendering import escape

RESOLVE_ACTION = "handoff_resolve"
TRANSCRIPT_LIMIT = 2800  # a section's text holds 3000 characters
SPEAKERS = {"user": "Customer", "bot": "Bot", "agent": "Staff"}
CHANNEL_NAMES = {"web": "web chat", "telegram": "Telegram", "slack": "Slack"}


def customer_name(ticket: dict) -> str:
    return ticket.get("customer_name") or "A customer"


def channel_name(ticket: dict) -> str:
    channel = ticket.get("channel") or (ticket.get("conversation_id") or "?").partition(":")[0]
    return CHANNEL_NAMES.get(channel, channel)


def ticket_text(ticket: dict) -> str:
    """The notification text (and the fallback where blocks cannot be shown)."""
    return (f"Ticket #{ticket['id']}: {ticket['reason']} ({customer_name(ticket)}, "
            f"{channel_name(ticket)})")


def ticket_blocks(ticket: dict, staff_available: bool = True,
                  staff_available_at: str | None = None) -> list[dict]:
    fields = [("Customer", customer_name(ticket)), ("Channel", channel_name(ticket)),
              ("Order", ticket.get("order_number") or "none"),
              ("Conversation", ticket.get("conversation_id") or "none")]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": f"Ticket #{ticket['id']}: {ticket['reason']}"[:150]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{escape(value)}"}
                                       for name, value in fields]},
    ]
    if not staff_available:
        when = _readable(staff_available_at) if staff_available_at else "the next staff hours"
        blocks.append(_context(f":crescent_moon: Outside staff hours: the customer was told "
                               f"someone answers from {when}."))
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": transcript(ticket)}})
    blocks.append({"type": "actions", "elements": [{
        "type": "button", "action_id": RESOLVE_ACTION, "style": "primary",
        "text": {"type": "plain_text", "text": "Resolve"}, "value": str(ticket["id"])}]})
    blocks.append(_context("Reply in this thread to answer the customer. Resolve (or "
                           f"`/resolve {ticket['id']}`) hands the conversation back to the bot."))
    return blocks


def resolved_blocks(blocks: list[dict], who: str) -> list[dict]:
    """The ticket's blocks with the Resolve button replaced by who resolved it."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    return kept + [_context(f":white_check_mark: Resolved by {who}.")]


def transcript(ticket: dict) -> str:
    lines = [f"*{SPEAKERS.get(turn.get('sender'), 'Someone')}:* {escape(str(turn.get('text')))}"
             for turn in ticket.get("transcript") or []]
    text = "\n".join(lines) or "_(no messages)_"
    if len(text) > TRANSCRIPT_LIMIT:  # keep the end: the most recent turns matter most
        text = "…" + text[-TRANSCRIPT_LIMIT:]
    return "*Transcript*\n" + text


def customer_line(ticket: dict, text: str) -> str:
    return f"*{escape(customer_name(ticket))}* ({channel_name(ticket)}): {escape(text)}"


def back_to_bot_line(ticket: dict, text: str, customer_told: bool) -> str:
    """The thread's note that the customer left the handoff themselves (the ticket stays open)."""
    told = "" if customer_told else " They could not be told (their channel is unreachable)."
    return (f":leftwards_arrow_with_hook: *{escape(customer_name(ticket))}* "
            f"({channel_name(ticket)}) went back to the bot: {escape(text)}\n"
            f"The ticket stays open: reply here to follow up (that hands the conversation to "
            f"you again), or Resolve it.{told}")


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _readable(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%A %H:%M (UTC%z)}"
    except ValueError:
        return iso
