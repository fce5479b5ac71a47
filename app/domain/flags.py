"""The controlled list of screening flag ids (DESIGN.md, "The client file"), in DESIGN.md's order.

Defined once here, with no dependencies, so records and client files can check a flag without loading the
knowledge base; protocol.toml must give a rule for each of exactly these (its loader checks that).
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
