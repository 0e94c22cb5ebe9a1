"""Staff hours: parsing STAFF_HOURS, open now or not, the next opening."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.support.staff_hours import StaffHours, Window, parse_hours

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = StaffHours(parse_hours("mon-fri 09:00-18:00, sat 10:00-14:00"), BERLIN)


def test_parse_hours_ranges_and_single_days():
    windows = parse_hours("mon-fri 09:00-18:00, sat 10:00-14:00")
    assert len(windows) == 6 and windows[-1] == Window(5, 600, 840)


def test_parse_hours_wraps_around_the_week_and_allows_midnight():
    assert [w.weekday for w in parse_hours("sat-mon 00:00-24:00")] == [5, 6, 0]


def test_parse_hours_empty_means_never():
    assert parse_hours("") == [] and StaffHours([], BERLIN).next_opening() is None


@pytest.mark.parametrize("spec", ["weekdays 9-5", "mon-fri 18:00-09:00", "fri 09:00-25:00",
                                  "xyz 09:00-10:00"])
def test_parse_hours_rejects_unreadable(spec):
    with pytest.raises(ValueError):
        parse_hours(spec)


def test_staff_hours_open_in_the_staff_time_zone():
    # Wednesday 2026-11-25 08:30 UTC is 09:30 in Berlin (UTC+1 in winter).
    assert HOURS.is_open(datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc))
    assert not HOURS.is_open(datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc))


def test_staff_hours_next_opening_skips_sunday():
    saturday_evening = datetime(2026, 11, 28, 15, 0, tzinfo=BERLIN)
    assert HOURS.next_opening(saturday_evening) == datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)


def test_staff_hours_next_opening_later_today():
    early = datetime(2026, 11, 28, 8, 0, tzinfo=BERLIN)
    assert HOURS.next_opening(early) == datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)


def test_settings_reject_bad_staff_hours():
    from backend.core.config import Settings
    with pytest.raises(ValueError):
        Settings(STAFF_HOURS="always")
    with pytest.raises(ValueError):
        Settings(STAFF_TIMEZONE="Mars/Olympus")
