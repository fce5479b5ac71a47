"""Small pieces of plain English the client reads: dates, lists of places, day counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: dt.date) -> str:
    """ "5 March 2026", in English whatever the machine's locale (the rest of the plan is English too)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def joined(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def is_or_are(items: Sequence[str]) -> str:
    return "is" if len(items) == 1 else "are"


def days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def capitalised(text: str) -> str:
    """`text` with its first letter a capital, the rest as it is, to start a sentence ("The top of your …")."""
    return text[:1].upper() + text[1:]
