"""Yesterday in one message for the staff Slack channel, enqueued once a day through the outbox
(the notification dispatcher calls enqueue_daily_summary and delivers staff rows)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.config import Settings
from backend.outbox.models import STAFF_CHANNEL, Notification
from backend.outbox.service import enqueue_notification
from backend.reports.filters import ReportFilters
from backend.reports.summary import summary_report

_outbox = Notification.__table__


def _money(minor: int | None, currency: str) -> str:
    return f"{(minor or 0) / 100:,.2f} {currency}"


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.0f}%"


async def daily_summary_text(session: AsyncSession, day: date, currency: str) -> str:
    totals = (await summary_report(session, ReportFilters(start=day, end=day))).totals
    return (f"Daily summary for {day:%a %d %b %Y}: {totals['orders']} orders, revenue "
            f"{_money(totals['revenue_minor'], currency)} (average order "
            f"{_money(totals['aov_minor'], currency)}), cancellations "
            f"{_percent(totals['cancellation_rate'])}, CSAT {_percent(totals['csat'])}, "
            f"{totals['low_stock']} products low on stock, "
            f"{totals['open_tickets']} open tickets.")


async def enqueue_daily_summary(session: AsyncSession, settings: Settings, now: datetime) -> bool:
    """Enqueues yesterday's (UTC) summary in the caller's transaction, once per day (the
    dedupe key is the day); False when it already was."""
    day = now.date() - timedelta(days=1)
    dedupe_key = f"daily_summary:{day.isoformat()}"
    # The notifier calls this on every scan: skip the figures once the day's row exists.
    if await session.scalar(select(exists().where(_outbox.c.dedupe_key == dedupe_key))):
        return False
    text = await daily_summary_text(session, day, settings.CURRENCY)
    return await enqueue_notification(
        session, kind="staff_daily_summary", channel=STAFF_CHANNEL, dedupe_key=dedupe_key,
        payload={"text": text, "day": day.isoformat()})
