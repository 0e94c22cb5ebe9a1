"""Human handoff use cases. While a ticket's handoff is active (started, not ended) the bot is
silent in its conversation: the gateway records the customer's messages here and staff answer
through `add_staff_message`, which reaches the customer through the gateway's push. Resolving
ends the handoff and tells the customer the assistant is back; so does the customer's own
"back to the bot" (`back_to_bot`), which leaves the ticket open for staff to follow up."""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.errors import CustomerUnreachable, TicketNotOpen
from backend.support.customer_push import push_texts
from backend.support.models import SupportTicket, TicketMessage
from backend.support.service import DONE, handoff_is_active
from backend.support.service import read_ticket as _ticket
from backend.support.staff_hours import StaffHours
from backend.support.texts import render

logger = logging.getLogger(__name__)
_tickets = SupportTicket.__table__
_messages = TicketMessage.__table__
STAFF_NAME = "Our team"
BACK_TO_BOT_NOTE = ("[The customer went back to the assistant: the handoff ended. The ticket "
                    "stays open: answer to follow up.]")


def _check_open(ticket: dict) -> None:
    if ticket["status"] in DONE:
        raise TicketNotOpen(ticket["id"], f"it is {ticket['status']}")
    if not ticket["conversation_id"]:
        raise TicketNotOpen(ticket["id"], "it has no conversation to answer")


async def _activate(session: AsyncSession, ticket: dict) -> None:
    """Starts the ticket's handoff; another active one in the same conversation ends, so one
    resolve always gives the conversation back to the bot."""
    now = utcnow()
    await session.execute(update(_tickets).where(
        _tickets.c.conversation_id == ticket["conversation_id"], _tickets.c.id != ticket["id"],
        handoff_is_active()).values(handoff_ended_at=now, updated_at=now))
    await session.execute(update(_tickets).where(_tickets.c.id == ticket["id"]).values(
        handoff_started_at=now, handoff_ended_at=None, updated_at=now))


async def start_handoff(session: AsyncSession, settings, ticket_id: int) -> dict:
    """Idempotent: starting an active handoff changes nothing and gives the same answer."""
    async with session.begin():
        ticket = await _ticket(session, ticket_id)
        _check_open(ticket)
        if not ticket["handoff_active"]:
            await _activate(session, ticket)
            ticket = await _ticket(session, ticket_id)
    hours = StaffHours.from_settings(settings)
    available = hours.is_open()
    opens_at = None if available else hours.next_opening()
    if available:
        notice = render(settings.NOTIFY_DOMAIN_PATH, "utter_handoff_started")
    else:
        when = (f"{opens_at:%A %H:%M} ({settings.STAFF_TIMEZONE})" if opens_at
                else "as soon as we can")
        notice = render(settings.NOTIFY_DOMAIN_PATH, "utter_handoff_out_of_hours", opens_at=when)
    return {"ticket": ticket, "staff_available": available, "staff_available_at": opens_at,
            "customer_notice": notice}


async def set_slack_thread(session: AsyncSession, ticket_id: int, channel: str,
                           thread_ts: str) -> dict:
    async with session.begin():
        await _ticket(session, ticket_id)
        await session.execute(update(_tickets).where(_tickets.c.id == ticket_id).values(
            slack_channel=channel, slack_thread_ts=thread_ts, updated_at=utcnow()))
        return await _ticket(session, ticket_id)


async def _recorded(session: AsyncSession, external_id: str | None) -> dict | None:
    if external_id is None:
        return None
    row = (await session.execute(
        select(_messages).where(_messages.c.external_id == external_id))).mappings().first()
    return {**row, "duplicate": True} if row else None


async def _insert_message(session: AsyncSession, **values) -> dict:
    values["created_at"] = utcnow()
    new_id = (await session.execute(
        insert(_messages).values(**values).returning(_messages.c.id))).scalar_one()
    return {"id": new_id, **values, "duplicate": False}


async def add_customer_message(session: AsyncSession, ticket_id: int, text: str,
                               external_id: str | None) -> dict:
    """The customer wrote during the handoff. 409 once the handoff ended: the gateway then
    gives the message to the bot instead."""
    try:
        async with session.begin():
            ticket = await _ticket(session, ticket_id)
            if not ticket["handoff_active"]:
                raise TicketNotOpen(ticket_id, "its handoff has ended")
            found = await _recorded(session, external_id)
            if found:
                return found
            return await _insert_message(session, ticket_id=ticket_id, sender="user",
                                         author=None, text=text, external_id=external_id)
    except IntegrityError:  # the same external id, recorded concurrently
        return await _recorded(session, external_id)


