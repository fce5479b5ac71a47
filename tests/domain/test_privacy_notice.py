from __future__ import annotations

import re

from app.domain.privacy_notice import FALLBACK_PRACTICE, load_privacy_notice, notice_version

SECTIONS = (
    "What is recorded",
    "Why it is recorded",
    "Where it is kept",
    "Who can see it",
    "How long it is kept",
    "Your rights",
)


def test_the_notice_has_its_sections_version_and_the_practice_from_the_settings() -> None:
    notice = load_privacy_notice("Harbour Bodywork")
    assert notice.version == notice_version() == "1"
    for section in SECTIONS:
        assert f"## {section}" in notice.markdown
    for right in ("Access", "Correction", "Deletion", "Objection", "Complaint"):
        assert f"**{right}**" in notice.markdown
    assert "Information Regulator of South Africa" in notice.markdown
    assert "GDPR" in notice.markdown
    assert "HIPAA" in notice.markdown
    assert "Only on this computer" in notice.markdown
    assert "Harbour Bodywork" in notice.markdown
    assert "$practice" not in notice.markdown
    assert "<!--" not in notice.markdown  # the maintainers' comment is not shown


def test_the_notice_names_no_practice_or_phone_number_of_its_own() -> None:
    notice = load_privacy_notice("")
    assert FALLBACK_PRACTICE in notice.markdown
    assert re.search(r"\d{3}[ -]?\d{3}[ -]?\d{4}", notice.markdown) is None


def test_a_practice_name_shows_as_typed_not_as_markdown() -> None:
    notice = load_privacy_notice("Back_2_Health *Studio*")
    assert r"Back\_2\_Health \*Studio\*" in notice.markdown
