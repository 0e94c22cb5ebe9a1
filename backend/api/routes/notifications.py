"""Notifications: staff see the outbox (dead letters included) and requeue; customers opt out."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.api.deps import CustomerDep, ReadSessionDep, SessionDep, StaffDep
from backend.notifications import service
from backend.notifications.schemas import (NotificationPreference, NotificationPublic,
                                           NotificationsPublic)
from backend.outbox.models import NotificationState

router = APIRouter(tags=["notifications"])


@router.get("/staff/notifications", response_model=NotificationsPublic)
async def read_notifications(
    session: ReadSessionDep, _staff: StaffDep,
    state: Annotated[NotificationState | None, Query()] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    rows, count = await service.list_notifications(session, state=state, kind=kind,
                                                   limit=limit, offset=offset)
    return {"data": rows, "count": count}


@router.post("/staff/notifications/{notification_id}/retry", response_model=NotificationPublic)
async def retry_notification(session: SessionDep, _staff: StaffDep,
                             notification_id: Annotated[int, Path(ge=1)]) -> dict:
    return await service.retry_notification(session, notification_id)


@router.get("/me/notifications", response_model=NotificationPreference)
async def read_notification_preference(session: ReadSessionDep, ref: CustomerDep) -> dict:
    return {"enabled": await service.read_preference(session, ref)}


@router.put("/me/notifications", response_model=NotificationPreference)
async def update_notification_preference(data: NotificationPreference, session: SessionDep,
                                         ref: CustomerDep) -> dict:
    return {"enabled": await service.set_preference(session, ref, data.enabled)}
