"""Finds or creates the customer behind a channel identity such as "telegram:12345"."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.base import utcnow
from backend.customers.models import ChannelIdentity, Customer
from backend.orders.models import IdempotencyKey

logger = logging.getLogger(__name__)

_ids = ChannelIdentity.__table__
_customers = Customer.__table__
_keys = IdempotencyKey.__table__
_FIND = select(_ids.c.id, _ids.c.customer_id).where(
    _ids.c.channel == bindparam("channel"), _ids.c.external_id == bindparam("external_id"))
_FIND_WITH_KEY = (
    select(_ids.c.id, _ids.c.customer_id, _keys.c.order_id, _keys.c.request_hash)
    .outerjoin(_keys, (_keys.c.customer_id == _ids.c.customer_id)
               & (_keys.c.key == bindparam("key")))
    .where(_ids.c.channel == bindparam("channel"),
           _ids.c.external_id == bindparam("external_id"))
)


@dataclass(frozen=True)
class ChannelRef:
    """The caller as the bot names it: channel plus the channel's own id."""

    channel: str
    external_id: str

    @property
    def label(self) -> str:
        return f"{self.channel}:{self.external_id}"


@dataclass(frozen=True)
class Identity:
    identity_id: int
    customer_id: int
    ref: ChannelRef
    # Set by find_identity(idempotency_key=...): the order that key already created, if any.
    replay_order_id: int | None = None
    replay_request_hash: str | None = None


async def find_identity(session: AsyncSession, ref: ChannelRef,
                        idempotency_key: str | None = None) -> Identity | None:
    params = {"channel": ref.channel, "external_id": ref.external_id}
    if idempotency_key is None:
        row = (await session.execute(_FIND, params)).first()
        return Identity(row.id, row.customer_id, ref) if row else None
    # One round trip for both "who is this" and "did this key already create an order".
    row = (await session.execute(_FIND_WITH_KEY, {**params, "key": idempotency_key})).first()
    if row is None:
        return None
    return Identity(row.id, row.customer_id, ref, row.order_id, row.request_hash)


async def find_or_create_identity(session: AsyncSession, ref: ChannelRef,
                                  idempotency_key: str | None = None) -> Identity:
    found = await find_identity(session, ref, idempotency_key)
    if found:
        return found
    try:
        # Savepoint: on PostgreSQL a concurrent first request may win the unique constraint.
        async with session.begin_nested():
            now = utcnow()
            customer_id = (await session.execute(
                insert(_customers).values(display_name="", created_at=now)
                .returning(_customers.c.id)
            )).scalar_one()
            identity_id = (await session.execute(
                insert(_ids).values(customer_id=customer_id, channel=ref.channel,
                                    external_id=ref.external_id, created_at=now)
                .returning(_ids.c.id)
            )).scalar_one()
    except IntegrityError:
        found = await find_identity(session, ref)
        if found is None:
            raise
        return found
    logger.info("new customer %s for channel %s", customer_id, ref.channel)
    return Identity(identity_id, customer_id, ref)
