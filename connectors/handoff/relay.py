"""The channels' side of a handoff, one per process. Every channel calls it around its request
to the bot:

- `route` before asking the bot (`divert` says only whether it went to staff): while staff have
  the conversation the message goes to the ticket and into the staff Slack thread instead, and
  the bot stays silent. A way out (`back_to_bot.read`: "back to the bot"; "never mind" while no
  staff member has answered) ends the handoff instead: the ticket stays open, staff read a line
  in the thread, and the backend tells the customer through the gateway's push that they are
  back with the assistant; a question after the way out ("forget the human, is the teapot in
  stock?") is then the bot's to answer;
- `intercept` on the bot's replies: a `{"custom": {"handoff": {"ticket_id": N}}}` payload (from
  action_open_ticket) is taken out, the handoff is started in the backend, the ticket is posted
  to the staff channel, and the customer is told when someone will answer.

A failure here (backend or Slack down) is logged and never costs the customer a reply."""
from __future__ import annotations

import logging

from connectors.handoff import back_to_bot, ticket_post
from connectors.handoff.staff_channel import post_staff_message
from connectors.handoff.state import ActiveHandoffs, BackendUnavailable, HandoffBackend, Refused

logger = logging.getLogger(__name__)


def handoff_ticket_id(reply: dict) -> int | None:
    custom = reply.get("custom")
    handoff = custom.get("handoff") if isinstance(custom, dict) else None
    ticket_id = handoff.get("ticket_id") if isinstance(handoff, dict) else None
    return ticket_id if isinstance(ticket_id, int) and ticket_id > 0 else None


class HandoffRelay:
    def __init__(self, settings, backend: HandoffBackend | None = None) -> None:
        self.settings = settings
        self.backend = backend or HandoffBackend(settings)
        self.active = ActiveHandoffs(settings.handoff_cache_seconds)

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def divert(self, sender_id: str, text: str, external_id: str | None = None) -> bool:
        """True when the message went to staff (and must not go to the bot)."""
        return await self.route(sender_id, text, external_id) is None

    async def route(self, sender_id: str, text: str, external_id: str | None = None) -> str | None:
        """What the bot is to answer: the message; or, when it ended the handoff and asked more
        ("forget the human, just tell me is the cast iron teapot in stock"), the question after
        the way out. None when it went to staff, or ended the handoff and asked nothing more."""
        ticket = await self._active_ticket(sender_id)
        if ticket is None:
            return text
        wish, question = back_to_bot.read(text)
        outcome = await self._back_to_bot(sender_id, ticket, text, external_id, wish) if wish else None
        if outcome is not None:  # a repeat of a message that ended it was answered then
            return question if question and outcome == "ended" else None
        try:
            recorded = await self.backend.add_customer_message(ticket["id"], text, external_id)
        except Refused:  # resolved a moment ago: the bot answers again
            self.active.forget(sender_id)
            return text
        except BackendUnavailable as error:  # staff have the conversation, not the bot
            logger.error("could not add a message to ticket %s: %s", ticket["id"], error)
            recorded = {"duplicate": False}
        if not recorded.get("duplicate") and ticket.get("slack_thread_ts"):
            await self._post(ticket_post.customer_line(ticket, text), ticket["slack_thread_ts"])
        return None

    async def _back_to_bot(self, sender_id: str, ticket: dict, text: str,
                           external_id: str | None, wish: str) -> str | None:
        """"ended" or "duplicate" when the handoff ended at the customer's word (now or by an
        earlier copy of the message). None leaves the message to the usual path: staff have
        answered and it was not a command, the handoff had ended already, or the backend did
        not answer."""
        try:
            result = await self.backend.back_to_bot(ticket["id"], text, external_id,
                                                    command=wish == back_to_bot.COMMAND)
        except (BackendUnavailable, Refused) as error:
            logger.error("could not end the handoff of ticket %s: %s", ticket["id"], error)
            return None
        if result["outcome"] not in ("ended", "duplicate"):
            return None
        self.active.put(sender_id, None)  # with the bot again
        thread = result["ticket"].get("slack_thread_ts")
        if result["outcome"] == "ended" and thread:
            line = ticket_post.back_to_bot_line(result["ticket"], text, result["customer_notified"])
            await self._post(line, thread)
        return result["outcome"]

    async def intercept(self, sender_id: str, replies: list[dict]) -> list[dict]:
        """The replies to show, without handoff payloads, plus what the customer is told."""
        shown, notices = [], []
        for reply in replies:
            ticket_id = handoff_ticket_id(reply) if isinstance(reply, dict) else None
            if ticket_id is None:
                shown.append(reply)
                continue
            rest = {k: v for k, v in reply.items() if k not in ("custom", "recipient_id")}
            if rest:
                shown.append({**rest, "recipient_id": reply.get("recipient_id")})
            notice = await self.start(sender_id, ticket_id)
            if notice:
                notices.append({"recipient_id": reply.get("recipient_id"), "text": notice})
        return shown + notices

    async def start(self, sender_id: str, ticket_id: int) -> str | None:
        try:
            handoff = await self.backend.start(ticket_id)
        except (BackendUnavailable, Refused) as error:
            logger.error("could not start the handoff of ticket %s: %s", ticket_id, error)
            return None
        ticket = handoff["ticket"]
        if ticket.get("conversation_id") != sender_id:
            logger.warning("ticket %s belongs to another conversation; not relayed", ticket_id)
            return handoff["customer_notice"]
        if not ticket.get("slack_thread_ts"):
            ticket = await self._post_ticket(ticket, handoff)
        self.active.put(sender_id, ticket)
        return handoff["customer_notice"]

    async def _post_ticket(self, ticket: dict, handoff: dict) -> dict:
        blocks = ticket_post.ticket_blocks(ticket, handoff["staff_available"],
                                           handoff.get("staff_available_at"))
        ts = await self._post(ticket_post.ticket_text(ticket), blocks=blocks)
        if ts is None:
            return ticket  # no staff channel: staff find it through the staff API
        try:
            return await self.backend.set_thread(ticket["id"], self.settings.slack_staff_channel, ts)
        except (BackendUnavailable, Refused) as error:
            logger.error("ticket %s posted to Slack, thread not stored: %s", ticket["id"], error)
            return {**ticket, "slack_thread_ts": ts}

    async def _active_ticket(self, sender_id: str) -> dict | None:
        known, ticket = self.active.get(sender_id)
        if known:
            return ticket
        try:
            ticket = await self.backend.active_ticket(sender_id)
        except (BackendUnavailable, Refused) as error:
            logger.error("could not ask whether %s is with staff: %s", sender_id, error)
            return None  # unknown: let the bot answer rather than lose the message
        self.active.put(sender_id, ticket)
        return ticket

    async def _post(self, text: str, thread_ts: str | None = None,
                    blocks: list[dict] | None = None) -> str | None:
        try:
            return await post_staff_message(self.settings, text, blocks, thread_ts)
        except Exception as error:  # SlackApiError, network: staff still see it in the staff API
            logger.error("could not post to the staff channel: %r", error)
            return None


def relay_in(holder: dict, settings) -> HandoffRelay:
    """The process's relay, kept in a long-lived dict (bot_data, the Slack app's registry)."""
    if "handoff" not in holder:
        holder["handoff"] = HandoffRelay(settings)
    return holder["handoff"]
