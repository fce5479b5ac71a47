"""The controlled list of screening flag ids (DESIGN.md, "The client file"), in the intake form's order.

Defined once here, with no dependencies, so records and client files can check a flag without loading the
knowledge base; protocol.toml must give a rule for each of exactly these (its loader checks that).
"""

from __future__ import annotations

FLAG_IDS: tuple[str, ...] = (
    "blood_thinners",
    "bleeding_disorder",
    "dvt_history",
    "dvt_current",
    "dvt_chest_symptoms",
    "pregnancy",
    "pregnancy_high_risk",
    "osteoporosis",
    "fragility_fracture",
    "recent_injury",
    "skin_condition",
    "contagious_skin",
    "fever",
    "cancer_treatment",
    "lymph_nodes_removed",
    "cauda_equina_signs",
    "red_flag_back_pain",
    "medical_condition",
)
