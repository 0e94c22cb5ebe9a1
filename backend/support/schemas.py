"""Feedback and support ticket shapes."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TicketStatus = Literal["open", "assigned", "resolved", "closed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FeedbackCreate(Strict):
    rating: int = Field(ge=1, le=5, description="CSAT, 1 (bad) to 5 (great)")
    comment: str = Field(default="", max_length=2000)
    order_number: str | None = Field(default=None, max_length=20)
    conversation_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _about_something(self) -> FeedbackCreate:
        if not (self.order_number or self.conversation_id):
            raise ValueError("give order_number or conversation_id")
        return self


class FeedbackUpdate(Strict):
    """The comment that follows a rating, and/or the rating corrected ("sorry, I meant 5")."""
    comment: str | None = Field(default=None, min_length=1, max_length=2000)
    rating: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _changes_something(self) -> FeedbackUpdate:
        if self.comment is None and self.rating is None:
            raise ValueError("give comment or rating")
        return self


class FeedbackPublic(BaseModel):
    id: int
    rating: int
    comment: str
    order_number: str | None
    conversation_id: str | None
    channel: str | None
    created_at: datetime
    # A rating of 1-2 opens a follow-up ticket for the team in the same transaction.
    ticket_id: int | None = None


class TranscriptTurn(Strict):
    sender: Literal["user", "bot", "agent"]
    text: str = Field(max_length=4000)
    timestamp: datetime | None = None
    author: str | None = Field(default=None, max_length=200)  # the staff member, for "agent"


class TicketCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)
    conversation_id: str | None = Field(default=None, max_length=200)
    order_number: str | None = Field(default=None, max_length=20)
    # Another customer's order is linked only with the email or phone on it (as GET /orders/{n}).
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    transcript: list[TranscriptTurn] = Field(default_factory=list, max_length=200)
    any_open: bool = Field(default=False, description="join the conversation's open ticket whatever "
                           "its problem (a request for a person: the team takes up what is open)")


class TicketUpdate(Strict):
    status: TicketStatus | None = None
    assignee: str | None = Field(default=None, max_length=200)


class TicketPublic(BaseModel):
    id: int
    reason: str
    conversation_id: str | None
    order_number: str | None
    channel: str | None
    customer_id: int | None
    customer_name: str | None = None
    # The bot's transcript at opening, then the handoff's messages (customer and staff) in order.
    transcript: list[dict]
    status: TicketStatus
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    handoff_active: bool = False
    already_open: bool = Field(default=False, description="POST /tickets only: the customer's open "
                               "ticket for the same problem in this conversation, not a new one")
    handoff_started_at: datetime | None = None
    handoff_ended_at: datetime | None = None
    slack_channel: str | None = None
    slack_thread_ts: str | None = None


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int


# Human handoff (backend/support/handoff.py).

class HandoffPublic(BaseModel):
    ticket: TicketPublic
    staff_available: bool = Field(description="staff are in now (STAFF_HOURS)")
    staff_available_at: datetime | None = Field(
        description="next opening in STAFF_TIMEZONE when not available now; null if never")
    customer_notice: str = Field(description="what the gateway tells the customer")


class SlackThreadSet(Strict):
    channel: str = Field(min_length=1, max_length=50)
    thread_ts: str = Field(min_length=1, max_length=32, pattern=r"^\d+\.\d+$")


class CustomerMessageCreate(Strict):
    text: str = Field(min_length=1, max_length=4000)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)


class StaffMessageCreate(Strict):
    text: str = Field(min_length=1, max_length=4000)
    author: str | None = Field(default=None, min_length=1, max_length=200)
    # Where the message came from (e.g. "slack:C01:1700000000.000100"): a repeat is a no-op.
    external_id: str | None = Field(default=None, min_length=1, max_length=200)


class TicketMessagePublic(BaseModel):
    id: int
    ticket_id: int
    sender: Literal["user", "agent"]
    author: str | None
    text: str
    created_at: datetime
    duplicate: bool = Field(default=False, description="already recorded; nothing was sent again")


class TicketResolve(Strict):
    actor: str | None = Field(default=None, min_length=1, max_length=200)


class ResolvePublic(BaseModel):
    ticket: TicketPublic
    handoff_ended: bool = Field(description="false when the ticket was already resolved")
    customer_notified: bool


class BackToBotCreate(Strict):
    """What the customer wrote to leave the handoff ("back to the bot", "never mind")."""
    text: str = Field(min_length=1, max_length=4000)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    command: bool = Field(default=True, description="an unmistakable command ('back to the bot', "
                          "'/bot'); false for a change of mind ('never mind'), which ends the "
                          "handoff only while no staff member has answered on the ticket")


BackToBotOutcome = Literal["ended", "duplicate", "not_handed_off", "staff_answered"]


class BackToBotPublic(BaseModel):
    ticket: TicketPublic
    outcome: BackToBotOutcome = Field(description=(
        "ended: the handoff ended here, the message is on the ticket; duplicate: this "
        "external_id was recorded before, nothing changed; not_handed_off: the handoff had "
        "already ended, nothing recorded; staff_answered: not a command and staff have "
        "answered, nothing recorded (the message is for staff)"))
    customer_notified: bool = Field(description="the customer was told they are back with the bot")
