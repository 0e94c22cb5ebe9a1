"""Periodic jobs of the dispatcher: each looks at the shop's state and enqueues notifications,
once per event thanks to its dedupe key. A job is `async (session, settings, now) -> int | bool`
and runs in its own transaction; to add one (e.g. a daily summary), add it to PERIODIC_JOBS."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.models import Product
from backend.core.base import utcnow
from backend.core.config import Settings
from backend.customers.models import ChannelIdentity
from backend.inventory.models import Inventory
from backend.notifications.models import LowStockEpisode
from backend.notifications.reorder_watch import refresh_reorder_points, reorder_points
from backend.orders.models import Order
from backend.orders.status import OrderStatus
from backend.outbox.models import STAFF_CHANNEL
from backend.outbox.service import enqueue_notification
from backend.reports.daily_summary import enqueue_daily_summary

logger = logging.getLogger(__name__)

_orders = Order.__table__
_ids = ChannelIdentity.__table__
_stock = Inventory.__table__
_products = Product.__table__
_episodes = LowStockEpisode.__table__
SCAN_LIMIT = 200  # rows per job and pass; the next pass picks up the rest
STUCK_STATUSES = (OrderStatus.CONFIRMED.value, OrderStatus.PROCESSING.value)
EXPIRED_REASON_PREFIX = "expired:"  # backend/orders/expiry.py's cancel_reason


async def enqueue_expiring_reminders(session: AsyncSession, settings: Settings,
                                     now: datetime) -> int:
    """One `order_expiring` reminder per pending order about to lose its reservation."""
    if settings.ORDER_EXPIRING_NOTICE_MINUTES <= 0:
        return 0
    horizon = now + timedelta(minutes=settings.ORDER_EXPIRING_NOTICE_MINUTES)
    rows = await session.execute(
        select(_orders.c.id, _orders.c.number, _orders.c.customer_id, _orders.c.channel,
               _orders.c.total_minor, _orders.c.currency, _orders.c.expires_at,
               _ids.c.channel.label("id_channel"), _ids.c.external_id)
        .outerjoin(_ids, _ids.c.id == _orders.c.identity_id)
        .where(_orders.c.status == OrderStatus.PENDING.value,
               _orders.c.expires_at > now, _orders.c.expires_at <= horizon)
        .order_by(_orders.c.expires_at).limit(SCAN_LIMIT))
    added = 0
    for row in rows:
        recipient = f"{row.id_channel}:{row.external_id}" if row.id_channel else None
        added += await enqueue_notification(
            session, kind="order_expiring", dedupe_key=f"expiring:{row.number}",
            payload={"number": row.number, "total_minor": row.total_minor,
                     "currency": row.currency, "expires_at": row.expires_at.isoformat()},
            channel=row.channel, recipient=recipient, order_id=row.id,
            customer_id=row.customer_id)
    return added


async def enqueue_low_stock_alerts(session: AsyncSession, settings: Settings,
                                   now: datetime) -> int:
    """Opens an episode when a SKU's available stock drops below its threshold or to its forecast
    reorder point (one alert, keyed by the episode) and closes it when stock is back, so the next
    dip alerts again."""
    available = _stock.c.on_hand - _stock.c.reserved
    rows = (await session.execute(
        select(_stock.c.sku, available.label("available"), _stock.c.low_stock_threshold,
               _products.c.name, _episodes.c.episode, _episodes.c.active)
        .join(_products, _products.c.sku == _stock.c.sku)
        .outerjoin(_episodes, _episodes.c.sku == _stock.c.sku)
        .where(_products.c.active.is_(True))
        .order_by(_stock.c.sku))).all()
    added = 0
    for row in rows:
        point = reorder_points.get(row.sku)
        low = row.available < row.low_stock_threshold or (point is not None and
                                                           row.available <= point)
        if low and not row.active:
            episode = await _open_episode(session, row.sku, row.episode, now)
            if episode is not None:
                added += await enqueue_notification(
                    session, kind="staff_low_stock", channel=STAFF_CHANNEL,
                    dedupe_key=f"low_stock:{row.sku}:{episode}",
                    payload={"sku": row.sku, "name": row.name, "available": row.available,
                             "threshold": row.low_stock_threshold, "reorder_point": point,
                             "episode": episode})
        elif not low and row.active:
            await session.execute(update(_episodes).where(_episodes.c.sku == row.sku)
                                  .values(active=False, updated_at=now))
    return added


async def _open_episode(session: AsyncSession, sku: str, episode: int | None,
                        now: datetime) -> int | None:
    """The new episode number, or None when a concurrent scan opened it first."""
    if episode is None:
        await session.execute(insert(_episodes).values(sku=sku, episode=0, active=False,
                                                       updated_at=now))
        episode = 0
    result = await session.execute(
        update(_episodes).where(_episodes.c.sku == sku, _episodes.c.active.is_(False),
                                _episodes.c.episode == episode)
        .values(episode=episode + 1, active=True, updated_at=now))
    return episode + 1 if result.rowcount == 1 else None


async def enqueue_stuck_order_alerts(session: AsyncSession, settings: Settings,
                                     now: datetime) -> int:
    """Orders confirmed or in processing for longer than STUCK_ORDER_HOURS: once per status."""
    cutoff = now - timedelta(hours=settings.STUCK_ORDER_HOURS)
    rows = await session.execute(
        select(_orders.c.id, _orders.c.number, _orders.c.status, _orders.c.updated_at)
        .where(and_(_orders.c.status.in_(STUCK_STATUSES), _orders.c.updated_at < cutoff))
        .order_by(_orders.c.updated_at).limit(SCAN_LIMIT))
    added = 0
    for row in rows:
        hours = int((now - row.updated_at).total_seconds() // 3600)
        added += await enqueue_notification(
            session, kind="staff_stuck_order", channel=STAFF_CHANNEL, order_id=row.id,
            dedupe_key=f"stuck:{row.number}:{row.status}",
            payload={"number": row.number, "status": row.status, "hours": hours})
    return added


async def enqueue_expired_order_alerts(session: AsyncSession, settings: Settings,
                                      now: datetime) -> int:
    """Pending orders that expired (nobody confirmed them) within the last day: once each."""
    since = now - timedelta(days=1)
    rows = await session.execute(
        select(_orders.c.id, _orders.c.number, _orders.c.total_minor, _orders.c.currency,
               _orders.c.channel)
        .where(_orders.c.status == OrderStatus.CANCELLED.value,
               _orders.c.cancel_reason.like(f"{EXPIRED_REASON_PREFIX}%"),
               _orders.c.updated_at >= since)
        .order_by(_orders.c.updated_at).limit(SCAN_LIMIT))
    added = 0
    for row in rows:
        added += await enqueue_notification(
            session, kind="staff_expired_order", channel=STAFF_CHANNEL, order_id=row.id,
            dedupe_key=f"expired:{row.number}",
            payload={"number": row.number, "total_minor": row.total_minor,
                     "currency": row.currency, "channel": row.channel})
    return added


PERIODIC_JOBS = [
    enqueue_expiring_reminders,
    refresh_reorder_points,  # before the low-stock scan, which reads the reorder points
    enqueue_low_stock_alerts,
    enqueue_expired_order_alerts,
    enqueue_stuck_order_alerts,
    enqueue_daily_summary,  # backend/reports: yesterday's figures for the staff channel
]


async def run_periodic_jobs(sessionmaker: async_sessionmaker[AsyncSession],
                            settings: Settings, now: datetime | None = None) -> None:
    now = now or utcnow()
    for job in PERIODIC_JOBS:
        try:
            async with sessionmaker() as session, session.begin():
                result = await job(session, settings, now)
        except Exception:  # one broken job must not stop the others or the dispatcher
            logger.exception("periodic job %s failed", job.__name__)
            continue
        if result:
            logger.info("%s enqueued %s", job.__name__, result)
