"""Every allowed and refused move of the transition table, through the staff API."""
from __future__ import annotations

import uuid
from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.core.base import utcnow
from backend.orders.expiry import expire_pending_orders
from backend.orders.status import TRANSITIONS, OrderStatus
from backend.outbox.models import Notification
from tests.backend.factories import STAFF, bot, create_order, create_product, reconciliation, stock

ALL = list(OrderStatus)
PAIRS = [(a, b) for a in ALL for b in ALL]


def path_to(target: OrderStatus) -> list[OrderStatus]:
    """Shortest walk from pending to `target` over allowed moves (breadth-first)."""
    queue, seen = deque([[OrderStatus.PENDING]]), {OrderStatus.PENDING}
    while queue:
        path = queue.popleft()
        if path[-1] is target:
            return path[1:]
        for nxt in sorted(TRANSITIONS[path[-1]]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(path + [nxt])
    raise AssertionError(f"{target} unreachable")


def staff_body(status: OrderStatus) -> dict:
    body = {"status": status.value}
    if status is OrderStatus.SHIPPED:
        body.update(carrier="DHL", tracking_number="TRK-1")
    return body


async def move(client, number: str, status: OrderStatus):
    return await client.post(f"/api/v1/staff/orders/{number}/transition", headers=STAFF,
                             json=staff_body(status))


async def staff_view(client, number: str) -> dict:
    return (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()


@pytest.mark.parametrize("current, target", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
async def test_transition_table(client, current, target):
    product = await create_product(client, stock=3)
    order = await create_order(client, f"api:{uuid.uuid4().hex}", (product["sku"], 2))
    for step in path_to(current):
        assert (await move(client, order["number"], step)).status_code == 200
    before = await staff_view(client, order["number"])
    level_before = await stock(client, product["sku"])
    response = await move(client, order["number"], target)
    after = await staff_view(client, order["number"])
    if target in TRANSITIONS[current]:
        assert response.status_code == 200, response.text
        assert after["status"] == target.value
        assert after["events"][-1]["to_status"] == target.value
        assert after["events"][-1]["actor"].startswith("staff:")
    else:
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "invalid_transition"
        assert f"'{current.value}'" in problem["detail"]
        assert f"'{target.value}'" in problem["detail"]
        assert after == before and await stock(client, product["sku"]) == level_before
    assert (await reconciliation(client))["ok"]


@pytest.mark.parametrize("route, status", [("confirm", "confirmed"), ("cancel", "cancelled")])
async def test_customer_transition_from_pending(client, route, status):
    product = await create_product(client, stock=3)
    who = f"slack:T1:{uuid.uuid4().hex}"
    order = await create_order(client, who, (product["sku"], 1))
    response = await client.post(f"/api/v1/orders/{order['number']}/{route}", headers=bot(who))
    assert response.status_code == 200 and response.json()["status"] == status
    again = await client.post(f"/api/v1/orders/{order['number']}/confirm", headers=bot(who))
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


async def test_customer_return_before_delivery_refused(client):
    product = await create_product(client, stock=3)
    who = f"web:{uuid.uuid4().hex}"
    order = await create_order(client, who, (product["sku"], 1))
    response = await client.post(f"/api/v1/orders/{order['number']}/return", headers=bot(who),
                                 json={"reason": "too early"})
    assert response.status_code == 409
    assert "'pending' cannot become 'return_requested'" in response.json()["detail"]


async def test_status_change_writes_outbox_row(app, client):
    product = await create_product(client, stock=3)
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    order = await create_order(client, who, (product["sku"], 1))
    await client.post(f"/api/v1/orders/{order['number']}/confirm", headers=bot(who))
    async with app.state.sessionmaker() as session:
        rows = (await session.execute(
            select(Notification).where(Notification.dedupe_key.like(f"order:{order['number']}:%"))
            .order_by(Notification.id))).scalars().all()
    assert [r.kind for r in rows] == ["order_pending", "order_confirmed"]
    assert rows[-1].recipient == who and rows[-1].channel == "telegram"
    assert rows[-1].delivered_at is None and rows[-1].attempts == 0
    assert rows[-1].payload["number"] == order["number"]


async def test_expire_pending_orders_releases_stock(app, client):
    product = await create_product(client, stock=4)
    who = f"web:{uuid.uuid4().hex}"
    pending = await create_order(client, who, (product["sku"], 3))
    confirmed = await create_order(client, who, (product["sku"], 1))
    await client.post(f"/api/v1/orders/{confirmed['number']}/confirm", headers=bot(who))
    assert (await stock(client, product["sku"]))["available"] == 0
    # Not due yet: the staff endpoint uses the real clock and leaves it alone.
    assert (await client.post("/api/v1/staff/orders/expire", headers=STAFF)).is_success
    assert (await stock(client, product["sku"]))["reserved"] == 4
    expired = await expire_pending_orders(app.state.sessionmaker,
                                          now=utcnow() + timedelta(minutes=31))
    assert expired >= 1
    view = await staff_view(client, pending["number"])
    assert view["status"] == "cancelled" and view["cancel_reason"].startswith("expired")
    assert view["events"][-1]["actor"] == "system:expiry"
    assert (await staff_view(client, confirmed["number"]))["status"] == "confirmed"
    level = await stock(client, product["sku"])
    assert (level["reserved"], level["available"]) == (1, 3)
    assert (await reconciliation(client))["ok"]
