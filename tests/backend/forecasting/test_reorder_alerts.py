"""The notifier's low-stock scan alerts at the forecast reorder point, not only below the fixed
threshold: on the demo shop every SKU the reorder suggestions list gets one staff alert."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.core.base import utcnow
from backend.notifications import scans, wording
from backend.notifications.reorder_watch import ReorderPoints, reorder_points
from backend.outbox.models import Notification


@pytest.fixture(autouse=True)
def fresh_reorder_points():
    """The notifier caches one fit per process; here one process tests two databases (SQLite and
    PostgreSQL), and a fit of the one must not stand for the other."""
    reorder_points.points, reorder_points.fitted_at = {}, None
    yield
    reorder_points.points, reorder_points.fitted_at = {}, None


async def run_job(app, job):
    async with app.state.sessionmaker() as session, session.begin():
        return await job(session, app.state.settings, utcnow())


async def test_reorder_points_match_the_staff_forecasts(demo_app, staff):
    points = ReorderPoints()
    async with demo_app.state.sessionmaker() as session:
        assert await points.refresh(session, demo_app.state.settings, utcnow()) == 37
        # Fresh: a second pass does not refit.
        assert await points.refresh(session, demo_app.state.settings, utcnow()) == 0
    body = (await staff.get("/api/v1/staff/forecasts")).json()
    for row in body["data"]:
        assert points.get(row["sku"]) == pytest.approx(row["reorder_point"], abs=0.01), row["sku"]


async def test_low_stock_scan_alerts_every_sku_at_its_reorder_point(demo_app, staff):
    await run_job(demo_app, scans.refresh_reorder_points)
    await run_job(demo_app, scans.enqueue_low_stock_alerts)
    suggestions = (await staff.get("/api/v1/staff/reorder-suggestions")).json()["data"]
    assert suggestions
    async with demo_app.state.sessionmaker() as session:
        alerts = {row.payload["sku"]: row for row in (await session.execute(
            select(Notification).where(Notification.kind == "staff_low_stock"))).scalars()}
    for row in suggestions:
        alert = alerts[row["sku"]]
        assert alert.payload["reorder_point"] == pytest.approx(row["reorder_point"], abs=0.01)
        text = wording.staff_text(alert.kind, alert.payload)
        if row["available"] >= row["low_stock_threshold"]:  # the forecast alone made it low
            assert "forecast reorder point" in text and "threshold" not in text, text
