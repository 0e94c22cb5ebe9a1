"""Staff see the outbox and requeue dead rows; customers switch notifications off and on; a
delivered order enqueues one feedback request."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from backend.core.base import utcnow
from backend.outbox.models import Notification
from tests.backend.factories import STAFF, bot, create_order, create_product

SHIP = {"status": "shipped", "carrier": "DHL", "tracking_number": "TRK-9"}


async def outbox(app, number: str) -> list[Notification]:
    async with app.state.sessionmaker() as session:
        return (await session.execute(select(Notification).where(
            Notification.payload["number"].as_string() == number)
            .order_by(Notification.id))).scalars().all()


async def deliver_order(client, who: str) -> dict:
    product = await create_product(client, stock=3)
    order = await create_order(client, who, (product["sku"], 1))
    number = order["number"]
    await client.post(f"/api/v1/orders/{number}/confirm", headers=bot(who))
    for body in ({"status": "processing"}, SHIP, {"status": "delivered"}):
        response = await client.post(f"/api/v1/staff/orders/{number}/transition",
                                     headers=STAFF, json=body)
        assert response.status_code == 200, response.text
    return order


async def test_delivered_order_enqueues_one_feedback_request(app, client):
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    order = await deliver_order(client, who)
    rows = await outbox(app, order["number"])
    assert [r.kind for r in rows] == ["order_pending", "order_confirmed", "order_processing",
                                      "order_shipped", "order_delivered", "feedback_request"]
    request = rows[-1]
    assert request.dedupe_key == f"feedback:{order['number']}" and request.recipient == who
    assert request.state == "pending"
    assert request.next_attempt_at > utcnow() + timedelta(minutes=55)  # default delay 60 min


async def test_delivered_order_already_rated_gets_no_feedback_request(app, client):
    who = f"web:{uuid.uuid4().hex}"
    product = await create_product(client, stock=3)
    order = await create_order(client, who, (product["sku"], 1))
    number = order["number"]
    await client.post(f"/api/v1/orders/{number}/confirm", headers=bot(who))
    for body in ({"status": "processing"}, SHIP):
        await client.post(f"/api/v1/staff/orders/{number}/transition", headers=STAFF, json=body)
    rated = await client.post("/api/v1/feedback", headers=bot(who),
                              json={"rating": 5, "order_number": number})
    assert rated.status_code == 201, rated.text
    await client.post(f"/api/v1/staff/orders/{number}/transition", headers=STAFF,
                      json={"status": "delivered"})
    assert "feedback_request" not in [r.kind for r in await outbox(app, number)]


async def test_read_notifications_filters_by_state(app, client):
    who = f"telegram:{uuid.uuid4().int % 10**9}"
    order = await deliver_order(client, who)
    shipped = [r for r in await outbox(app, order["number"]) if r.kind == "order_shipped"][0]
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(Notification).where(Notification.id == shipped.id)
                              .values(state="dead", attempts=8, last_error="gateway 503"))
    response = await client.get("/api/v1/staff/notifications?state=dead&limit=200",
                                headers=STAFF)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1 and all(n["state"] == "dead" for n in body["data"])
    [listed] = [n for n in body["data"] if n["id"] == shipped.id]
    assert listed["last_error"] == "gateway 503" and listed["payload"]["tracking_number"] == "TRK-9"


async def test_read_notifications_needs_staff_token(client):
    response = await client.get("/api/v1/staff/notifications", headers=bot())
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_read_notifications_unknown_state_is_422(client):
    response = await client.get("/api/v1/staff/notifications?state=lost", headers=STAFF)
    assert response.status_code == 422


async def test_retry_notification_requeues_a_dead_row(app, client):
    order = await deliver_order(client, f"telegram:{uuid.uuid4().int % 10**9}")
    row = (await outbox(app, order["number"]))[1]
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(Notification).where(Notification.id == row.id)
                              .values(state="dead", attempts=8))
    response = await client.post(f"/api/v1/staff/notifications/{row.id}/retry", headers=STAFF)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "pending" and body["attempts"] == 0
    again = await client.post(f"/api/v1/staff/notifications/{row.id}/retry", headers=STAFF)
    assert again.status_code == 409 and again.json()["code"] == "notification_not_dead"


async def test_retry_notification_unknown_is_404(client):
    response = await client.post("/api/v1/staff/notifications/999999999/retry", headers=STAFF)
    assert response.status_code == 404
    assert response.json()["code"] == "notification_not_found"


async def test_notification_preference_defaults_to_enabled(client):
    response = await client.get("/api/v1/me/notifications", headers=bot())
    assert response.status_code == 200 and response.json() == {"enabled": True}


async def test_notification_preference_opt_out_and_back_in(client):
    who = bot(f"slack:T01:U{uuid.uuid4().hex[:8].upper()}")
    off = await client.put("/api/v1/me/notifications", headers=who, json={"enabled": False})
    assert off.status_code == 200 and off.json() == {"enabled": False}
    assert (await client.get("/api/v1/me/notifications", headers=who)).json() == {"enabled": False}
    await client.put("/api/v1/me/notifications", headers=who, json={"enabled": True})
    assert (await client.get("/api/v1/me/notifications", headers=who)).json() == {"enabled": True}


async def test_notification_preference_needs_bot_token_and_identity(client):
    no_token = await client.put("/api/v1/me/notifications", json={"enabled": False},
                                headers={"X-Channel-Identity": "web:abcdef0123456789"})
    assert no_token.status_code == 401
    no_identity = await client.get("/api/v1/me/notifications",
                                   headers={"Authorization": bot()["Authorization"]})
    assert no_identity.status_code == 400


async def test_notification_preference_rejects_a_non_boolean(client):
    response = await client.put("/api/v1/me/notifications", headers=bot(),
                                json={"enabled": "sometimes"})
    assert response.status_code == 422
