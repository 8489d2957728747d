"""Times and days as sohoa keeps and reads them: stored in UTC, typed and shown in Vietnam's days.

One of each: `as_utc` for a time read back from either database, `parse_day` for a day a person types
(15/04/2024 as written here, or 2024-04-15), and `VIETNAM`, the zone whose midnight starts a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_LAYOUTS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


def as_utc(moment: datetime) -> datetime:
    """Naive times (SQLite's) are UTC; aware ones (PostgreSQL answers in its session's zone) are converted."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_day(value: str | None) -> date | None:
    """A day as people write it here (15/04/2024) or in ISO form (2024-04-15); None when empty.

    Raises ValueError, with the two accepted forms, for anything else.
    """
    value = (value or "").strip()
    if not value:
        return None
    for layout in DAY_LAYOUTS:
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r} (write 15/04/2024 or 2024-04-15)")
