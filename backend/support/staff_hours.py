"""When staff answer handed-off conversations: "mon-fri 09:00-18:00, sat 10:00-14:00" in a
time zone. Pure functions; the settings validate STAFF_HOURS with parse_hours at start-up."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
                   r"(?P<opens>\d{1,2}:\d{2})-(?P<closes>\d{1,2}:\d{2})$")


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 = Monday
    opens: int  # minutes after midnight
    closes: int  # up to 24 * 60


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours * 60 + minutes > 24 * 60:
        raise ValueError(f"not a time of day: {text!r}")
    return hours * 60 + minutes


def parse_hours(spec: str) -> list[Window]:
    """Comma-separated "<day>[-<day>] HH:MM-HH:MM" parts; an empty spec means never staffed."""
    windows = []
    for part in filter(None, (p.strip().lower() for p in spec.split(","))):
        match = _PART.match(part)
        if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
            raise ValueError(f"staff hours part {part!r} is not like 'mon-fri 09:00-18:00'")
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] else first
        opens, closes = _minutes(match["opens"]), _minutes(match["closes"])
        if opens >= closes:
            raise ValueError(f"staff hours part {part!r} closes before it opens")
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        windows += [Window(day, opens, closes) for day in days]
    return windows


@dataclass(frozen=True)
class StaffHours:
    windows: list[Window]
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings) -> StaffHours:
        return cls(parse_hours(settings.STAFF_HOURS), ZoneInfo(settings.STAFF_TIMEZONE))

    def is_open(self, now: datetime | None = None) -> bool:
        local = self._local(now)
        minute = local.hour * 60 + local.minute
        return any(w.weekday == local.weekday() and w.opens <= minute < w.closes
                   for w in self.windows)

    def next_opening(self, now: datetime | None = None) -> datetime | None:
        """The next time staff are in (local time of the staff zone), or None if never."""
        local = self._local(now)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for window in sorted(self.windows, key=lambda w: w.opens):
                if window.weekday != day.weekday():
                    continue
                start = datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(
                    minutes=window.opens)
                if start > local:
                    return start
        return None

    def _local(self, now: datetime | None) -> datetime:
        return (now or datetime.now(timezone.utc)).astimezone(self.zone)
