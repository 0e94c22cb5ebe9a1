"""The fulfilment rollups: derived from the events of the fixed dataset, kept up to date by
every status change, and backfilled by migration 0005."""
from __future__ import annotations

import asyncio
import uuid

from alembic import command
from sqlalchemy import select

from backend.core.config import Settings
from backend.core.db import create_engine, create_sessionmaker
from backend.migrations.runner import alembic_config
from backend.orders.models import Order, OrderEvent
from backend.reports.rollups import milestones, stays
from tests.backend.factories import STAFF, create_order, create_product
from tests.backend.reports import dataset


async def _rollups(session, order_ids=None) -> tuple[list, list]:
    where = [] if order_ids is None else [stays.c.order_id.in_(order_ids)]
    stay_rows = (await session.execute(
        select(stays).where(*where).order_by(stays.c.order_id, stays.c.entered_at))).all()
    where = [] if order_ids is None else [milestones.c.order_id.in_(order_ids)]
    milestone_rows = (await session.execute(
        select(milestones).where(*where).order_by(milestones.c.order_id))).all()
    return stay_rows, milestone_rows


async def test_rollups_of_the_dataset(reports_app):
    async with reports_app.state.sessionmaker() as session:
        numbers = dict((await session.execute(
            select(Order.__table__.c.number, Order.__table__.c.id))).all())
        stay_rows, milestone_rows = await _rollups(session)
    o1 = [(r.state, round(r.hours, 6)) for r in stay_rows if r.order_id == numbers["O1"]]
    assert o1 == [("pending", 1.0), ("confirmed", 6.0), ("processing", 18.0), ("shipped", 48.0)]
    assert not [r for r in stay_rows if r.order_id == numbers["O7"]]  # still pending
    by_order = {r.order_id: r for r in milestone_rows}
    assert (round(by_order[numbers["O1"]].to_ship_hours, 6),
            round(by_order[numbers["O1"]].cycle_hours, 6)) == (24.0, 72.0)
    assert by_order[numbers["O6"]].to_ship_hours is None  # confirmed, not shipped yet
    assert numbers["O4"] not in by_order  # cancelled before confirmation
    assert str(by_order[numbers["O2"]].ordered_at) == str(dataset.at("11-02 12:00"))
    assert by_order[numbers["O2"]].channel == "web"


async def _move(client, number: str, status: str) -> None:
    body = {"status": status}
    if status == "shipped":
        body.update(carrier="DHL", tracking_number="TRK-1")
    response = await client.post(f"/api/v1/staff/orders/{number}/transition", headers=STAFF,
                                 json=body)
    assert response.status_code == 200, response.text


async def test_rollups_follow_status_changes(client, app):
    product = await create_product(client, stock=10)
    paths = [["confirmed", "processing", "shipped", "delivered"], ["confirmed", "cancelled"],
             ["cancelled"], []]
    numbers = []
    for path in paths:
        order = await create_order(client, f"api:{uuid.uuid4().hex}", (product["sku"], 1))
        numbers.append(order["number"])
        for status in path:
            await _move(client, order["number"], status)
    orders, events = Order.__table__, OrderEvent.__table__
    async with app.state.sessionmaker() as session:
        ids = [(await session.execute(select(orders.c.id).where(orders.c.number == n))).scalar()
               for n in numbers]
        times = {i: [t for (t,) in await session.execute(
            select(events.c.created_at).where(events.c.order_id == i)
            .order_by(events.c.created_at, events.c.id))] for i in ids}
        stay_rows, milestone_rows = await _rollups(session, ids)
    expected_stays = [(i, state, times[i][k], times[i][k + 1])
                      for i, path in zip(ids, paths) for k, state in
                      enumerate(["pending", *path][:len(path)])]
    assert [(r.order_id, r.state, r.entered_at, r.left_at) for r in stay_rows] == expected_stays
    shipped, cancelled_late = ids[0], ids[1]
    assert [(r.order_id, r.confirmed_at, r.shipped_at, r.delivered_at)
            for r in milestone_rows] == [
        (shipped, times[shipped][1], times[shipped][3], times[shipped][4]),
        (cancelled_late, times[cancelled_late][1], None, None)]
    state = (await client.get("/api/v1/staff/reports/fulfilment", headers=STAFF,
                              params={"group_by": "state", "sku": product["sku"]})).json()
    entered = {r["key"]: (r["entered"], r["left"]) for r in state["rows"]}
    assert entered == {"pending": (3, 3), "confirmed": (2, 2), "processing": (1, 1),
                       "shipped": (1, 1), "delivered": (1, 0), "cancelled": (2, 0)}


async def test_migration_0005_backfills_the_rollups(db_kind, databases):
    settings = Settings(_env_file=None, **databases.get(db_kind, "rollup-migration"))
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        await dataset.load(sessionmaker)  # rebuilds the rollups the way the app does
        async with sessionmaker() as session:
            built = await _rollups(session)
        config = alembic_config(settings)
        # In threads: Alembic's env.py runs its own event loop.
        await asyncio.to_thread(command.downgrade, config, "0004")
        await asyncio.to_thread(command.upgrade, config, "head")
        async with sessionmaker() as session:
            assert await _rollups(session) == built
        assert len(built[0]) == 24 and len(built[1]) == 6
    finally:
        await engine.dispose()
