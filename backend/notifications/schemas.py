"""Request and response bodies of the notification routes."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend.outbox.models import NotificationState


class NotificationPublic(BaseModel):
    id: int
    kind: str
    state: NotificationState
    channel: str | None
    recipient: str | None
    order_id: int | None
    customer_id: int | None
    dedupe_key: str
    payload: dict
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime


class NotificationsPublic(BaseModel):
    data: list[NotificationPublic]
    count: int = Field(description="all rows matching the filter, not only this page")


class NotificationPreference(BaseModel):
    enabled: bool = Field(description="false: no order updates or feedback requests")
