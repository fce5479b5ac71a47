"""The screening flags as the intake form shows them: id, label, a one-line explanation, whether it is local.

DEFAULT_FLAGS mirrors the controlled list in DESIGN.md ("The client file"); the knowledge base
(app/data/protocol.toml) is the authority and can replace it once loaded. Local flags carry a region and an onset
date (DESIGN.md, "Safety").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FlagInfo:
    id: str
    label: str
    explanation: str
    local: bool = False


DEFAULT_FLAGS: tuple[FlagInfo, ...] = (
    FlagInfo(
        "blood_thinners",
        "Takes blood thinners",
        "Anticoagulant or antiplatelet medicine: bruises easily, so pressure is capped and the doctor clears it.",
    ),
    FlagInfo(
        "bleeding_disorder",
        "Bleeding disorder",
        "Such as haemophilia or a low platelet count: treated like blood thinners, with the doctor's clearance.",
    ),
    FlagInfo("dvt_history", "Past blood clot (treated)", "A deep vein thrombosis in the past that was treated."),
    FlagInfo(
        "dvt_current",
        "Current or suspected blood clot",
        "A deep vein thrombosis now or suspected (a swollen, painful, warm leg): no massage, refer to a doctor.",
    ),
    FlagInfo("pregnancy", "Pregnant", "The client lies on their side; gentle work on the lower back and sacrum."),
    FlagInfo(
        "pregnancy_high_risk",
        "High-risk pregnancy",
        "A pregnancy the midwife or doctor calls high-risk: their clearance comes first.",
    ),
    FlagInfo(
        "osteoporosis",
        "Osteoporosis",
        "Fragile bones: no tapotement, no pressing down on the ribs or the spine.",
    ),
    FlagInfo(
        "recent_injury",
        "Recent injury",
        "A strain, sprain, bruise or fall in the last weeks: no work on that spot while it is acute.",
        local=True,
    ),
    FlagInfo(
        "skin_condition",
        "Skin condition (not contagious)",
        "Such as eczema, psoriasis, a wound or a rash: the spot is left alone.",
        local=True,
    ),
    FlagInfo(
        "contagious_skin",
        "Contagious skin condition",
        "Such as ringworm, scabies, impetigo or cold sores: no massage until it has cleared.",
    ),
    FlagInfo("fever", "Fever or infection", "Feeling unwell with a fever or an infection today: no massage today."),
    FlagInfo(
        "cancer_treatment",
        "Cancer treatment",
        "Now or recently: gentle work, no tapotement; if the bones are involved, the doctor clears it.",
    ),
    FlagInfo(
        "red_flag_back_pain",
        "Back pain with a warning sign",
        "Numbness around the saddle area, a change in bladder or bowel, night pain, unexplained weight loss, "
        "or a history of cancer with new back pain: no massage, refer to a doctor.",
    ),
    FlagInfo(
        "medical_condition",
        "Other medical condition",
        "Anything else the client mentions: describe it below, then record a specific flag or a clearance.",
    ),
)
