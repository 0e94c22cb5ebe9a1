"""The outbox as a work queue: enqueue with dedupe, claim with a lease, settle with backoff,
dead letters. On SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from sqlalchemy import select

from backend.core.base import utcnow
from backend.core.db import create_engine, create_sessionmaker
from backend.notifications import queue
from backend.outbox.models import Notification
from backend.outbox.service import enqueue_notification


async def add(sessionmaker, key: str, due_in: float = 0) -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue_notification(session, kind="staff_test", dedupe_key=key, channel="staff",
                                   payload={"text": key},
                                   due_at=utcnow() + timedelta(seconds=due_in))


async def claim(sessionmaker, limit: int = 10, lease: float = 30, now=None):
    async with sessionmaker() as session, session.begin():
        return await queue.claim_due(session, now=now or utcnow(), limit=limit,
                                     lease_seconds=lease)


async def row(sessionmaker, key: str) -> Notification:
    async with sessionmaker() as session:
        return (await session.execute(
            select(Notification).where(Notification.dedupe_key == key))).scalar_one()


async def test_enqueue_notification_ignores_a_duplicate_key(sessionmaker):
    async with sessionmaker() as session, session.begin():
        assert await enqueue_notification(session, kind="k", dedupe_key="dup", payload={"n": 1})
        assert not await enqueue_notification(session, kind="k", dedupe_key="dup",
                                              payload={"n": 2})
    assert (await row(sessionmaker, "dup")).payload == {"n": 1}


async def test_claim_due_takes_due_rows_oldest_first_and_counts_the_attempt(sessionmaker):
    await add(sessionmaker, "a")
    await add(sessionmaker, "later", due_in=3600)
    await add(sessionmaker, "b")
    claimed = await claim(sessionmaker)
    assert [c.dedupe_key for c in claimed] == ["a", "b"]
    assert all(c.attempts == 1 for c in claimed)


async def test_claim_due_respects_the_batch_limit(sessionmaker):
    for n in range(5):
        await add(sessionmaker, f"r{n}")
    assert len(await claim(sessionmaker, limit=2)) == 2
    assert len(await claim(sessionmaker, limit=10)) == 3


async def test_claimed_row_is_leased_until_the_lease_runs_out(sessionmaker):
    await add(sessionmaker, "leased")
    assert len(await claim(sessionmaker, lease=30)) == 1
    assert await claim(sessionmaker) == []  # still leased: a crashed dispatcher's row waits
    again = await claim(sessionmaker, now=utcnow() + timedelta(seconds=31))
    assert [(c.dedupe_key, c.attempts) for c in again] == [("leased", 2)]


async def test_concurrent_claims_never_share_a_row(sessionmaker, queue_settings):
    for n in range(40):
        await add(sessionmaker, f"c{n}")
    engines = [create_engine(queue_settings) for _ in range(4)]
    try:
        makers = [create_sessionmaker(e) for e in engines]
        batches = await asyncio.gather(*(claim(m, limit=7) for m in makers * 2))
    finally:
        for engine in engines:
            await engine.dispose()
    ids = [c.id for batch in batches for c in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_mark_delivered_settles_the_row(sessionmaker):
    await add(sessionmaker, "ok")
    [claimed] = await claim(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await queue.mark_delivered(session, [claimed.id], utcnow())
    settled = await row(sessionmaker, "ok")
    assert settled.state == "delivered" and settled.delivered_at is not None
    assert await claim(sessionmaker, now=utcnow() + timedelta(days=1)) == []


async def test_mark_failed_backs_off_then_ends_dead(sessionmaker, queue_settings):
    await add(sessionmaker, "flaky")
    now = utcnow()
    for attempt in range(1, 4):  # NOTIFY_MAX_ATTEMPTS=3 in these settings
        [claimed] = await claim(sessionmaker, now=now)
        assert claimed.attempts == attempt
        async with sessionmaker() as session, session.begin():
            dead = await queue.mark_failed(session, claimed, f"boom {attempt}", now=now,
                                           settings=queue_settings)
        failed = await row(sessionmaker, "flaky")
        if attempt < 3:
            assert not dead and failed.state == "pending"
            wait = (failed.next_attempt_at - now).total_seconds()
            ceiling = 10 * 2 ** (attempt - 1)
            assert ceiling / 2 <= wait <= ceiling
            now = failed.next_attempt_at
        else:
            assert dead and failed.state == "dead" and failed.last_error == "boom 3"
    assert await claim(sessionmaker, now=now + timedelta(days=1)) == []


async def test_mark_failed_permanent_ends_dead_at_once(sessionmaker, queue_settings):
    await add(sessionmaker, "hopeless")
    [claimed] = await claim(sessionmaker)
    async with sessionmaker() as session, session.begin():
        assert await queue.mark_failed(session, claimed, "gateway 422", now=utcnow(),
                                       settings=queue_settings, permanent=True)
    assert (await row(sessionmaker, "hopeless")).state == "dead"


def test_backoff_seconds_doubles_caps_and_jitters(queue_settings):
    rng = random.Random(7)
    waits = [queue.backoff_seconds(n, queue_settings, rng) for n in range(1, 8)]
    assert 5 <= waits[0] <= 10 and 10 <= waits[1] <= 20 and 20 <= waits[2] <= 40
    assert all(30 <= w <= 60 for w in waits[3:])  # capped at NOTIFY_BACKOFF_MAX_SECONDS=60
    assert len({round(w, 6) for w in waits[3:]}) > 1  # jitter: not in lockstep
