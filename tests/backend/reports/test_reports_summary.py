"""KPI tiles, exports, access and validation, and the daily summary job."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import openpyxl
import pytest
from sqlalchemy import select

from backend.outbox.models import Notification
from backend.reports import exports
from backend.reports.daily_summary import enqueue_daily_summary
from backend.reports.filters import ReportFilters
from backend.reports.result import Report
from tests.backend.reports.conftest import get_report
from tests.backend.reports.dataset import RANGE

SUMMARY = {"orders": 6, "revenue_minor": 9500, "aov_minor": 2375, "cancellation_rate": 0.3333,
           "return_rate": 0.3333, "csat": 0.5, "fill_rate": 0.875, "open_tickets": 2,
           "low_stock": 2}


async def test_summary_tiles(reports):
    assert (await get_report(reports, "summary"))["totals"] == SUMMARY


async def test_summary_by_day(reports):
    rows = {r["key"]: r for r in (await get_report(reports, "summary", group_by="day"))["rows"]}
    assert rows["2026-11-02"] == {"key": "2026-11-02", "orders": 2, "revenue_minor": 4500,
                                  "aov_minor": 2250, "cancellation_rate": 0.0,
                                  "return_rate": 0.0, "csat": None, "fill_rate": 1.0}
    assert rows["2026-11-03"]["fill_rate"] == 0.0 and rows["2026-11-03"]["csat"] == 1.0


async def test_csv_export_parses_back(reports):
    response = await reports.get("/api/v1/staff/reports/sales",
                                 params={**RANGE, "group_by": "product", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == \
        'attachment; filename="sales_2026-11-02_2026-11-08.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0] == {"key": "MUG-2", "name": "Red Mug", "orders": "2", "units": "3",
                       "revenue_minor": "4500", "aov_minor": "2250"}
    assert len(rows) == 3


async def test_csv_export_of_totals_is_one_row(reports):
    response = await reports.get("/api/v1/staff/reports/summary",
                                 params={**RANGE, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [{k: str(v) for k, v in SUMMARY.items()}]


async def test_xlsx_export_parses_back(reports):
    response = await reports.get("/api/v1/staff/reports/feedback",
                                 params={**RANGE, "group_by": "rating", "format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('feedback_2026-11-02_2026-11-08.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["rows"].iter_rows(values_only=True))
    assert rows[0] == ("key", "responses", "share")
    assert rows[1] == ("1", 1, 0.25) and len(rows) == 6
    totals = dict(list(book["totals"].iter_rows(values_only=True))[1:])
    assert totals["csat"] == 0.5 and totals["responses"] == 4


@pytest.mark.parametrize("name", ["summary", "sales", "fulfilment", "cancellations-returns",
                                  "inventory", "feedback", "tickets", "conversations"])
async def test_reports_refuse_without_staff_key(reports, name):
    url = f"/api/v1/staff/reports/{name}"
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong-token"}):
        response = await reports.get(url, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("params", [
    {"start": "2026-11-08", "end": "2026-11-02"},   # start after end
    {"start": "2020-01-01", "end": "2026-11-02"},   # too long
    {"start": "2026-02-30"},                        # not a date
    {"group_by": "product"},                        # not for tickets
    {"channel": "fax"},
    {"format": "pdf"},
])
async def test_reports_reject_bad_slices_with_problem(reports, params):
    response = await reports.get("/api/v1/staff/reports/tickets", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "validation_error"


async def test_conversations_without_tracker_store_are_zero_with_a_note(reports_app, reports,
                                                                       tmp_path):
    settings = reports_app.state.settings
    saved = settings.RASA_TRACKER_DB
    settings.RASA_TRACKER_DB = tmp_path / "missing.db"
    try:
        body = await get_report(reports, "conversations", group_by="day")
    finally:
        settings.RASA_TRACKER_DB = saved
    assert body["totals"]["conversations"] == 0 and body["totals"]["containment_rate"] is None
    assert body["notes"] and "tracker store not found" in body["notes"][0]
    assert all(r["conversations"] == 0 for r in body["rows"])
    assert not (tmp_path / "missing.db").exists()  # read-only: never created


async def test_daily_summary_enqueues_once(reports_app):
    sessionmaker = reports_app.state.sessionmaker
    now = datetime(2026, 11, 3, 6, 0, tzinfo=timezone.utc)  # summarises Mon 2 Nov
    async with sessionmaker() as session, session.begin():
        assert await enqueue_daily_summary(session, reports_app.state.settings, now) is True
    async with sessionmaker() as session, session.begin():
        assert await enqueue_daily_summary(session, reports_app.state.settings, now) is False
    async with sessionmaker() as session:
        rows = (await session.execute(select(Notification).where(
            Notification.dedupe_key == "daily_summary:2026-11-02"))).scalars().all()
    assert len(rows) == 1 and rows[0].kind == "staff_daily_summary"
    assert rows[0].channel == "staff"
    assert rows[0].payload["text"] == (
        "Daily summary for Mon 02 Nov 2026: 2 orders, revenue 45.00 EUR (average order "
        "22.50 EUR), cancellations 0%, CSAT n/a, 2 products low on stock, 2 open tickets.")


def test_exports_neutralise_formulas_and_control_characters():


    report = Report("sales", ReportFilters(start=date(2026, 11, 2), end=date(2026, 11, 8),
                                           group_by="category"),
                    {"orders": 1}, ["key", "orders"], [{"key": "=HYPERLINK(\x01\"x\")",
                                                        "orders": 1}])
    assert exports.to_csv(report).decode().splitlines()[1] == '"\'=HYPERLINK(\x01""x"")",1'
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(report)), read_only=True)
    assert list(book["rows"].iter_rows(values_only=True))[1] == ("'=HYPERLINK(\"x\")", 1)