async def add_staff_message(session: AsyncSession, settings, ticket_id: int, text: str,
                            author: str | None, external_id: str | None) -> dict:
    """Delivers a staff answer to the customer, then records it (a failed delivery records
    nothing). Answering a ticket that is not handed off takes the conversation over, unless the
    ticket was resolved while the answer was on its way: the resolve wins and the customer, who
    was told the assistant is back, is not taken from the bot again."""
    async with session.begin():
        ticket = await _ticket(session, ticket_id)
        _check_open(ticket)
        found = await _recorded(session, external_id)
    if found:
        return found
    wording = render(settings.NOTIFY_DOMAIN_PATH, "utter_handoff_staff_reply",
                     agent=author or STAFF_NAME, text=text)
    dedupe_key = f"handoff:{external_id or uuid.uuid4().hex}"
    await push_texts(settings, ticket["conversation_id"], [wording], dedupe_key)
    try:
        async with session.begin():
            ticket = await _ticket(session, ticket_id)
            if not ticket["handoff_active"] and ticket["status"] not in DONE:
                await _activate(session, ticket)
            if ticket["status"] == "open":
                await session.execute(update(_tickets).where(_tickets.c.id == ticket_id).values(
                    status="assigned", assignee=ticket["assignee"] or author))
            return await _insert_message(session, ticket_id=ticket_id, sender="agent",
                                         author=author, text=text, external_id=external_id)
    except IntegrityError:
        return await _recorded(session, external_id)


async def resolve_ticket(session: AsyncSession, settings, ticket_id: int,
                         actor: str | None) -> dict:
    """Resolves the ticket and ends its handoff; the customer is told the assistant is back.
    Resolving a resolved ticket is a no-op (a double click, a retried request)."""
    async with session.begin():
        ticket = await _ticket(session, ticket_id)
        was_active = ticket["handoff_active"]
        if ticket["status"] in DONE and not was_active:
            return {"ticket": ticket, "handoff_ended": False, "customer_notified": False}
        now = utcnow()
        changes = {"status": "resolved", "updated_at": now,
                   "assignee": ticket["assignee"] or actor}
        if was_active:
            changes["handoff_ended_at"] = now
        await session.execute(update(_tickets).where(_tickets.c.id == ticket_id).values(**changes))
        ticket = await _ticket(session, ticket_id)
    notified = False
    if was_active:
        key = f"handoff:{ticket_id}:ended:{ticket['handoff_ended_at'].timestamp()}"
        notified = await _tell_customer(settings, ticket, key, "utter_handoff_ended")
    return {"ticket": ticket, "handoff_ended": was_active, "customer_notified": notified}


async def back_to_bot(session: AsyncSession, settings, ticket_id: int, text: str,
                      external_id: str | None, command: bool) -> dict:
    """The customer asked to go back to the bot: the handoff ends, their message is recorded
    with a note saying so, and the ticket stays open (not resolved) for staff to follow up; then
    the customer is told they are back with the assistant. A change of mind that is not a
    command ("never mind") ends it only while no staff member has answered: after that it may
    be said to them. Repeats change nothing (see BackToBotPublic's outcome)."""
    try:
        async with session.begin():
            ticket = await _ticket(session, ticket_id)
            outcome = await _back_to_bot_refusal(session, ticket, external_id, command)
            if outcome is not None:
                return {"ticket": ticket, "outcome": outcome, "customer_notified": False}
            if not await _end_handoff(session, ticket_id):
                return {"ticket": ticket, "outcome": "not_handed_off", "customer_notified": False}
            await _insert_message(session, ticket_id=ticket_id, sender="user", author=None,
                                  text=f"{text}\n{BACK_TO_BOT_NOTE}", external_id=external_id)
            ticket = await _ticket(session, ticket_id)
    except IntegrityError:  # the same external id, recorded concurrently
        return {"ticket": await _ticket(session, ticket_id), "outcome": "duplicate",
                "customer_notified": False}
    key = f"handoff:{ticket_id}:back-to-bot:{ticket['handoff_ended_at'].timestamp()}"
    notified = await _tell_customer(settings, ticket, key, "utter_handoff_back_to_bot",
                                    ticket_id=ticket_id)
    return {"ticket": ticket, "outcome": "ended", "customer_notified": notified}


async def _back_to_bot_refusal(session: AsyncSession, ticket: dict, external_id: str | None,
                               command: bool) -> str | None:
    """Why the handoff is not ended here, or None to end it."""
    if await _recorded(session, external_id):
        return "duplicate"
    if not ticket["handoff_active"]:
        return "not_handed_off"
    if not command and await _staff_answered(session, ticket["id"]):
        return "staff_answered"
    return None


async def _staff_answered(session: AsyncSession, ticket_id: int) -> bool:
    found = await session.execute(select(_messages.c.id).where(
        _messages.c.ticket_id == ticket_id, _messages.c.sender == "agent").limit(1))
    return found.first() is not None


async def _end_handoff(session: AsyncSession, ticket_id: int) -> bool:
    """Ends the ticket's handoff; False when it was no longer active (ended concurrently)."""
    now = utcnow()
    ended = await session.execute(update(_tickets).where(
        _tickets.c.id == ticket_id, handoff_is_active()).values(
        handoff_ended_at=now, updated_at=now))
    return ended.rowcount == 1


async def _tell_customer(settings, ticket: dict, dedupe_key: str, response: str,
                         **values: object) -> bool:
    """Pushes `response` to the ticket's conversation; False when the gateway did not take it
    (the handoff has ended anyway: the bot answers their next message)."""
    if not ticket["conversation_id"]:
        return False
    text = render(settings.NOTIFY_DOMAIN_PATH, response, **values)
    try:
        await push_texts(settings, ticket["conversation_id"], [text], dedupe_key)
    except CustomerUnreachable:
        logger.warning("ticket %s: the customer was not told (%s)", ticket["id"], response)
        return False
    return True
