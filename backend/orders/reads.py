"""What a customer may see: their own orders, or another's after verification."""
from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from backend.customers.service import ChannelRef, find_identity
from backend.orders import queries
from backend.orders.service import not_found


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def verified(order: dict, email: str | None, phone: str | None) -> bool:
    if email and order["contact_email"]:
        if email.strip().lower() == order["contact_email"].lower():
            return True
    # Compare the last 9 digits so "+353 85 123 4567" matches "085 1234567".
    given, on_file = _digits(phone)[-9:], _digits(order["contact_phone"])[-9:]
    return len(given) >= 6 and given == on_file


async def read_order_for(session: AsyncSession, *, ref: ChannelRef, number: str,
                         email: str | None, phone: str | None) -> dict:
    order = await queries.get_order(session, number)
    if order is None:
        raise not_found(number)
    identity = await find_identity(session, ref)
    mine = identity is not None and identity.customer_id == order["customer_id"]
    if not (mine or verified(order, email, phone)):
        # Same answer as "no such order": don't reveal that the number exists.
        raise not_found(number)
    return (await queries.views_for(session, [order]))[0]


async def my_last_order(session: AsyncSession, *, ref: ChannelRef) -> dict | None:
    identity = await find_identity(session, ref)
    return None if identity is None else await queries.last_order(session, customer_id=identity.customer_id)


async def my_orders(session: AsyncSession, *, ref: ChannelRef, status: str | None, limit: int,
                    offset: int) -> tuple[list[dict], int]:
    identity = await find_identity(session, ref)
    if identity is None:
        return [], 0
    return await queries.list_orders(session, customer_id=identity.customer_id, status=status,
                                     limit=limit, offset=offset)
