"""The oil or lotion for a client's allergies (protocol.toml, "media").

An allergy is matched by whole words, so "jojoba (rash last time)" names jojoba and "walnuts" names walnut, and a
word ending in "nut" (walnut, hazelnut, "tree nuts") also counts as a nut. An allergy that names no ingredient we
know is never claimed to be avoided: only a pure oil (one ingredient) may be used, and the client reads that the
therapist checks its label for that allergy first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.plain_words import joined
from app.domain.protocol import Medium, Protocol

_WORD = re.compile(r"[^\W\d_]+")
_NUT = "nut"


@dataclass(frozen=True, slots=True)
class MediumChoice:
    name: str
    why: str  # for the client


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def allergy_words(allergy: str) -> tuple[str, ...]:
    """The allergy's words, lower case and singular ("Tree Nuts (hives)" -> tree, nut, hive)."""
    return tuple(_singular(word) for word in _WORD.findall(allergy.casefold()))


def names_allergen(allergy: str, allergen: str) -> bool:
    """Whether the allergy text names `allergen` (one or more words) as whole words."""
    words = allergy_words(allergy)
    wanted = allergen.split()
    if wanted == [_NUT] and any(word.endswith(_NUT) for word in words):
        return True
    return any(list(words[i : i + len(wanted)]) == wanted for i in range(len(words) - len(wanted) + 1))


def clashes(allergy: str, medium: Medium) -> bool:
    return any(names_allergen(allergy, allergen) for allergen in medium.allergens)


def choose_medium(allergies: tuple[str, ...], protocol: Protocol) -> tuple[MediumChoice, tuple[str, ...]]:
    """The first medium in the protocol's order that fits, and notes for the therapist."""
    listed = [allergy.strip() for allergy in allergies if allergy.strip()]
    unknown = [allergy for allergy in listed if not any(clashes(allergy, medium) for medium in protocol.media)]
    notes = tuple(
        f"Allergy to {allergy!r} is on no ingredient list here: check the label of the oil or lotion before use."
        for allergy in unknown
    )
    skipped_unsure = False
    for medium in protocol.media:
        if any(clashes(allergy, medium) for allergy in listed):
            continue
        if unknown and medium.name != "none" and not medium.pure:
            skipped_unsure = True  # a lotion's ingredients are not ours to vouch for
            continue
        return MediumChoice(medium.name, _why(medium, listed, unknown, skipped_unsure)), notes
    raise AssertionError("protocol.media ends with 'none', which has no allergens")  # checked on loading


def _why(medium: Medium, listed: list[str], unknown: list[str], skipped_unsure: bool) -> str:
    check = f"Your therapist checks the label for {joined(unknown)} before using anything." if unknown else ""
    if medium.name == "none":
        if skipped_unsure:
            return f"No oil or lotion today, to be safe with your allergies. {check}"
        return f"No oil or lotion: each one we use has something you are allergic to. {check}".strip()
    if not listed:
        return "You have no allergies on record. Please tell your therapist if that has changed."
    if unknown:
        return f"A pure oil with a single ingredient. {check}"
    return "It has nothing in it that you told us you are allergic to."
