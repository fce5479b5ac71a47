"""Review analytics on small histories whose numbers are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.analytics import (
    REGION_ORDER,
    AnalyticsError,
    MatrixLayer,
    PersistentRegion,
    RegionChange,
    TensionMatrix,
    back_mean,
    compare_sessions,
    heat_map,
    marks_feeling,
    most_improved,
    most_persistent,
    qualities_felt,
)
from app.domain.records import Mark, Session

SAST = dt.timezone(dt.timedelta(hours=2))
JAN_5, JAN_12, JAN_26 = dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 26)
NAN = np.nan


def session(session_id: str, day: dt.date, *marks: tuple[str, str, int], hour: int = 10) -> Session:
    return Session(
        id=session_id,
        start=dt.datetime.combine(day, dt.time(hour), SAST),
        marks=tuple(Mark(region, by, tension) for region, by, tension in marks),  # type: ignore[arg-type]
    )


# Days 0, 7 and 21. Effective layer (therapist wins):
#   trapezius_upper_l 6, 4, 2 · lower_back_r 7, 7, 7 · neck_l 0 (client), -, - · neck_r 2, -, 4
#   scapula_l -, 5, - · rhomboid_l -, -, 3
HISTORY = (
    session(
        "s1",
        JAN_5,
        ("trapezius_upper_l", "client", 8),
        ("trapezius_upper_l", "therapist", 6),
        ("lower_back_r", "therapist", 7),
        ("neck_l", "client", 0),
        ("neck_r", "therapist", 2),
    ),
    session(
        "s2",
        JAN_12,
        ("trapezius_upper_l", "therapist", 4),
        ("lower_back_r", "therapist", 7),
        ("lower_back_r", "client", 9),
        ("scapula_l", "client", 2),
        ("scapula_l", "therapist", 5),
    ),
    session(
        "s3",
        JAN_26,
        ("trapezius_upper_l", "therapist", 2),
        ("trapezius_upper_l", "client", 5),
        ("lower_back_r", "therapist", 7),
        ("rhomboid_l", "therapist", 3),
        ("neck_r", "therapist", 4),
    ),
)


def per_region(**values: float) -> np.ndarray:
    """A region-ordered array: NaN everywhere except the regions named."""
    array = np.full(len(REGION_ORDER), NAN)
    for region, value in values.items():
        array[REGION_ORDER.index(region)] = value
    return array


def matrix(layer: MatrixLayer = "effective", sessions: tuple[Session, ...] = HISTORY) -> TensionMatrix:
    return TensionMatrix.from_sessions(sessions, layer)


# --- the matrix --------------------------------------------------------------------------------------------


def test_the_matrix_keeps_not_assessed_apart_from_zero() -> None:
    built = matrix()
    assert built.session_ids == ("s1", "s2", "s3")
    assert built.dates == (JAN_5, JAN_12, JAN_26)
    assert built.regions == REGION_ORDER
    assert built.values.shape == (3, 24)
    np.testing.assert_array_equal(
        built.values[0],
        per_region(trapezius_upper_l=6, lower_back_r=7, neck_l=0, neck_r=2),  # neck_l: a real 0
    )
    assert np.isnan(built.values[1, REGION_ORDER.index("neck_l")])  # not assessed: NaN, not 0


@pytest.mark.parametrize(
    ("layer", "first_row"),
    [
        ("client", per_region(trapezius_upper_l=8, neck_l=0)),
        ("therapist", per_region(trapezius_upper_l=6, lower_back_r=7, neck_r=2)),
        ("effective", per_region(trapezius_upper_l=6, lower_back_r=7, neck_l=0, neck_r=2)),
    ],
)
def test_each_layer_reads_its_own_marks(layer: MatrixLayer, first_row: np.ndarray) -> None:
    np.testing.assert_array_equal(matrix(layer).values[0], first_row)


def test_an_unknown_layer_is_refused() -> None:
    with pytest.raises(AnalyticsError, match="layer: must be one of client, therapist, effective"):
        TensionMatrix.from_sessions(HISTORY, "both")  # type: ignore[arg-type]


def test_results_are_read_only() -> None:
    built = matrix()
    with pytest.raises(ValueError, match="read-only"):
        built.values[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        heat_map(built).mean[0] = 1.0


def test_sessions_out_of_order_are_refused_naming_them() -> None:
    with pytest.raises(AnalyticsError, match="oldest first: s1"):
        TensionMatrix.from_sessions((HISTORY[1], HISTORY[0]))


def test_local_dates_out_of_order_are_refused() -> None:
    # 23:30 at +00:00 on 5 January is later than 00:30 at +02:00 on 6 January, but its local date is earlier.
    late = Session(id="late", start=dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC))
    early = Session(id="early", start=dt.datetime(2026, 1, 6, 0, 30, tzinfo=SAST))
    with pytest.raises(AnalyticsError, match="dates must be oldest first"):
        TensionMatrix.from_sessions((early, late))


def test_an_empty_history_gives_empty_or_nan_results_everywhere() -> None:
    empty = matrix(sessions=())
    assert empty.values.shape == (0, 24)
    assert back_mean(empty).values.shape == (0,)
    heat = heat_map(empty)
    assert heat.session_count == 0
    assert np.isnan(heat.mean).all()
    assert np.isnan(heat.peak).all()
    assert most_improved(empty) == ()
    assert most_persistent(empty) == ()


def test_a_single_session_has_no_improvement_and_its_heat_map_is_itself() -> None:
    single = matrix(sessions=HISTORY[:1])
    heat = heat_map(single)
    np.testing.assert_array_equal(heat.mean, single.values[0])
    np.testing.assert_array_equal(heat.peak, single.values[0])
    assert most_improved(single) == ()


# --- trends ------------------------------------------------------------------------------------------------


def test_the_back_mean_counts_a_zero_but_not_a_missing_mark() -> None:
    np.testing.assert_allclose(back_mean(matrix()).values, [15 / 4, 16 / 3, 4.0], rtol=1e-12)
    # s1 (6 + 7 + 0 + 2) / 4; s2 (4 + 7 + 5) / 3; s3 (2 + 7 + 3 + 4) / 4
    np.testing.assert_array_equal(back_mean(matrix("client")).values, [4.0, 5.5, 5.0])
    unmarked = matrix(sessions=(session("x", JAN_5),))
    assert np.isnan(back_mean(unmarked).values[0])


def test_most_improved_is_the_largest_first_to_last_drop() -> None:
    assert most_improved(matrix()) == (
        RegionChange("trapezius_upper_l", first=6, last=2, drop=4, first_date=JAN_5, last_date=JAN_26),
    )  # neck_r got worse, lower_back_r stayed, the rest were assessed once
    assert most_improved(matrix("client"))[0].drop == 3


def test_improvement_ties_go_in_region_order() -> None:
    history = (
        session(
            "a",
            JAN_5,
            ("trapezius_upper_r", "therapist", 8),
            ("trapezius_upper_l", "therapist", 5),
            ("neck_r", "therapist", 6),
        ),
        session(
            "b",
            JAN_12,
            ("trapezius_upper_r", "therapist", 5),
            ("trapezius_upper_l", "therapist", 2),
            ("neck_r", "therapist", 3),
        ),
    )
    ranked = most_improved(matrix(sessions=history), count=2)
    assert [change.region for change in ranked] == ["neck_r", "trapezius_upper_l"]
    assert [change.drop for change in ranked] == [3, 3]


def test_most_persistent_stays_high_without_improving() -> None:
    persistent = most_persistent(matrix())
    assert persistent == (
        PersistentRegion("lower_back_r", high_sessions=3, assessed_sessions=3, mean=7.0, first=7, last=7),
    )  # trapezius_upper_l was high (>= 6) once only
    assert most_persistent(matrix("client")) == ()  # lower_back_r rated once by the client


def test_persistence_ranks_by_high_sessions_then_mean_then_region_order() -> None:
    tensions = {
        "lower_back_l": (7, 7, 7),  # 3 high sessions, mean 7
        "lower_back_r": (7, 7, 7),  # the same: region order puts it after lower_back_l
        "rhomboid_r": (7, 7, 6),  # 3 high, mean 20/3; a 1-point drop is not an improvement
        "scapula_l": (8, 8, 6),  # a 2-point drop is: not persistent
        "neck_l": (9, 9, 2),  # high twice, then much better: not persistent
        "neck_r": (5, 8, 8),  # high twice only, but it got worse
    }
    history = tuple(
        session(
            f"s{visit}",
            JAN_5 + dt.timedelta(days=7 * visit),
            *((region, "therapist", values[visit]) for region, values in tensions.items()),
        )
        for visit in range(3)
    )
    ranked = most_persistent(matrix(sessions=history), count=5)
    assert [entry.region for entry in ranked] == ["lower_back_l", "lower_back_r", "rhomboid_r", "neck_r"]
    assert ranked[2].mean == pytest.approx(20 / 3, rel=1e-12)
    assert [entry.region for entry in most_persistent(matrix(sessions=history), count=2)] == [
        "lower_back_l",
        "lower_back_r",
    ]


def test_heat_map_over_all_sessions() -> None:
    heat = heat_map(matrix())
    assert heat.session_count == 3
    np.testing.assert_array_equal(
        heat.mean,
        per_region(trapezius_upper_l=4, lower_back_r=7, neck_l=0, neck_r=3, scapula_l=5, rhomboid_l=3),
    )
    np.testing.assert_array_equal(
        heat.peak,
        per_region(trapezius_upper_l=6, lower_back_r=7, neck_l=0, neck_r=4, scapula_l=5, rhomboid_l=3),
    )
    assert heat.assessed_sessions[REGION_ORDER.index("trapezius_upper_l")] == 3
    assert heat.assessed_sessions[REGION_ORDER.index("spine")] == 0


def test_heat_map_of_the_client_layer() -> None:
    heat = heat_map(matrix("client"))
    np.testing.assert_array_equal(heat.mean, per_region(trapezius_upper_l=6.5, lower_back_r=9, neck_l=0, scapula_l=2))
    np.testing.assert_array_equal(heat.peak, per_region(trapezius_upper_l=8, lower_back_r=9, neck_l=0, scapula_l=2))


def test_heat_map_date_range_is_inclusive() -> None:
    heat = heat_map(matrix(), start=JAN_12, end=JAN_26)
    assert heat.session_count == 2
    assert (heat.start, heat.end) == (JAN_12, JAN_26)
    np.testing.assert_array_equal(
        heat.mean, per_region(trapezius_upper_l=3, lower_back_r=7, neck_r=4, scapula_l=5, rhomboid_l=3)
    )
    assert heat_map(matrix(), start=JAN_12, end=JAN_12).session_count == 1
    assert heat_map(matrix(), end=JAN_5).session_count == 1
    nothing = heat_map(matrix(), start=dt.date(2026, 2, 1))
    assert nothing.session_count == 0
    assert np.isnan(nothing.mean).all()


def test_a_backwards_date_range_is_refused() -> None:
    with pytest.raises(AnalyticsError, match="after the end"):
        heat_map(matrix(), start=JAN_26, end=JAN_5)


def test_comparing_two_sessions_region_by_region() -> None:
    comparison = compare_sessions(HISTORY[0], HISTORY[2])
    assert (comparison.before_id, comparison.after_id) == ("s1", "s3")
    assert comparison.regions_with("better") == ("trapezius_upper_l",)
    assert comparison.regions_with("worse") == ("neck_r",)
    assert comparison.regions_with("same") == ("lower_back_r",)
    assert comparison.change("neck_l") == "not_assessed"  # 0 before, nothing after
    assert comparison.change("rhomboid_l") == "not_assessed"  # nothing before, 3 after
    assert len(comparison.regions_with("not_assessed")) == 21
    index = REGION_ORDER.index("trapezius_upper_l")
    assert (comparison.before[index], comparison.after[index]) == (6.0, 2.0)


def test_comparing_the_client_layer() -> None:
    comparison = compare_sessions(HISTORY[0], HISTORY[2], layer="client")
    assert comparison.regions_with("better") == ("trapezius_upper_l",)  # 8 -> 5
    assert comparison.regions_with("worse") == ()
    assert comparison.regions_with("same") == ()


# --- properties --------------------------------------------------------------------------------------------

_LAYER_MARKS = st.dictionaries(st.sampled_from(REGION_ORDER), st.integers(0, 10), max_size=10)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Session, ...]:
    days = sorted(draw(st.lists(st.integers(0, 400), max_size=10)))
    sessions = []
    for number, day in enumerate(days):
        marks = [Mark(region, "client", tension) for region, tension in draw(_LAYER_MARKS).items()]
        marks += [Mark(region, "therapist", tension) for region, tension in draw(_LAYER_MARKS).items()]
        start = dt.datetime.combine(JAN_5 + dt.timedelta(days=day), dt.time(9 + number), SAST)
        sessions.append(Session(id=f"s{number}", start=start, marks=tuple(marks)))
    return tuple(sessions)


@given(histories(), st.sampled_from(("client", "therapist", "effective")))
def test_the_heat_map_lies_between_the_lowest_and_highest_assessed_value(
    history: tuple[Session, ...], layer: MatrixLayer
) -> None:
    built = matrix(layer, history)
    heat = heat_map(built)
    never = ~built.assessed.any(axis=0)
    assert (np.isnan(heat.mean) == never).all()
    assert (np.isnan(heat.peak) == never).all()
    seen = built.values[:, ~never]
    lowest = np.min(np.where(np.isnan(seen), np.inf, seen), axis=0, initial=np.inf)
    assert (lowest <= heat.mean[~never] + 1e-9).all()
    assert (heat.mean[~never] <= heat.peak[~never] + 1e-9).all()


@given(histories())
def test_the_effective_layer_is_the_records_effective_tension(
    history: tuple[Session, ...],
) -> None:
    built = matrix(sessions=history)
    for row, item in enumerate(history):
        assert {built.regions[col]: built.values[row, col] for col in np.flatnonzero(built.assessed[row])} == (
            item.effective_tension()
        )


def test_what_a_region_felt_like_keeps_the_clients_word_unless_the_therapist_names_another() -> None:
    felt = Session(
        id="s",
        start=dt.datetime.combine(JAN_5, dt.time(10), SAST),
        marks=(
            Mark("neck_l", "client", 5, quality="burning"),
            Mark("neck_l", "therapist", 6),
            Mark("neck_r", "client", 5, quality="burning"),
            Mark("neck_r", "therapist", 6, quality="sharp"),
            Mark("scapula_l", "therapist", 3),
        ),
    )
    assert qualities_felt(felt) == {"neck_l": "burning", "neck_r": "sharp"}


def test_numbness_over_time_is_the_trend_of_the_numb_marks_alone() -> None:
    sessions = [
        Session(
            "a",
            dt.datetime.combine(JAN_5, dt.time(10), SAST),
            marks=(Mark("lower_back_l", "client", 6, quality="numbness"),),
        ),
        Session("b", dt.datetime.combine(JAN_12, dt.time(10), SAST), marks=(Mark("lower_back_l", "client", 4),)),
        Session(
            "c",
            dt.datetime.combine(JAN_26, dt.time(10), SAST),
            marks=(Mark("lower_back_l", "client", 3, quality="numbness"),),
        ),
    ]
    matrix = TensionMatrix.from_sessions(marks_feeling(sessions, "numbness"), "client")
    column = matrix.values[:, matrix.regions.index("lower_back_l")]
    np.testing.assert_array_equal(column, [6, NAN, 3])  # the plain mark is a gap, never a zero
