"""Use cases behind the notification routes: staff look at the outbox and requeue dead rows;
customers switch proactive messages off and on."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.customers.models import Customer
from backend.customers.service import ChannelRef, find_identity, find_or_create_identity
from backend.errors import DomainError, ErrorCode, NotFound
from backend.outbox.models import Notification, NotificationState

_outbox = Notification.__table__
_customers = Customer.__table__


class NotificationNotDead(DomainError):
    status = 409
    code = ErrorCode.NOTIFICATION_NOT_DEAD

    def __init__(self, notification_id: int, state: str) -> None:
        super().__init__(f"Notification {notification_id} is '{state}'; only dead ones can be "
                         "retried.", id=notification_id, state=state)


async def list_notifications(session: AsyncSession, *, state: NotificationState | None,
                             kind: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
    conditions = []
    if state is not None:
        conditions.append(_outbox.c.state == state.value)
    if kind is not None:
        conditions.append(_outbox.c.kind == kind)
    rows = await session.execute(select(_outbox).where(*conditions)
                                 .order_by(_outbox.c.id.desc()).limit(limit).offset(offset))
    count = (await session.execute(
        select(func.count()).select_from(_outbox).where(*conditions))).scalar_one()
    return [dict(row) for row in rows.mappings()], count


async def retry_notification(session: AsyncSession, notification_id: int) -> dict:
    """Puts a dead row back in the queue, due now, with a fresh set of attempts."""
    async with session.begin():
        row = (await session.execute(select(_outbox).where(_outbox.c.id == notification_id)
                                     .with_for_update())).mappings().first()
        if row is None:
            raise NotFound(f"No notification {notification_id}.",
                           code=ErrorCode.NOTIFICATION_NOT_FOUND, id=notification_id)
        if row["state"] != NotificationState.DEAD.value:
            raise NotificationNotDead(notification_id, row["state"])
        changes = {"state": NotificationState.PENDING.value, "attempts": 0,
                   "next_attempt_at": utcnow()}
        await session.execute(update(_outbox).where(_outbox.c.id == notification_id)
                              .values(**changes))
        return {**row, **changes}


async def read_preference(session: AsyncSession, ref: ChannelRef) -> bool:
    identity = await find_identity(session, ref)
    if identity is None:
        return True  # nobody has opted out yet
    return (await session.execute(select(_customers.c.notifications_enabled).where(
        _customers.c.id == identity.customer_id))).scalar_one()


async def set_preference(session: AsyncSession, ref: ChannelRef, enabled: bool) -> bool:
    async with session.begin():
        identity = await find_or_create_identity(session, ref)
        await session.execute(update(_customers).where(_customers.c.id == identity.customer_id)
                              .values(notifications_enabled=enabled))
    return enabled
