"""The screening flags as the intake form shows them: a short label, protocol.toml's one-line explanation, and
whether the flag is local (takes a region and an onset date: DESIGN.md, "Safety").

protocol.toml is the authority for which flags exist and what they mean; only the checkbox labels live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.protocol import FLAG_IDS, Protocol


@dataclass(frozen=True, slots=True)
class FlagInfo:
    id: str
    label: str
    explanation: str
    local: bool = False


FLAG_LABELS: dict[str, str] = {
    "blood_thinners": "Takes blood thinners",
    "bleeding_disorder": "Bleeding disorder",
    "dvt_history": "Past blood clot (treated)",
    "dvt_current": "Swollen, painful or warm leg now",
    "dvt_chest_symptoms": "Swollen leg with breathlessness or chest pain",
    "pregnancy": "Pregnant",
    "pregnancy_high_risk": "High-risk pregnancy",
    "osteoporosis": "Osteoporosis",
    "fragility_fracture": "Broken bone from a small fall",
    "recent_injury": "Recent injury",
    "skin_condition": "Skin condition (not contagious)",
    "contagious_skin": "Contagious skin condition",
    "fever": "Fever or infection",
    "cancer_treatment": "Cancer treatment",
    "lymph_nodes_removed": "Lymph nodes removed (armpit)",
    "cauda_equina_signs": "Numbness between the legs or new bladder/bowel trouble",
    "red_flag_back_pain": "Back pain with a warning sign",
    "medical_condition": "Other medical condition",
}


def flag_infos(protocol: Protocol) -> tuple[FlagInfo, ...]:
    """The intake form's flags, in the controlled list's order."""
    return tuple(
        FlagInfo(flag_id, FLAG_LABELS[flag_id], protocol.flags[flag_id].explain, protocol.flags[flag_id].local)
        for flag_id in FLAG_IDS
    )
