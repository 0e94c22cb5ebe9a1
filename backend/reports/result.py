"""The one shape every report has, and the helpers that fill it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.reports.filters import ReportFilters, period_keys


@dataclass
class Report:
    name: str
    filters: ReportFilters
    totals: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self, currency: str) -> dict[str, Any]:
        return {"report": self.name, "start": self.filters.start.isoformat(),
                "end": self.filters.end.isoformat(), "filters": self.filters.as_dict(),
                "group_by": self.filters.group_by, "currency": currency,
                "totals": self.totals, "columns": self.columns, "rows": self.rows,
                "notes": self.notes}


def key_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def arrange(f: ReportFilters, by_key: dict[str, dict], empty: dict[str, Any],
            order: str | None = None) -> list[dict]:
    """Rows in display order: every period for day/week (zeros where nothing happened),
    otherwise by `order` descending (then key)."""
    if f.group_by == "none":
        return []
    if f.group_by in ("day", "week"):
        return [{"key": k, **by_key.get(k, empty)} for k in period_keys(f)]
    rows = [{"key": k, **values} for k, values in by_key.items()]
    rows.sort(key=lambda r: r["key"])
    if order:
        rows.sort(key=lambda r: -(r.get(order) or 0))
    return rows
