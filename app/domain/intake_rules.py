"""The rules the client and intake forms check before they return a record: age, minors, dates, consent.

Each check returns a message for the person at the form (None when all is well), so the form can show it next
to the field; the records themselves still refuse impossible values (app.domain.records).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from app.domain.flag_info import FlagInfo

DATE_EXAMPLES = "1957-03-14 or 14/03/1957"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
SCREENING_RECHECK_DAYS = 90  # the practice can change it (File → Practice details)
ADULT_AGE = 18
OLDEST_AGE = 130  # older than this is a typing slip, not a client


def parse_date(text: str) -> dt.date | None:
    """A date as typed: 1957-03-14 (year first) or 14/03/1957 (day first, as on South African forms).

    None for anything else (a two-digit year, month first, a day that does not exist): the form says so rather
    than guess.
    """
    typed = text.strip()
    if match := _ISO_DATE.fullmatch(typed):
        year, month, day = match.groups()
    elif match := _DAY_MONTH_YEAR.fullmatch(typed):
        day, month, year = match.groups()
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def typed_date_problem(text: str, required: bool) -> str | None:
    """What is wrong with a typed date field's text, for the person at the form (None: empty and optional, or
    a date)."""
    if not text.strip():
        return "Enter the date." if required else None
    if parse_date(text) is None:
        return f"“{text.strip()}” is not a date: type it as {DATE_EXAMPLES}, or pick it from the calendar."
    return None


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years from `born` to `day` (a 29 February birthday counts from 1 March in other years)."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def is_minor(born: dt.date | None, day: dt.date) -> bool:
    """Under 18 on `day`; an unknown date of birth is not taken as a minor."""
    return born is not None and age_on(born, day) < ADULT_AGE


def birth_date_problem(born: dt.date | None, today: dt.date) -> str | None:
    if born is None:
        return None
    if born > today:
        return "The date of birth is in the future."
    if age_on(born, today) > OLDEST_AGE:
        return f"The date of birth makes the client older than {OLDEST_AGE}: check the year."
    return None


def screening_is_due(screened: dt.date, today: dt.date, recheck_days: int) -> bool:
    """A screening older than the practice's re-check age is gone through with the client again."""
    return (today - screened).days > recheck_days


def email_problem(email: str) -> str | None:
    """Only the shape that catches typing slips: one @ with something either side, no spaces."""
    text = email.strip()
    if not text:
        return None
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or any(ch.isspace() for ch in text):
        return "The email address should look like name@example.org."
    return None


def guardian_problem(minor: bool, consent_given: bool, guardian: str) -> str | None:
    """A minor's consent is given by a parent or guardian, who must be named."""
    if minor and consent_given and not guardian.strip():
        return "The client is under 18: enter the name of the parent or guardian who consents."
    return None


def flag_problem(
    info: FlagInfo,
    region: str | None,
    since: dt.date | None,
    intake_date: dt.date | None,
    settled: dt.date | None = None,
) -> str | None:
    """A local flag needs the region it concerns; neither its onset nor the day it settled can come after the
    screening (when its date is known), and it cannot settle before it began."""
    if info.local and region is None:
        return f"{info.label}: choose the region it concerns."
    if since is not None and intake_date is not None and since > intake_date:
        return f"{info.label}: the onset date is after the screening date."
    if settled is not None and intake_date is not None and settled > intake_date:
        return f"{info.label}: the date it settled is after the screening date."
    if settled is not None and since is not None and settled < since:
        return f"{info.label}: it settled before it began."
    return None


def clearance_problem(
    by: str, given: dt.date | None, expires: dt.date | None, intake_date: dt.date | None
) -> str | None:
    """Who gave it; given on or before the screening; not expiring before it was given (dates when known)."""
    if not by.strip():
        return "Clearance: say who gave it (e.g. Dr N. Example)."
    if given is None:
        return None
    if intake_date is not None and given > intake_date:
        return "Clearance: the date it was given is after the screening date."
    if expires is not None and expires < given:
        return "Clearance: it expires before it was given."
    return None


# Offered as one-click suggestions; any other allergy is typed. "nuts" covers almond oil (DESIGN.md, "Safety").
COMMON_ALLERGIES: tuple[str, ...] = ("nuts", "almond", "coconut", "jojoba", "fragrance", "lanolin")


def normalise_allergy(text: str) -> str:
    """One way to write an allergy, so the medium check finds it: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())
