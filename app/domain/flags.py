"""The controlled list of screening flag ids (DESIGN.md, "The client file").

DESIGN.md says the list lives in protocol.toml; until that file exists on this branch the ids are defined once
here, in DESIGN.md's order, and the lead reconciles the two when protocol.toml lands.
"""

from __future__ import annotations

FLAG_IDS: tuple[str, ...] = (
    "blood_thinners",
    "bleeding_disorder",
    "dvt_history",
    "dvt_current",
    "pregnancy",
    "pregnancy_high_risk",
    "osteoporosis",
    "recent_injury",
    "skin_condition",
    "contagious_skin",
    "fever",
    "cancer_treatment",
    "red_flag_back_pain",
    "medical_condition",
)
