"""Staff reports: one GET per metric family, as JSON, CSV or XLSX (docs/api.md, "Reports")."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from backend.api.deps import ReadSessionDep, SettingsDep, StaffDep
from backend.core.config import Settings
from backend.reports import (cancellations, conversations, exports, feedback, fulfilment, inventory,
                             sales, summary, support)
from backend.reports.filters import ReportFilters, build_filters
from backend.reports.result import Report

router = APIRouter(prefix="/staff/reports", tags=["staff reports"])
Builder = Callable[[Any, Settings, ReportFilters], Awaitable[Report]]


class ReportQuery(BaseModel):
    start: date | None = Field(default=None, description="first day (UTC), inclusive")
    end: date | None = Field(default=None, description="last day (UTC), inclusive; default today")
    channel: Literal["telegram", "slack", "web", "api"] | None = None
    category: str | None = Field(default=None, max_length=100)
    sku: str | None = Field(default=None, max_length=64)
    group_by: str | None = Field(default=None, max_length=20)
    format: Literal["json", "csv", "xlsx"] = "json"


class ReportPublic(BaseModel):
    report: str
    start: date
    end: date
    filters: dict[str, str | None]
    group_by: str
    currency: str
    totals: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str]


def _on_database(build) -> Builder:
    return lambda session, _settings, f: build(session, f)


REPORTS: dict[str, tuple[tuple[str, ...], Builder]] = {
    "summary": (summary.GROUPS, _on_database(summary.summary_report)),
    "sales": (sales.GROUPS, _on_database(sales.sales_report)),
    "fulfilment": (fulfilment.GROUPS, _on_database(fulfilment.fulfilment_report)),
    "cancellations-returns": (cancellations.GROUPS,
                              _on_database(cancellations.cancellations_report)),
    "inventory": (inventory.GROUPS, _on_database(inventory.inventory_report)),
    "feedback": (feedback.GROUPS, _on_database(feedback.feedback_report)),
    "tickets": (support.GROUPS, _on_database(support.tickets_report)),
    "conversations": (conversations.GROUPS, lambda _session, settings, f:
                      conversations.conversations_report(settings.tracker_store_url, f)),
}


def _render(report: Report, fmt: str, currency: str) -> Response | dict:
    if fmt == "json":
        return report.as_dict(currency)
    body, media = ((exports.to_csv(report), exports.CSV_TYPE) if fmt == "csv"
                   else (exports.to_xlsx(report), exports.XLSX_TYPE))
    disposition = f'attachment; filename="{exports.filename(report, fmt)}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _add_route(name: str, groups: tuple[str, ...], build: Builder) -> None:
    async def read_report(session: ReadSessionDep, settings: SettingsDep, _staff: StaffDep,
                          query: Annotated[ReportQuery, Query()]) -> Response | dict:
        filters = build_filters(start=query.start, end=query.end, channel=query.channel,
                                category=query.category, sku=query.sku,
                                group_by=query.group_by, allowed_groups=groups)
        report = await build(session, settings, filters)
        return _render(report, query.format, settings.CURRENCY)

    route_name = f"read_{name.replace('-', '_')}_report"
    read_report.__name__ = route_name
    router.add_api_route(
        f"/{name}", read_report, methods=["GET"], name=route_name,
        response_model=ReportPublic, summary=f"{name} report",
        description=f"group_by: {', '.join(groups)} (default {groups[0]}). "
                    "format=csv|xlsx answers an attachment.",
        responses={200: {"content": {exports.CSV_TYPE: {}, exports.XLSX_TYPE: {}}}})


for _name, (_groups, _build) in REPORTS.items():
    _add_route(_name, _groups, _build)
