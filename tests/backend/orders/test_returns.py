"""Returns name their items: only those come back into stock and only their worth is refunded."""
from __future__ import annotations

import asyncio
import uuid

from alembic import command
from sqlalchemy import select

from backend.core.config import Settings
from backend.core.db import create_engine, create_sessionmaker
from backend.migrations.runner import alembic_config
from backend.orders.models import Order, OrderLine
from backend.outbox.models import Notification
from backend.reports.models import OrderStatusStay
from tests.backend.factories import (STAFF, bot, create_order, create_product, reconciliation,
                                     stock)
from tests.backend.reports import dataset


async def delivered_order(client, *lines: tuple[str, int]) -> tuple[str, str]:
    """A new order walked to delivered; returns (customer identity, order number)."""
    who = f"web:{uuid.uuid4().hex}"
    number = (await create_order(client, who, *lines))["number"]
    assert (await client.post(f"/api/v1/orders/{number}/confirm", headers=bot(who))).is_success
    for body in ({"status": "processing"},
                 {"status": "shipped", "carrier": "DPD", "tracking_number": "T9"},
                 {"status": "delivered"}):
        assert (await staff_move(client, number, body)).is_success
    return who, number


async def staff_move(client, number: str, body: dict):
    return await client.post(f"/api/v1/staff/orders/{number}/transition", headers=STAFF,
                             json=body)


async def request_return(client, who: str, number: str, **body):
    return await client.post(f"/api/v1/orders/{number}/return", headers=bot(who),
                             json={"reason": "the mug arrived chipped", **body})


def returning(view: dict) -> dict[str, int]:
    return {line["sku"]: line["return_quantity"] for line in view["lines"]}


async def test_returning_some_items_restocks_and_refunds_only_those(client):
    mug = await create_product(client, stock=5, price=1000)
    pot = await create_product(client, stock=5, price=1500)
    who, number = await delivered_order(client, (mug["sku"], 2), (pot["sku"], 1))
    response = await request_return(client, who, number,
                                    lines=[{"sku": mug["sku"].lower(), "quantity": 1}])
    assert response.status_code == 200, response.text
    view = response.json()
    assert returning(view) == {mug["sku"]: 1, pot["sku"]: 0}
    assert view["total_minor"] == 3990  # 2 × 10.00 + 15.00 + 4.90 shipping
    assert view["refund"] == {"status": "return_requested", "due_minor": 1000,
                              "amount_minor": 0, "refunded_at": None}
    staff = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    assert staff["events"][-1]["detail"] == {
        "reason": "the mug arrived chipped", "items": [{"sku": mug["sku"], "quantity": 1}]}
    assert (await staff_move(client, number, {"status": "returned"})).is_success
    assert (await stock(client, mug["sku"]))["on_hand"] == 4  # 5 - 2 shipped + 1 back
    assert (await stock(client, pot["sku"]))["on_hand"] == 4  # kept by the customer
    refunded = (await staff_move(client, number, {"status": "refunded"})).json()
    assert refunded["refund"]["amount_minor"] == 1000 and refunded["refund"]["due_minor"] == 1000
    assert (await reconciliation(client))["ok"]


async def test_a_return_without_items_sends_back_the_whole_order(client):
    mug = await create_product(client, stock=5, price=1000)
    who, number = await delivered_order(client, (mug["sku"], 3))
    view = (await request_return(client, who, number)).json()
    assert returning(view) == {mug["sku"]: 3}
    assert view["refund"]["due_minor"] == view["total_minor"] == 3490  # shipping refunded too
    assert (await staff_move(client, number, {"status": "returned"})).is_success
    assert (await stock(client, mug["sku"]))["on_hand"] == 5
    refunded = await staff_move(client, number, {"status": "refunded", "refund_minor": 3000})
    assert refunded.json()["refund"]["amount_minor"] == 3000  # staff may refund less
    assert (await reconciliation(client))["ok"]


async def test_repeated_items_add_up_and_all_of_every_item_is_the_whole_order(client):
    mug = await create_product(client, stock=5, price=1000)
    pot = await create_product(client, stock=5, price=1500)
    who, number = await delivered_order(client, (mug["sku"], 2), (pot["sku"], 1))
    view = (await request_return(client, who, number, lines=[
        {"sku": mug["sku"], "quantity": 1}, {"sku": pot["sku"], "quantity": 1},
        {"sku": mug["sku"], "quantity": 1}])).json()
    assert returning(view) == {mug["sku"]: 2, pot["sku"]: 1}
    assert view["refund"]["due_minor"] == view["total_minor"]


