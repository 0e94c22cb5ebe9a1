"""Opening a ticket for the team: why, about which order, with the conversation so far.

The slots that keep an offer of a person and the ticket it is about live here too, so that the
modules that open tickets or follow them up (support, data requests, ticket follow-ups) share them
without importing one another.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.backend_client import BackendClient, NotFound, Ticket
from actions.orders import latest_entity, named_skus
from actions.parsing import order_number

TRANSCRIPT_TURNS = 30

PENDING = "pending_confirmation"
OFFERED_TICKET = "offered_ticket"  # the ticket a "yes, a person please" hands over
PAUSED_FORM = "paused_form"  # the form the offer interrupted; "no" goes back to it
# Why the ticket is opened, and what the customer is told, by the intent that asked for it.
REASONS = {
    "contact_human_agent": ("customer asked for a person", "utter_handoff_ticket"),
    "complaint": ("complaint", "utter_complaint_ticket"),
    "payment_issue": ("payment issue", "utter_payment_issue_ticket"),
}


def handoff_payload(ticket_id: int) -> Dict[str, Any]:
    """A custom payload the gateway intercepts (never shown): it hands the conversation to staff
    (backend state, staff Slack thread) and tells the customer when someone will answer."""
    return {"handoff": {"ticket_id": ticket_id}}


def transcript(tracker: Tracker, turns: int = TRANSCRIPT_TURNS) -> List[Dict[str, Any]]:
    """The last user and bot messages, readable by staff."""
    lines = []
    for event in tracker.events:
        sender = {"user": "user", "bot": "bot"}.get(event.get("event"))
        if sender and event.get("text"):
            timestamp = event.get("timestamp")
            when: Optional[str] = (
                datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat() if timestamp else None
            )
            lines.append({"sender": sender, "text": event["text"][:4000], "timestamp": when})
    return lines[-turns:]


async def open_ticket(tracker: Tracker, reason: str, any_open: bool = False, order: Optional[str] = None) -> Ticket:
    """Opens the ticket, about `order`, else the order named, else the one holding a product named
    ("one of the mugs I received is chipped"), else the one talked about, else their only order.
    The backend links the customer's own orders, and another customer's with the email or phone
    this chat verified it by; one it still refuses (404: gone, or not verified) is named in the
    reason instead, so that the team still knows which order it is about. With `any_open`, the
    conversation's open ticket takes the request."""
    order = order or order_number(latest_entity(tracker, "order_id"))
    async with BackendClient(tracker.sender_id) as backend:
        if order is None:
            order = await _order_meant(backend, tracker)
        # the contact verified the order talked about (another customer's): it links that one
        contact = tracker.get_slot("contact") if order and order == tracker.get_slot("order_id") else None
        try:
            return await backend.open_ticket(reason, tracker.sender_id, transcript(tracker), order, any_open,
                                             contact=contact)
        except NotFound:
            if not order:
                raise
            return await backend.open_ticket(not_linked(reason, order), tracker.sender_id, transcript(tracker),
                                             any_open=any_open)


def not_linked(reason: str, order: str) -> str:
    """The reason of a ticket about an order the backend would not link (another customer's)."""
    return f"{reason} (order {order}, not this chat's own)"


async def _order_meant(backend: BackendClient, tracker: Tracker) -> Optional[str]:
    skus, talked_about = set(named_skus(tracker)), tracker.get_slot("order_id")
    if talked_about and not skus:
        return talked_about
    orders = await backend.list_orders(limit=10)
    holding = [o.number for o in orders if skus & {line.sku for line in o.lines}]
    return next(iter(holding), None) or talked_about or (orders[0].number if len(orders) == 1 else None)
