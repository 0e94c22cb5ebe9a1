"""The dispatcher's periodic jobs: expiring-order reminders, low-stock episodes, stuck orders;
and triage, which skips what should no longer be sent."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from backend.core.base import utcnow
from backend.notifications import queue, scans, wording
from backend.notifications.triage import skip_reasons
from backend.outbox.models import Notification
from tests.backend.factories import STAFF, bot, create_order, create_product


async def rows_with_key(app, prefix: str) -> list[Notification]:
    async with app.state.sessionmaker() as session:
        return (await session.execute(select(Notification).where(
            Notification.dedupe_key.like(f"{prefix}%")).order_by(Notification.id))).scalars().all()


async def run_job(app, job, now=None):
    async with app.state.sessionmaker() as session, session.begin():
        return await job(session, app.state.settings, now or utcnow())


async def test_expiring_reminder_once_per_pending_order(app, client):
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    product = await create_product(client, stock=2)
    order = await create_order(client, who, (product["sku"], 1))
    soon = utcnow() + timedelta(minutes=26)  # TTL 30, notice 5: inside the window
    await run_job(app, scans.enqueue_expiring_reminders, soon)
    await run_job(app, scans.enqueue_expiring_reminders, soon + timedelta(minutes=1))
    [reminder] = await rows_with_key(app, f"expiring:{order['number']}")
    assert reminder.kind == "order_expiring" and reminder.recipient == who
    assert reminder.payload["total_minor"] == order["total_minor"]


async def test_expiring_reminder_not_before_the_window(app, client):
    product = await create_product(client, stock=2)
    order = await create_order(client, bot()["X-Channel-Identity"], (product["sku"], 1))
    await run_job(app, scans.enqueue_expiring_reminders, utcnow() + timedelta(minutes=10))
    assert await rows_with_key(app, f"expiring:{order['number']}") == []


async def test_low_stock_alerts_once_per_episode(app, client):
    product = await create_product(client, stock=3)  # threshold 5: low from the start
    sku = product["sku"]
    await run_job(app, scans.enqueue_low_stock_alerts)
    await run_job(app, scans.enqueue_low_stock_alerts)
    [first] = await rows_with_key(app, f"low_stock:{sku}:")
    assert first.channel == "staff" and first.payload["available"] == 3
    assert first.dedupe_key == f"low_stock:{sku}:1"
    await client.post(f"/api/v1/staff/products/{sku}/restock", headers=STAFF,
                      json={"quantity": 10})
    await run_job(app, scans.enqueue_low_stock_alerts)  # recovered: the episode closes
    order = await create_order(client, bot()["X-Channel-Identity"], (sku, 10))
    assert order["number"]
    await run_job(app, scans.enqueue_low_stock_alerts)  # dipped again: a second alert
    keys = [r.dedupe_key for r in await rows_with_key(app, f"low_stock:{sku}:")]
    assert keys == [f"low_stock:{sku}:1", f"low_stock:{sku}:2"]


async def test_stuck_order_alert_once_per_status(app, client):
    who = f"web:{uuid.uuid4().hex}"
    product = await create_product(client, stock=2)
    order = await create_order(client, who, (product["sku"], 1))
    await client.post(f"/api/v1/orders/{order['number']}/confirm", headers=bot(who))
    later = utcnow() + timedelta(hours=25)  # STUCK_ORDER_HOURS 24
    await run_job(app, scans.enqueue_stuck_order_alerts, utcnow())
    assert await rows_with_key(app, f"stuck:{order['number']}") == []
    await run_job(app, scans.enqueue_stuck_order_alerts, later)
    await run_job(app, scans.enqueue_stuck_order_alerts, later)
    [alert] = await rows_with_key(app, f"stuck:{order['number']}")
    assert alert.kind == "staff_stuck_order" and alert.payload["status"] == "confirmed"
    assert alert.payload["hours"] >= 24


def claimed(row: Notification) -> queue.Claimed:
    return queue.Claimed(id=row.id, kind=row.kind, channel=row.channel, recipient=row.recipient,
                         payload=row.payload, dedupe_key=row.dedupe_key, attempts=1,
                         order_id=row.order_id, customer_id=row.customer_id)


async def test_skip_reasons_opt_out_silent_kinds_and_outdated_reminders(app, client):
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    product = await create_product(client, stock=2)
    order = await create_order(client, who, (product["sku"], 1))
    await run_job(app, scans.enqueue_expiring_reminders, utcnow() + timedelta(minutes=26))
    await client.post(f"/api/v1/orders/{order['number']}/confirm", headers=bot(who))
    rows = {r.kind: r for r in await rows_with_key(app, "")
            if r.payload.get("number") == order["number"]}
    async with app.state.sessionmaker() as session:
        reasons = await skip_reasons(session, [claimed(r) for r in rows.values()])
    assert "nothing to tell" in reasons[rows["order_pending"].id]
    assert reasons[rows["order_expiring"].id] == "order no longer pending"
    assert rows["order_confirmed"].id not in reasons
    await client.put("/api/v1/me/notifications", headers=bot(who), json={"enabled": False})
    async with app.state.sessionmaker() as session:
        reasons = await skip_reasons(session, [claimed(rows["order_confirmed"])])
    assert reasons == {rows["order_confirmed"].id: "customer opted out of notifications"}


async def test_expired_order_alert_once(app, client):
    from backend.orders.expiry import expire_pending_orders

    product = await create_product(client, stock=2)
    order = await create_order(client, bot()["X-Channel-Identity"], (product["sku"], 1))
    assert await expire_pending_orders(app.state.sessionmaker,
                                       now=utcnow() + timedelta(minutes=31)) >= 1
    await run_job(app, scans.enqueue_expired_order_alerts)
    await run_job(app, scans.enqueue_expired_order_alerts)
    [alert] = await rows_with_key(app, f"expired:{order['number']}")
    assert alert.channel == "staff" and alert.kind == "staff_expired_order"
    assert "never confirmed" in wording.staff_text(alert.kind, alert.payload)
