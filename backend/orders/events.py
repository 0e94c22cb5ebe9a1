"""One small function per order event; each adds an order_events row in the caller's transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.orders.models import OrderEvent

_events = OrderEvent.__table__
_INSERT = insert(_events)  # built once, reused


async def _add(session: AsyncSession, **values: Any) -> None:
    values.setdefault("detail", {})
    await session.execute(_INSERT, {"created_at": utcnow(), **values})


async def order_created(
    session: AsyncSession, *, order_id: int, actor: str, channel: str | None, detail: dict
) -> None:
    await _add(session, order_id=order_id, kind="created", from_status=None,
               to_status="pending", actor=actor, channel=channel, detail=detail)


async def status_changed(
    session: AsyncSession, *, order_id: int, from_status: str, to_status: str,
    actor: str, channel: str | None, detail: dict | None = None,
) -> None:
    await _add(session, order_id=order_id, kind=f"status_{to_status}", from_status=from_status,
               to_status=to_status, actor=actor, channel=channel, detail=detail or {})


async def details_changed(
    session: AsyncSession, *, kind: str, order_id: int, status: str, actor: str, channel: str | None,
    before: list | dict, after: list | dict,
) -> None:
    """An edit that leaves the status as it is: "items_changed", "address_changed", "contact_changed"."""
    await _add(session, order_id=order_id, kind=kind, from_status=status, to_status=status, actor=actor,
               channel=channel, detail={"before": before, "after": after})


async def return_items_added(
    session: AsyncSession, *, order_id: int, actor: str, channel: str | None, detail: dict,
) -> None:
    await _add(session, order_id=order_id, kind="return_items_added", from_status="return_requested",
               to_status="return_requested", actor=actor, channel=channel, detail=detail)
