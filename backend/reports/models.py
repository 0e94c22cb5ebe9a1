"""Rollups of order_events for the fulfilment report, kept by backend/reports/rollups.py.

Both are derived data: rebuilding them from order_events gives the same rows. Each row also
carries its order's placement time and channel (neither ever changes), so a report scans one
index for its range instead of joining the orders."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.base import Base


class OrderStatusStay(Base):
    """A status an order has left: entered at its status event, left at the next one.

    One row per order and status: a status entered again (delivered, after a return was
    withdrawn) adds its hours to the first stay, which then spans both."""

    __tablename__ = "order_status_stays"
    __table_args__ = (
        # Per status in order of hours, so SQLite picks p50/p90 by OFFSET without sorting.
        Index("ix_order_status_stays_report", "state", "hours", "ordered_at", "channel"),
        {"sqlite_with_rowid": False},
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    hours: Mapped[float] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column()
    left_at: Mapped[datetime] = mapped_column()
    ordered_at: Mapped[datetime] = mapped_column()
    channel: Mapped[str] = mapped_column(String(20))


class OrderMilestones(Base):
    """When a confirmed order was confirmed, shipped and delivered, and the hours between."""

    __tablename__ = "order_milestones"
    __table_args__ = (
        # In order of each measure, for SQLite's OFFSET picks of the overall p50/p90.
        Index("ix_order_milestones_to_ship", "to_ship_hours", "ordered_at", "channel"),
        Index("ix_order_milestones_cycle", "cycle_hours", "ordered_at", "channel"),
    )

    order_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    ordered_at: Mapped[datetime] = mapped_column()
    channel: Mapped[str] = mapped_column(String(20))
    confirmed_at: Mapped[datetime] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    to_ship_hours: Mapped[float | None] = mapped_column(Float)
    cycle_hours: Mapped[float | None] = mapped_column(Float)
