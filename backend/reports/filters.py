"""The slice every report is asked for: a date range, optional channel/category/SKU and a grouping."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from backend.errors import InvalidRequest

MAX_RANGE_DAYS = 1096
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date  # inclusive
    channel: str | None = None
    category: str | None = None
    sku: str | None = None
    group_by: str = "none"

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.utc)

    @property
    def end_before(self) -> datetime:
        """Exclusive upper bound: midnight after `end`."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_product(self) -> bool:
        """Line-level metrics: a product filter or a product grouping."""
        return bool(self.sku or self.category) or self.group_by in ("product", "category")

    def as_dict(self) -> dict:
        return {"channel": self.channel, "category": self.category, "sku": self.sku}


def build_filters(*, start: date | None, end: date | None, channel: str | None,
                  category: str | None, sku: str | None, group_by: str | None,
                  allowed_groups: tuple[str, ...], today: date | None = None) -> ReportFilters:
    """Validates the request's slice; the first of `allowed_groups` is the default grouping."""
    today = today or datetime.now(timezone.utc).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        raise InvalidRequest(f"start ({start}) must not be after end ({end}).",
                             errors=[{"field": "start", "message": "after end"}])
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRequest(f"A report covers at most {MAX_RANGE_DAYS} days.",
                             errors=[{"field": "end", "message": "range too long"}])
    group_by = group_by or allowed_groups[0]
    if group_by not in allowed_groups:
        raise InvalidRequest(
            f"group_by '{group_by}' is not available here; use one of {', '.join(allowed_groups)}.",
            errors=[{"field": "group_by", "message": "not available for this report"}])
    return ReportFilters(start=start, end=end, channel=channel, category=category or None,
                         sku=sku or None, group_by=group_by)


def period_keys(filters: ReportFilters) -> list[str]:
    """Every day (or ISO-week Monday) of the range, so charts get their zero days too."""
    if filters.group_by == "day":
        return [(filters.start + timedelta(days=i)).isoformat() for i in range(filters.days)]
    first = filters.start - timedelta(days=filters.start.weekday())
    weeks = (filters.end - first).days // 7 + 1
    return [(first + timedelta(weeks=i)).isoformat() for i in range(weeks)]
