"""Transactional outbox: notifications written with the change, delivered after the commit."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.base import Base, utcnow


class NotificationState(StrEnum):
    PENDING = "pending"      # waiting for its next_attempt_at (a claim moves it forward as a lease)
    DELIVERED = "delivered"  # the gateway accepted it (or it was a duplicate there)
    DEAD = "dead"            # gave up after NOTIFY_MAX_ATTEMPTS; staff can requeue it
    SKIPPED = "skipped"      # opted out, no reachable channel, or no longer relevant


STAFF_CHANNEL = "staff"  # rows for the shop's team, posted to the staff Slack channel


class Notification(Base):
    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str | None] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(String(200))  # "<channel>:<external id>"
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(default=dict)
    # Also sent to the gateway, which remembers delivered keys: a dispatcher that crashed after
    # sending but before marking the row re-sends it, and the gateway drops the repeat.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=NotificationState.PENDING.value,
                                       server_default=NotificationState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)  # ix_notification_outbox_due
    delivered_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
