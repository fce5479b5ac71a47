"""Dates and times as the therapist reads them on screen: "Friday 20 November 2026, 10:00", local time.

English names spelled out here, not strftime's: Qt sets the C locale from the environment, and the rest of the
screen is English. No message shows an ISO timestamp.
"""

from __future__ import annotations

import datetime as dt

from app.domain.plain_words import MONTHS

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_text(day: dt.date) -> str:
    """'Friday 20 November 2026'."""
    return f"{_DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def moment_text(moment: dt.datetime) -> str:
    """'Friday 20 November 2026, 10:00' in this computer's time zone."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return f"{day_text(local.date())}, {local:%H:%M}"


def short_moment_text(moment: dt.datetime) -> str:
    """'20 Nov 2026 10:00' in this computer's time zone (a table's column)."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return f"{local.day:02d} {MONTHS[local.month - 1][:3]} {local.year} {local:%H:%M}"


def days_ago_text(day: dt.date, today: dt.date) -> str:
    """'today', 'yesterday', '7 days ago'."""
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago" if days > 1 else f"in {-days} days"