async def test_items_the_order_does_not_hold_are_refused_and_nothing_changes(client):
    mug = await create_product(client, stock=5, price=1000)
    other = await create_product(client, stock=5)
    who, number = await delivered_order(client, (mug["sku"], 2))
    unknown = await request_return(client, who, number, lines=[{"sku": other["sku"], "quantity": 1}])
    assert unknown.status_code == 422 and unknown.json()["code"] == "validation_error"
    assert unknown.json()["skus"] == [other["sku"]]
    assert f"has no {other['sku']}; it holds {mug['sku']} (Test Mug)" in unknown.json()["detail"]
    too_many = await request_return(client, who, number, lines=[{"sku": mug["sku"], "quantity": 3}])
    assert too_many.status_code == 422
    assert "2 × Test Mug were ordered, not 3" in too_many.json()["detail"]
    empty = await request_return(client, who, number, lines=[])
    assert empty.status_code == 422 and empty.json()["code"] == "validation_error"
    view = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    assert view["status"] == "delivered" and returning(view) == {mug["sku"]: 0}
    assert view["refund"]["due_minor"] == 0


async def test_more_items_join_a_return_still_on_its_way(client):
    """"can I send the teapot back too?" after returning a mug: one return, one refund."""
    mug = await create_product(client, stock=5, price=1000)
    pot = await create_product(client, stock=5, price=1500)
    who, number = await delivered_order(client, (mug["sku"], 2), (pot["sku"], 1))
    await request_return(client, who, number, lines=[{"sku": mug["sku"], "quantity": 1}])
    response = await client.post(f"/api/v1/orders/{number}/return", headers=bot(who), json={
        "reason": "the teapot leaks", "lines": [{"sku": pot["sku"], "quantity": 1}]})
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == "return_requested"
    assert returning(view) == {mug["sku"]: 1, pot["sku"]: 1}
    assert view["refund"]["due_minor"] == 2500
    staff = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    assert staff["return_reason"] == "the mug arrived chipped; the teapot leaks"
    assert staff["events"][-1]["kind"] == "return_items_added"
    rest = (await request_return(client, who, number)).json()  # everything left: the whole order
    assert returning(rest) == {mug["sku"]: 2, pot["sku"]: 1}
    assert rest["refund"]["due_minor"] == rest["total_minor"]
    again = await request_return(client, who, number)
    assert again.status_code == 422 and "already being returned" in again.json()["detail"]
    assert (await staff_move(client, number, {"status": "returned"})).is_success
    assert (await stock(client, mug["sku"]))["on_hand"] == 5
    late = await request_return(client, who, number)  # received: no more joins it
    assert late.status_code == 409 and late.json()["code"] == "invalid_transition"
    assert (await reconciliation(client))["ok"]


async def test_more_than_is_left_to_return_is_refused_and_nothing_changes(client):
    mug = await create_product(client, stock=5, price=1000)
    who, number = await delivered_order(client, (mug["sku"], 2))
    await request_return(client, who, number, lines=[{"sku": mug["sku"], "quantity": 1}])
    too_many = await request_return(client, who, number, lines=[{"sku": mug["sku"], "quantity": 2}])
    assert too_many.status_code == 422
    assert "1 × Test Mug are not being returned yet, not 2" in too_many.json()["detail"]
    view = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    assert returning(view) == {mug["sku"]: 1}


async def test_an_order_not_yet_delivered_is_refused_for_its_status_not_its_items(client):
    mug = await create_product(client, stock=5)
    who = f"web:{uuid.uuid4().hex}"
    number = (await create_order(client, who, (mug["sku"], 1)))["number"]
    response = await request_return(client, who, number, lines=[{"sku": "NOPE", "quantity": 9}])
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


async def withdraw(client, who: str, number: str):
    return await client.post(f"/api/v1/orders/{number}/return/withdraw", headers=bot(who))


async def test_a_return_not_yet_received_is_withdrawn_and_can_be_requested_again(app, client):
    """"actually cancel my return, i'll keep them": the order is delivered again, nothing goes
    back and no refund is due; a later return of it works as the first did."""
    mug = await create_product(client, stock=5, price=1000)
    pot = await create_product(client, stock=5, price=1500)
    who, number = await delivered_order(client, (mug["sku"], 2), (pot["sku"], 1))
    await request_return(client, who, number, lines=[{"sku": mug["sku"], "quantity": 1}])
    response = await withdraw(client, who, number)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == "delivered" and view["return_reason"] is None
    assert returning(view) == {mug["sku"]: 0, pot["sku"]: 0}
    assert view["refund"] == {"status": "none", "due_minor": 0, "amount_minor": 0, "refunded_at": None}
    assert view["next_statuses"] == ["return_requested"]
    staff = (await client.get(f"/api/v1/staff/orders/{number}", headers=STAFF)).json()
    event = staff["events"][-1]
    assert (event["kind"], event["from_status"], event["to_status"]) == (
        "status_delivered", "return_requested", "delivered")
    assert event["actor"] == f"customer:{who}"
    assert event["detail"] == {"withdrawn": {"reason": "the mug arrived chipped",
                                             "items": [{"sku": mug["sku"], "quantity": 1}]}}
    assert (await stock(client, mug["sku"]))["on_hand"] == 3  # nothing came back

    again = await request_return(client, who, number, reason="too heavy",
                                 lines=[{"sku": pot["sku"], "quantity": 1}])
    assert again.status_code == 200, again.text  # the status notification is not written twice
    assert returning(again.json()) == {mug["sku"]: 0, pot["sku"]: 1}
    assert again.json()["return_reason"] == "too heavy"  # not joined to the withdrawn one
    async with app.state.sessionmaker() as session:
        kinds = [row.kind for row in (await session.execute(
            select(Notification).where(Notification.dedupe_key.like(f"order:{number}:%")))).scalars()]
    assert sorted(kinds).count("order_delivered") == 1  # no second "delivered" notification
    assert (await staff_move(client, number, {"status": "returned"})).is_success
    async with app.state.sessionmaker() as session:  # the fulfilment rollup: one stay per status
        stays = (await session.execute(select(OrderStatusStay.state).join(
            Order, Order.id == OrderStatusStay.order_id).where(Order.number == number))).scalars().all()
    assert sorted(stays) == ["confirmed", "delivered", "pending", "processing", "return_requested", "shipped"]
    assert (await stock(client, pot["sku"]))["on_hand"] == 5
    assert (await reconciliation(client))["ok"]


