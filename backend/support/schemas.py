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


class FeedbackPublic(BaseModel):
    id: int
    rating: int
    comment: str
    order_number: str | None
    conversation_id: str | None
    channel: str | None
    created_at: datetime


class TranscriptTurn(Strict):
    sender: Literal["user", "bot", "agent"]
    text: str = Field(max_length=4000)
    timestamp: datetime | None = None


class TicketCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)
    conversation_id: str | None = Field(default=None, max_length=200)
    order_number: str | None = Field(default=None, max_length=20)
    transcript: list[TranscriptTurn] = Field(default_factory=list, max_length=200)


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
    transcript: list[dict]
    status: TicketStatus
    assignee: str | None
    created_at: datetime
    updated_at: datetime


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int
