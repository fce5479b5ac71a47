"""The privacy notice a client reads before consenting (app/data/privacy_notice.md), with its version.

The text names the practice from the settings: never a practice name or phone number of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Template

from app.errors import BackmapError
from app.resources import data_path

NOTICE_FILE = "privacy_notice.md"
FALLBACK_PRACTICE = "your massage therapist"
_VERSION_LINE = re.compile(r"^Notice version: (\S+)$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


@dataclass(frozen=True, slots=True)
class PrivacyNotice:
    version: str
    markdown: str  # the notice as shown, with the practice name filled in


def notice_version() -> str:
    """The current notice version (what a new consent records)."""
    return _parse_version(data_path(NOTICE_FILE).read_text(encoding="utf-8"))


def load_privacy_notice(practice_name: str) -> PrivacyNotice:
    """The notice for `practice_name` (from the settings; blank -> "your massage therapist")."""
    source = data_path(NOTICE_FILE).read_text(encoding="utf-8")
    name = practice_name.strip() or FALLBACK_PRACTICE
    # Escaped, so a name such as "Back_2_Health" shows as typed instead of turning into emphasis.
    body = Template(_COMMENT.sub("", source, count=1)).substitute(practice=_MARKDOWN_SPECIAL.sub(r"\\\1", name))
    return PrivacyNotice(version=_parse_version(source), markdown=body)


def _parse_version(source: str) -> str:
    found = _VERSION_LINE.search(source)
    if found is None:
        raise BackmapError(f"{NOTICE_FILE}: the line 'Notice version: ...' is missing")
    return found.group(1)
