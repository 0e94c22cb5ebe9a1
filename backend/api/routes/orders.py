"""Customer order routes, called by the bot's action server for one channel identity."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from backend.api.deps import (CustomerDep, DatabaseDep, ReadSessionDep, SessionDep, SettingsDep,
                              own_task)
from backend.errors import ErrorCode, NotFound
from backend.orders import changes, reads, service
from backend.orders.schemas import (AddressUpdate, CancelRequest, ContactUpdate, ItemsUpdate,
                                    OrderCreate, OrderPublic, OrdersPublic, ReturnRequest)
from backend.orders.status import OrderStatus

router = APIRouter(prefix="/orders", tags=["orders"])
IdempotencyKey = Annotated[str | None, Header(
    min_length=1, max_length=200, description="retries with the same key return the first order")]


@router.post("", response_model=OrderPublic, status_code=201)
async def create_order(
    data: OrderCreate, response: Response, database: DatabaseDep, settings: SettingsDep,
    ref: CustomerDep, idempotency_key: IdempotencyKey = None,
) -> dict:
    view, created = await own_task(service.place_order(
        database, settings, ref=ref, data=data, idempotency_key=idempotency_key))
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return view


@router.get("", response_model=OrdersPublic)
async def read_my_orders(
    session: ReadSessionDep, ref: CustomerDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    data, count = await reads.my_orders(session, ref=ref, status=status, limit=limit,
                                        offset=offset)
    return {"data": data, "count": count}


@router.get("/last", response_model=OrderPublic)
async def read_my_last_order(session: ReadSessionDep, ref: CustomerDep) -> dict:
    order = await reads.my_last_order(session, ref=ref)
    if order is None:
        raise NotFound("This customer has no orders yet.", code=ErrorCode.ORDER_NOT_FOUND)
    return order


@router.get("/{number}", response_model=OrderPublic)
async def read_order(
    number: str, session: ReadSessionDep, ref: CustomerDep,
    email: Annotated[str | None, Query(max_length=254)] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
) -> dict:
    return await reads.read_order_for(session, ref=ref, number=number, email=email, phone=phone)


@router.post("/{number}/confirm", response_model=OrderPublic)
async def confirm_order(number: str, session: SessionDep, ref: CustomerDep) -> dict:
    return await own_task(service.customer_transition(
        session, ref=ref, number=number, target=OrderStatus.CONFIRMED))


@router.post("/{number}/cancel", response_model=OrderPublic)
async def cancel_order(number: str, session: SessionDep, ref: CustomerDep,
                       data: CancelRequest | None = None) -> dict:
    return await own_task(service.customer_transition(
        session, ref=ref, number=number, target=OrderStatus.CANCELLED,
        reason=data.reason if data else None))


@router.post("/{number}/return", response_model=OrderPublic)
async def request_return(number: str, data: ReturnRequest, session: SessionDep,
                         ref: CustomerDep) -> dict:
    return await own_task(service.customer_transition(
        session, ref=ref, number=number, target=OrderStatus.RETURN_REQUESTED,
        reason=data.reason, items=data.lines))


@router.post("/{number}/return/withdraw", response_model=OrderPublic)
async def withdraw_return(number: str, session: SessionDep, ref: CustomerDep) -> dict:
    return await own_task(service.withdraw_return(session, ref=ref, number=number))


@router.put("/{number}/items", response_model=OrderPublic)
async def change_order_items(number: str, data: ItemsUpdate, session: SessionDep,
                             settings: SettingsDep, ref: CustomerDep) -> dict:
    return await own_task(changes.change_items(
        session, settings, ref=ref, actor=f"customer:{ref.label}", number=number,
        lines=data.lines))


@router.put("/{number}/address", response_model=OrderPublic)
async def change_order_address(number: str, data: AddressUpdate, session: SessionDep,
                               settings: SettingsDep, ref: CustomerDep) -> dict:
    return await own_task(changes.change_address(
        session, settings, ref=ref, actor=f"customer:{ref.label}", number=number,
        address=data.shipping_address))


@router.patch("/{number}/contact", response_model=OrderPublic)
async def change_order_contact(number: str, data: ContactUpdate, session: SessionDep,
                               ref: CustomerDep) -> dict:
    return await own_task(changes.change_contact(
        session, ref=ref, actor=f"customer:{ref.label}", number=number,
        email=data.contact_email, phone=data.contact_phone))