async def test_only_a_return_on_its_way_can_be_withdrawn(client):
    mug = await create_product(client, stock=5, price=1000)
    who, number = await delivered_order(client, (mug["sku"], 2))
    none = await withdraw(client, who, number)
    assert none.status_code == 409 and none.json()["code"] == "invalid_transition"
    assert "no return on its way" in none.json()["detail"]
    await request_return(client, who, number)
    assert (await withdraw(client, f"web:{uuid.uuid4().hex}", number)).status_code == 404  # not theirs
    assert (await staff_move(client, number, {"status": "returned"})).is_success
    late = await withdraw(client, who, number)  # the items reached us: too late
    assert late.status_code == 409 and "'returned'" in late.json()["detail"]
    shipped = (await create_order(client, who, (mug["sku"], 1)))["number"]
    assert (await client.post(f"/api/v1/orders/{shipped}/confirm", headers=bot(who))).is_success
    await staff_move(client, shipped, {"status": "processing"})
    await staff_move(client, shipped, {"status": "shipped", "carrier": "DPD", "tracking_number": "T9"})
    refused = await withdraw(client, who, shipped)  # never a way to mark a parcel delivered
    assert refused.status_code == 409
    view = (await client.get(f"/api/v1/orders/{shipped}", headers=bot(who))).json()
    assert view["status"] == "shipped"


async def test_staff_withdrawing_a_return_clear_its_items_too(client):
    mug = await create_product(client, stock=5, price=1000)
    who, number = await delivered_order(client, (mug["sku"], 2))
    await request_return(client, who, number)
    view = (await staff_move(client, number, {"status": "delivered", "note": "phoned: keeps it"})).json()
    assert view["status"] == "delivered" and returning(view) == {mug["sku"]: 0}
    assert view["refund"]["due_minor"] == 0 and view["return_reason"] is None


async def test_migration_0007_counts_earlier_returns_as_whole_orders(db_kind, databases):
    settings = Settings(_env_file=None, **databases.get(db_kind, "return-items-migration"))
    engine = create_engine(settings)
    try:
        await dataset.load(create_sessionmaker(engine))  # O5 was returned and refunded
        config = alembic_config(settings)
        await asyncio.to_thread(command.downgrade, config, "0006")
        await asyncio.to_thread(command.upgrade, config, "head")
        orders, lines = Order.__table__, OrderLine.__table__
        async with create_sessionmaker(engine)() as session:
            rows = (await session.execute(
                select(orders.c.number, lines.c.quantity, lines.c.return_quantity)
                .join(lines, lines.c.order_id == orders.c.id))).all()
        assert {(number, back) for number, quantity, back in rows if back} == {("O5", 2)}
        assert len(rows) == 9
    finally:
        await engine.dispose()


async def test_the_refunded_notification_carries_the_amount_refunded(app, client):
    mug = await create_product(client, stock=5, price=1000)
    pot = await create_product(client, stock=5, price=1500)
    who, number = await delivered_order(client, (mug["sku"], 2), (pot["sku"], 1))
    await request_return(client, who, number, lines=[{"sku": pot["sku"], "quantity": 1}])
    await staff_move(client, number, {"status": "returned"})
    await staff_move(client, number, {"status": "refunded"})
    async with app.state.sessionmaker() as session:
        payloads = {row.kind: row.payload for row in (await session.execute(
            select(Notification).where(Notification.dedupe_key.like(f"order:{number}:%")))).scalars()}
    assert payloads["order_refunded"]["refunded_minor"] == 1500
    assert "refunded_minor" not in payloads["order_pending"]  # as PostgreSQL's placement writes it
