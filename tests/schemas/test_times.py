"""Times stored in UTC whatever the database answers; days typed as people here write them."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from schemas.times import as_utc, parse_day


def test_a_time_from_either_database_is_utc():
    assert as_utc(datetime(2026, 12, 4, 8, 0)) == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    hanoi = datetime(2026, 12, 4, 15, 0, tzinfo=timezone(timedelta(hours=7)))  # PostgreSQL in its session's zone
    converted = as_utc(hanoi)
    assert converted.utcoffset() == timedelta(0) and converted == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_days_are_read_as_written_here_or_in_iso_form():
    for typed in ("15/04/2024", "2024-04-15", "15-04-2024", " 15/04/2024 "):
        assert parse_day(typed) == date(2024, 4, 15)
    assert parse_day("") is None and parse_day(None) is None
    for wrong in ("04/15/2024", "2024-13-01", "hôm qua"):
        with pytest.raises(ValueError, match="15/04/2024 or 2024-04-15"):
            parse_day(wrong)
