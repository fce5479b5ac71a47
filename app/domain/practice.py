"""The practice's own details printed on a client's plan (the UI fills them from QSettings).

Every field starts empty: the app never ships a practice name or phone number of its own (DESIGN.md,
"Privacy": the seeds' practice must not appear in the app or its output).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PracticeSettings:
    therapist_name: str = ""
    practice_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    next_visit: str = ""  # printed on plans: "We suggest your next visit in …", e.g. "two to three weeks"

    def contact_line(self) -> str:
        """Who to contact, on one line ("Sam Example · Quiet Hands · 021 000 0000"); "" when unset."""
        parts = (self.therapist_name, self.practice_name, self.phone, self.email, self.address)
        return " · ".join(part.strip() for part in parts if part.strip())
