"""Staff order routes: list, inspect, and move orders through fulfilment and refunds."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query


from backend.api.deps import ReadSessionDep, SessionDep, SettingsDep, StaffDep, own_task
from backend.customers.models import CHANNELS
from backend.orders import changes, queries, service
from backend.orders.schemas import (AddressUpdate, ItemsUpdate, OrderEventPublic, OrderPublic,
                                    OrdersPublic, StaffTransition)
from backend.orders.status import OrderStatus

router = APIRouter(prefix="/staff/orders", tags=["staff"])


class StaffOrderPublic(OrderPublic):
    events: list[OrderEventPublic]




@router.get("", response_model=OrdersPublic)
async def read_orders(
    session: ReadSessionDep, _staff: StaffDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    channel: Annotated[str | None, Query(pattern="^(%s)$" % "|".join(CHANNELS))] = None,
    created_from: Annotated[datetime | None, Query()] = None,
    created_to: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict:
    data, count = await queries.list_orders(
        session, status=status, channel=channel, created_from=created_from,
        created_to=created_to, limit=limit, offset=offset)
    return {"data": data, "count": count}


@router.get("/{number}", response_model=StaffOrderPublic)
async def read_order_staff(number: str, session: ReadSessionDep, _staff: StaffDep) -> dict:
    order = await queries.get_order(session, number)
    if order is None:
        raise service.not_found(number)
    view = (await queries.views_for(session, [order]))[0]
    return view | {"events": await queries.list_events(session, order["id"])}


@router.post("/{number}/transition", response_model=OrderPublic)
async def transition_order(number: str, data: StaffTransition, session: SessionDep,
                           staff: StaffDep) -> dict:
    return await own_task(service.staff_transition(session, number=number, data=data,
                                                   staff=staff))


@router.put("/{number}/items", response_model=OrderPublic)
async def change_order_items_staff(number: str, data: ItemsUpdate, session: SessionDep,
                                   settings: SettingsDep, staff: StaffDep) -> dict:
    return await own_task(changes.change_items(
        session, settings, ref=None, actor=f"staff:{staff}", number=number, lines=data.lines))


@router.put("/{number}/address", response_model=OrderPublic)
async def change_order_address_staff(number: str, data: AddressUpdate, session: SessionDep,
                                     settings: SettingsDep, staff: StaffDep) -> dict:
    return await own_task(changes.change_address(
        session, settings, ref=None, actor=f"staff:{staff}", number=number,
        address=data.shipping_address))
