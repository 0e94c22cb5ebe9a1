"""The notification dispatcher: claims due outbox rows in small batches, words them, delivers
them through the gateway and records the outcome; between batches it runs the periodic scans.
Entry point: python -m backend.notifications."""
from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.core.base import utcnow
from backend.core.config import Settings
from backend.notifications import queue, wording
from backend.notifications.gateway_client import GatewayClient, Outcome
from backend.notifications.scans import run_periodic_jobs
from backend.notifications.triage import skip_reasons
from backend.outbox.models import STAFF_CHANNEL

logger = logging.getLogger(__name__)


async def deliver(row: queue.Claimed, gateway: GatewayClient, settings: Settings) -> Outcome:
    if row.channel == STAFF_CHANNEL:
        return await gateway.staff(wording.staff_text(row.kind, row.payload), row.dedupe_key,
                                   row.payload.get("blocks"))
    try:
        messages = wording.customer_messages(row.kind, row.payload, settings.NOTIFY_DOMAIN_PATH)
    except (OSError, ValueError, KeyError, wording.MissingResponse) as error:
        return Outcome(False, f"cannot word {row.kind}: {error}")
    return await gateway.push(row.recipient, messages, row.dedupe_key)


async def dispatch_batch(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                         gateway: GatewayClient) -> int:
    """One claim, send, settle round. Returns how many rows it claimed."""
    async with sessionmaker() as session, session.begin():
        rows = await queue.claim_due(session, now=utcnow(), limit=settings.NOTIFY_BATCH_SIZE,
                                     lease_seconds=settings.NOTIFY_LEASE_SECONDS)
        skipped = await skip_reasons(session, rows)
        for row_id, reason in skipped.items():
            await queue.mark_skipped(session, row_id, reason)
    to_send = [row for row in rows if row.id not in skipped]
    # Sent concurrently: the gateway talks to slow channel APIs; one batch is small.
    outcomes = await asyncio.gather(*(deliver(row, gateway, settings) for row in to_send))
    if settings.NOTIFY_ACK_DELAY_MS:  # test-only: a window between sending and recording it
        await asyncio.sleep(settings.NOTIFY_ACK_DELAY_MS / 1000)
    await _settle(sessionmaker, settings, to_send, outcomes)
    return len(rows)


async def _settle(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                  rows: list[queue.Claimed], outcomes: list[Outcome]) -> None:
    now = utcnow()
    async with sessionmaker() as session, session.begin():
        await queue.mark_delivered(session, [r.id for r, o in zip(rows, outcomes) if o.delivered],
                                   now)
        for row, outcome in zip(rows, outcomes):
            if outcome.delivered:
                continue
            dead = await queue.mark_failed(session, row, outcome.error, now=now,
                                           settings=settings, permanent=outcome.permanent)
            log = logger.error if dead else logger.warning
            log("notification %d (%s) attempt %d failed%s: %s", row.id, row.kind, row.attempts,
                ", now dead" if dead else "", outcome.error)


async def run(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
              gateway: GatewayClient, stop: asyncio.Event) -> None:
    """Until `stop` is set: scan every NOTIFY_SCAN_SECONDS, drain due rows, idle between polls."""
    next_scan = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_scan:
            next_scan = time.monotonic() + settings.NOTIFY_SCAN_SECONDS
            await _guarded(run_periodic_jobs(sessionmaker, settings), "periodic scan")
        claimed = await _guarded(dispatch_batch(sessionmaker, settings, gateway), "dispatch")
        if claimed != settings.NOTIFY_BATCH_SIZE:  # drained (or failed): wait for more work
            try:
                await asyncio.wait_for(stop.wait(), settings.NOTIFY_POLL_SECONDS)
            except TimeoutError:
                pass


async def _guarded(work, what: str):
    """One failed pass (database briefly away) must not end the dispatcher."""
    try:
        return await work
    except Exception:
        logger.exception("%s failed; trying again shortly", what)
        return None
