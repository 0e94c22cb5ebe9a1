"""The outbox as a work queue: claim due rows, then settle each as delivered, retried later,
dead or skipped.

A claim is one UPDATE that moves the rows' next_attempt_at forward by a lease and counts the
attempt. A dispatcher that dies mid-batch leaves its rows pending; they fall due again when the
lease runs out and are sent again with the same dedupe key, which the gateway drops if it
already delivered it. On PostgreSQL the UPDATE picks rows with FOR UPDATE SKIP LOCKED, so
several dispatchers never claim the same row; SQLite has one writer at a time (BEGIN IMMEDIATE)
and ignores the clause, so one dispatcher is the rule there."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import Settings
from backend.outbox.models import Notification, NotificationState

_outbox = Notification.__table__
PENDING = NotificationState.PENDING.value
ERROR_LIMIT = 1000  # characters of last_error kept


@dataclass
class Claimed:
    id: int
    kind: str
    channel: str | None
    recipient: str | None
    payload: dict
    dedupe_key: str
    attempts: int  # including this one
    order_id: int | None
    customer_id: int | None


async def claim_due(session: AsyncSession, *, now: datetime, limit: int,
                    lease_seconds: float) -> list[Claimed]:
    """Claims up to `limit` due rows, oldest first, inside the caller's transaction."""
    due = (select(_outbox.c.id)
           .where(_outbox.c.state == PENDING, _outbox.c.next_attempt_at <= now)
           .order_by(_outbox.c.next_attempt_at, _outbox.c.id).limit(limit)
           .with_for_update(skip_locked=True))
    claim = (update(_outbox).where(_outbox.c.id.in_(due.scalar_subquery()))
             .values(next_attempt_at=now + timedelta(seconds=lease_seconds),
                     attempts=_outbox.c.attempts + 1)
             .returning(_outbox.c.id, _outbox.c.kind, _outbox.c.channel, _outbox.c.recipient,
                        _outbox.c.payload, _outbox.c.dedupe_key, _outbox.c.attempts,
                        _outbox.c.order_id, _outbox.c.customer_id))
    rows = (await session.execute(claim)).all()
    return sorted((Claimed(**row._mapping) for row in rows), key=lambda c: c.id)


def backoff_seconds(attempts: int, settings: Settings, rng: random.Random = random) -> float:
    """Exponential (base * 2^(attempts-1), capped) with jitter: half fixed, half random, so a
    burst of failures does not retry in lockstep."""
    ceiling = min(settings.NOTIFY_BACKOFF_MAX_SECONDS,
                  settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def _settle(state: str | None = None, **values):
    """An UPDATE of one claimed row that only touches rows still pending."""
    statement = update(_outbox).where(_outbox.c.id == bindparam("row_id"),
                                      _outbox.c.state == PENDING)
    return statement.values(state=state, **values) if state else statement.values(**values)


async def mark_delivered(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(_outbox).where(_outbox.c.id.in_(ids), _outbox.c.state == PENDING)
            .values(state=NotificationState.DELIVERED.value, delivered_at=now, last_error=None))


async def mark_skipped(session: AsyncSession, row_id: int, reason: str) -> None:
    await session.execute(_settle(NotificationState.SKIPPED.value, last_error=reason),
                          {"row_id": row_id})


async def mark_failed(session: AsyncSession, row: Claimed, error: str, *, now: datetime,
                      settings: Settings, permanent: bool = False) -> bool:
    """Schedules a retry with backoff, or ends the row dead when it is out of attempts (or the
    failure can never succeed). Returns True when the row is now dead."""
    dead = permanent or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    if dead:
        await session.execute(_settle(NotificationState.DEAD.value,
                                      last_error=error[:ERROR_LIMIT]), {"row_id": row.id})
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(row.attempts, settings))
        await session.execute(_settle(next_attempt_at=retry_at, last_error=error[:ERROR_LIMIT]),
                              {"row_id": row.id})
    return dead
