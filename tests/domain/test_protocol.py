from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.protocol import (
    FLAG_IDS,
    MEDIUM_NAMES,
    TECHNIQUE_IDS,
    ProtocolError,
    load_protocol,
    parse_protocol,
    read_protocol,
)
from app.domain.region_specs import REGION_IDS
from app.errors import BackmapError
from app.resources import data_path

RAW: dict[str, Any] = tomllib.loads(data_path("protocol.toml").read_text(encoding="utf-8"))


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def test_the_bundled_protocol_covers_every_region_technique_flag_and_medium() -> None:
    protocol = load_protocol()
    assert protocol.version == "4"
    assert set(protocol.regions) == REGION_IDS
    assert set(protocol.techniques) == set(TECHNIQUE_IDS)
    assert tuple(protocol.flags) == FLAG_IDS
    assert {medium.name for medium in protocol.media} == set(MEDIUM_NAMES)
    assert load_protocol() is protocol  # cached


def test_every_entry_names_its_source() -> None:
    protocol = load_protocol()
    entries: list[Any] = [
        protocol.session,
        *protocol.techniques.values(),
        *protocol.regions.values(),
        *protocol.standing_rules,
        protocol.client_high_tension,
        *protocol.flags.values(),
        *protocol.media,
        *protocol.aftercare,
    ]
    for entry in entries:
        assert entry.source.strip(), entry


def test_the_design_rules_are_in_the_data() -> None:
    protocol = load_protocol()
    for bone in ("spine", "sacrum"):
        assert protocol.regions[bone].max_pressure == 0
        assert protocol.regions[bone].techniques == ()
    for side in ("l", "r"):
        assert protocol.regions[f"suboccipital_{side}"].max_pressure == 3
        for lumbar in ("paraspinal_lumbar", "lower_back", "lower_back_point"):
            region = protocol.regions[f"{lumbar}_{side}"]
            assert region.max_pressure <= 3
            assert "tapotement" not in region.techniques  # the kidney area
        for point in ("suboccipital", "scapula_edge", "lower_back_point"):
            assert protocol.regions[f"{point}_{side}"].hold_seconds == (10, 15)  # "10-15 seconds"
    assert protocol.techniques["effleurage"].repetitions == (5, 10)  # "Repeat 5-10 times"
    assert all(region.default_pressure <= 4 for region in protocol.regions.values())
    assert protocol.flags["recent_injury"].local
    assert protocol.flags["skin_condition"].local


def test_every_clearance_says_why_in_a_phrase_the_box_can_join() -> None:
    protocol = load_protocol()
    clearances = [rule for rule in protocol.flags.values() if rule.clearance]
    assert clearances
    for rule in clearances:
        why = rule.clearance_reason or ""
        assert re.fullmatch(r"(you|your) [a-z ]+", why), rule.id  # said after "because", joined with "and"
        assert "doctor" not in why, rule.id  # the box asks for the doctor; the phrase only says why
    assert not any(rule.clearance_reason for rule in protocol.flags.values() if not rule.clearance)


def test_no_lay_claims_and_none_of_the_seeds_practice_details() -> None:
    for path, text in _strings(RAW):
        lowered = text.lower()
        assert "toxin" not in lowered, path
        for detail in ("pierre", "082", "kleinmond"):
            assert detail not in lowered, path


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _append(path: tuple[str, ...], value: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path:
            target = target[key]
        target.append(value)

    return change


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (_set(("regions", "neck_l", "max_pressure"), 9), "regions.neck_l.max_pressure"),
        (_set(("regions", "neck_l", "default_pressure"), -1), "regions.neck_l.default_pressure"),
        (_set(("regions", "shoulder_l"), RAW["regions"]["neck_l"]), "regions.shoulder_l"),
        (_delete(("regions", "sacrum")), "regions.sacrum"),
        (_append(("regions", "neck_l", "techniques"), "cupping"), "regions.neck_l.techniques"),
        (_set(("regions", "suboccipital_l", "max_pressure"), 4), "regions.suboccipital_l.max_pressure"),
        (_append(("regions", "lower_back_l", "techniques"), "tapotement"), "regions.lower_back_l.techniques"),
        (_append(("regions", "spine", "techniques"), "effleurage"), "regions.spine.techniques"),
        (_set(("flags", "sunburn"), RAW["flags"]["fever"]), "flags.sunburn"),
        (_delete(("flags", "fever")), "flags.fever"),
        (_append(("flags", "pregnancy_high_risk", "implies"), "twins"), "flags.pregnancy_high_risk.implies"),
        (_set(("flags", "pregnancy", "region_caps"), {"hips": 2}), "flags.pregnancy.region_caps.hips"),
        (_set(("flags", "fever", "outcome"), "maybe"), "flags.fever.outcome"),
        (_delete(("flags", "fever", "refer")), "flags.fever.refer"),
        (_set(("flags", "blood_thinners", "cap"), 7), "flags.blood_thinners.cap"),
        # The handout's box names why the doctor is asked: every clearance says why, and only a clearance does.
        (_delete(("flags", "dvt_history", "clearance_reason")), "flags.dvt_history.clearance_reason"),
        (_set(("flags", "dvt_history", "clearance_reason"), " "), "flags.dvt_history.clearance_reason"),
        (_set(("flags", "pregnancy", "clearance_reason"), "you are pregnant"), "flags.pregnancy.clearance_reason"),
        (_delete(("techniques", "friction", "source")), "techniques.friction.source"),
        (_set(("techniques", "friction", "source"), "trust me"), "techniques.friction.source"),
        (_set(("techniques", "friction", "colour"), "red"), "techniques.friction.colour"),
        (
            _set(("techniques", "pressure_point_hold", "hold_seconds"), [15, 10]),
            "techniques.pressure_point_hold",
        ),
        (_append(("session", "order"), "reiki"), "session.order"),
        (_set(("media",), []), "media"),
        (_delete(("version",)), "version"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_key(change: Callable[[dict[str, Any]], None], key: str) -> None:
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(ProtocolError) as raised:
        parse_protocol(data)
    assert raised.value.key.startswith(key)
    assert key in str(raised.value)
    assert isinstance(raised.value, BackmapError)


def test_a_broken_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "protocol.toml"
    broken.write_text('version = "1"\n[regions\n', encoding="utf-8")
    with pytest.raises(ProtocolError, match="not valid TOML") as raised:
        read_protocol(broken)
    assert str(broken) in str(raised.value)
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_protocol(tmp_path / "missing.toml")


def test_another_file_can_be_loaded_by_path(tmp_path: Path) -> None:
    copy_path = tmp_path / "protocol.toml"
    copy_path.write_bytes(data_path("protocol.toml").read_bytes())
    assert load_protocol(copy_path).regions == load_protocol().regions
