"""Satisfaction statistics: checked against statsmodels, hand-worked cases and the official tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from analysis.satisfaction import (
    SIPAS_ELEMENTS,
    is_satisfied,
    monthly_trend,
    qd766_rate,
    sipas_from_counts,
    sipas_from_responses,
    summarise_counts,
    summarise_ratings,
    target_status,
    tt01_band,
    tt01_citizen_indicators,
    tt01_indicator_score,
    tt01_office_band,
    two_proportion_test,
    wilson_interval,
)


@st.composite
def counts(draw: st.DrawFn, max_n: int = 20_000) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=max_n))
    return draw(st.integers(min_value=0, max_value=n)), n


# --- Wilson interval ---------------------------------------------------------------------------------------


@settings(max_examples=400)
@given(counts(), st.floats(min_value=0.5, max_value=0.999))
def test_wilson_interval_equals_statsmodels(successes_n: tuple[int, int], confidence: float) -> None:
    successes, n = successes_n
    expected = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert wilson_interval(successes, n, confidence) == pytest.approx(expected, abs=1e-9, rel=0)


@given(counts())
def test_wilson_interval_holds_the_share_inside_0_1(successes_n: tuple[int, int]) -> None:
    successes, n = successes_n
    low, high = wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0


@given(counts(max_n=2_000), st.integers(min_value=2, max_value=50))
def test_wilson_interval_narrows_as_n_grows_at_a_fixed_share(successes_n: tuple[int, int], factor: int) -> None:
    successes, n = successes_n
    low, high = wilson_interval(successes, n)
    more_low, more_high = wilson_interval(successes * factor, n * factor)
    assert more_high - more_low < high - low


def test_wilson_interval_known_value() -> None:
    # 45 of 50 satisfied: a share of exactly the target whose interval straddles it.
    low, high = wilson_interval(45, 50)
    assert low == pytest.approx(0.7864, abs=1e-4)
    assert high == pytest.approx(0.9565, abs=1e-4)


def test_wilson_interval_with_no_answers_is_the_whole_range() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(0, -1, 0.95), (-1, 5, 0.95), (6, 5, 0.95), (1, 5, 0.0), (1, 5, 1.0), (1, 5, 1.5), (1, 5, math.nan)],
)
def test_wilson_interval_rejects_bad_values(successes: int, n: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence)


@pytest.mark.parametrize(("successes", "n"), [(1.0, 5), (1, 5.5), (True, 5), ("1", 5)])
def test_wilson_interval_rejects_non_integer_counts(successes: object, n: object) -> None:
    with pytest.raises(TypeError):
        wilson_interval(successes, n)  # type: ignore[arg-type]


# --- target status and summaries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "ci_low", "ci_high", "expected"),
    [
        (29, 0.95, 0.99, "too_few"),
        (30, 0.90, 0.99, "met"),
        (30, 0.80, 0.8999, "not_met"),
        (30, 0.85, 0.90, "cant_tell"),
        (1000, 0.899999, 0.95, "cant_tell"),
    ],
)
def test_target_status_rules(n: int, ci_low: float, ci_high: float, expected: str) -> None:
    assert target_status(n, ci_low, ci_high) == expected


def test_target_status_takes_target_and_minimum_as_parameters() -> None:
    assert target_status(10, 0.85, 0.95, target=0.8, min_n=10) == "met"
    assert target_status(10, 0.85, 0.95, target=0.8, min_n=11) == "too_few"
    assert target_status(10, 0.85, 0.95, target=0.96, min_n=5) == "not_met"


def test_target_status_needs_an_interval_when_n_is_enough() -> None:
    with pytest.raises(ValueError):
        target_status(50, None, None)


def test_summarise_counts_has_exactly_the_contract_keys() -> None:
    summary = summarise_counts(120, 100)
    assert list(summary) == ["n", "satisfied", "share", "ci_low", "ci_high", "status"]
    assert summary["share"] == 100 / 120
    assert (summary["ci_low"], summary["ci_high"]) == pytest.approx(
        proportion_confint(100, 120, method="wilson"), abs=1e-9
    )
    assert summary["status"] == "not_met"


def test_summarise_counts_with_no_answers() -> None:
    assert summarise_counts(0, 0) == {
        "n": 0,
        "satisfied": 0,
        "share": None,
        "ci_low": None,
        "ci_high": None,
        "status": "too_few",
    }


@given(counts(max_n=5_000), st.floats(min_value=0.01, max_value=0.99), st.integers(1, 200))
def test_summarise_counts_status_follows_its_interval(successes_n: tuple[int, int], target: float, min_n: int) -> None:
    satisfied, n = successes_n
    summary = summarise_counts(n, satisfied, target=target, min_n=min_n)
    low, high = summary["ci_low"], summary["ci_high"]
    assert low is not None and high is not None
    if n < min_n:
        assert summary["status"] == "too_few"
    elif low >= target:
        assert summary["status"] == "met"
    elif high < target:
        assert summary["status"] == "not_met"
    else:
        assert summary["status"] == "cant_tell"


def test_summarise_counts_meets_the_target_only_with_enough_evidence() -> None:
    assert summarise_counts(400, 380)["status"] == "met"  # 95 %, interval above 90 %
    assert summarise_counts(40, 38)["status"] == "cant_tell"  # 95 %, but few answers
    assert summarise_counts(20, 20)["status"] == "too_few"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 5, "satisfied": 6},
        {"n": -1, "satisfied": 0},
        {"n": 5, "satisfied": 1, "target": 0.0},
        {"n": 5, "satisfied": 1, "target": 1.0},
        {"n": 5, "satisfied": 1, "target": 90},
        {"n": 5, "satisfied": 1, "min_n": 0},
    ],
)
def test_summarise_counts_rejects_bad_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        summarise_counts(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("rating", "expected"), [(1, False), (2, False), (3, False), (4, True), (5, True)])
def test_is_satisfied(rating: int, expected: bool) -> None:
    assert is_satisfied(rating) is expected


@pytest.mark.parametrize("rating", [0, 6, 4.5, "4", True, None])
def test_is_satisfied_rejects_values_outside_the_scale(rating: object) -> None:
    with pytest.raises(ValueError):
        is_satisfied(rating)  # type: ignore[arg-type]


def test_summarise_ratings_counts_four_and_five_as_satisfied() -> None:
    summary = summarise_ratings([5, 4, 3, 2, 1, 5, 5], min_n=5)
    assert (summary["n"], summary["satisfied"], summary["status"]) == (7, 4, "not_met")
    assert summarise_ratings([])["status"] == "too_few"


# --- SIPAS --------------------------------------------------------------------------------------------------


def test_sipas_overall_is_the_mean_of_the_five_element_indices() -> None:
    # The 2023 national element results (DOMAIN.md §2A) as counts out of 10,000 answers each.
    per_mille = {"access": 8300, "procedure": 8302, "staff": 8312, "result": 8303, "feedback": 8227}
    index = sipas_from_counts({name: (10_000, satisfied) for name, satisfied in per_mille.items()})
    assert index["method"] == "sipas"
    assert list(index["elements"]) == list(SIPAS_ELEMENTS)
    assert index["elements"]["feedback"]["share"] == 0.8227
    overall = index["overall"]
    assert overall is not None
    assert overall["share"] == pytest.approx(0.82888, abs=1e-12)
    assert overall["ci_low"] < overall["share"] < overall["ci_high"]
    assert overall["status"] == "not_met"
    assert overall["n"] == 10_000


def test_sipas_overall_interval_is_no_narrower_than_the_narrowest_element() -> None:
    index = sipas_from_counts({"access": (50, 45), "procedure": (60, 50), "staff": (55, 54),
                               "result": (40, 30), "feedback": (35, 20)})  # fmt: skip
    overall = index["overall"]
    assert overall is not None
    widths = [e["ci_high"] - e["ci_low"] for e in index["elements"].values()]  # type: ignore[operator]
    assert overall["ci_high"] - overall["ci_low"] >= min(widths)
    assert overall["n"] == 35


def test_sipas_overall_is_none_when_an_element_has_no_answers() -> None:
    responses = [{"access": 5, "procedure": 4, "staff": 5, "result": 4, "feedback": None}] * 40
    index = sipas_from_responses(responses)
    assert index["overall"] is None
    assert index["elements"]["feedback"]["status"] == "too_few"
    assert index["elements"]["access"]["n"] == 40


def test_sipas_from_responses_counts_only_those_who_answered_each_element() -> None:
    responses = [
        {"access": 5, "procedure": 2, "staff": 4, "result": 3, "feedback": 5},
        {"access": 1, "staff": 5, "result": 4, "feedback": None, "procedure": 4},
        {"access": 4, "procedure": 4, "staff": 4, "result": 4, "feedback": 1},
    ]
    elements = sipas_from_responses(responses, min_n=1)["elements"]
    assert (elements["access"]["n"], elements["access"]["satisfied"]) == (3, 2)
    assert (elements["feedback"]["n"], elements["feedback"]["satisfied"]) == (2, 1)


def test_sipas_rejects_unknown_elements() -> None:
    with pytest.raises(ValueError):
        sipas_from_counts({"speed": (10, 5)})
    with pytest.raises(ValueError):
        sipas_from_responses([{"speed": 5}])


# --- QĐ 766 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["invitations", "imported"])
def test_qd766_rate_counts_unrated_dossiers_as_satisfied(source: str) -> None:
    result = qd766_rate(1_000, 50, source=source)
    assert result == {
        "method": "qd766",
        "source": source,
        "total_dossiers": 1_000,
        "unsatisfied_or_complaint_or_overdue": 50,
        "rate": 0.95,
    }


def test_qd766_rate_without_dossiers_is_none() -> None:
    assert qd766_rate(0, 0, source="imported")["rate"] is None


@pytest.mark.parametrize(
    ("total", "bad", "source"),
    [(10, 11, "imported"), (-1, 0, "imported"), (10, -1, "imported"), (10, 1, "responses"), (10, 1, "")],
)
def test_qd766_rate_rejects_bad_values(total: int, bad: int, source: str) -> None:
    with pytest.raises(ValueError):
        qd766_rate(total, bad, source=source)


# --- TT 01/2018 ---------------------------------------------------------------------------------------------


def dossier(*, on_time: str = "on_time", returns: int = 0, agencies: int = 1, staff: int = 5) -> dict:
    return {"on_time": on_time, "returns": returns, "agencies": agencies, "staff": staff}


def test_tt01_points_per_indicator_follow_the_conventions() -> None:
    scores = tt01_citizen_indicators([dossier(on_time="early", returns=0, agencies=1, staff=5)])
    assert {number: result["score"] for number, result in scores.items()} == {1: 2.0, 3: 2.0, 4: 2.0, 7: 2.0}
    scores = tt01_citizen_indicators([dossier(on_time="late", returns=2, agencies=3, staff=2)])
    assert {number: result["score"] for number, result in scores.items()} == {1: 0.0, 3: 0.0, 4: 0.0, 7: 0.0}
    scores = tt01_citizen_indicators([dossier(on_time="on_time", returns=1, agencies=2, staff=3)])
    assert {number: result["score"] for number, result in scores.items()} == {1: 1.0, 3: 1.0, 4: 1.0, 7: 1.0}


def test_tt01_labels_which_points_are_verified() -> None:
    scores = tt01_citizen_indicators([dossier()])
    assert scores[3]["points_basis"] == "verified"
    assert {scores[number]["points_basis"] for number in (1, 4, 7)} == {"working_convention"}


def test_tt01_points_can_be_overridden_and_say_so() -> None:
    on_time_counts_full = {1: {"early": 2, "on_time": 2, "late": 0}}
    scores = tt01_citizen_indicators([dossier(on_time="on_time")], points=on_time_counts_full)
    assert scores[1] == {"indicator": 1, "score": 2.0, "n": 1, "points_basis": "override"}
    with pytest.raises(ValueError):
        tt01_citizen_indicators([dossier()], points={2: {"x": 1}})


def test_tt01_score_is_mean_points_rounded_half_up_to_one_decimal() -> None:
    # 2 + 1 + 1 + 1 = 5 points over 4 dossiers = 1.25 → 1.3 (Python's round() would give 1.2).
    assert tt01_indicator_score([0, 1, 1, 1], {0: 2, 1: 1, 2: 0}) == (1.3, 4)
    # 2 / 3 = 0.666… → 0.7
    assert tt01_indicator_score([0, 2, 2], {0: 2, 1: 1, 2: 0}) == (0.7, 3)


def test_tt01_skips_unanswered_questions() -> None:
    scores = tt01_citizen_indicators([dossier(staff=5), {"on_time": "late", "returns": None}])
    assert (scores[1]["score"], scores[1]["n"]) == (0.5, 2)
    assert (scores[3]["score"], scores[3]["n"]) == (2.0, 1)
    assert (scores[7]["score"], scores[7]["n"]) == (2.0, 1)
    assert tt01_citizen_indicators([])[4] == {"indicator": 4, "score": None, "n": 0,
                                              "points_basis": "working_convention"}  # fmt: skip


@pytest.mark.parametrize("answer", ["soon", 3, True, "0"])
def test_tt01_rejects_unknown_answers(answer: object) -> None:
    with pytest.raises(ValueError):
        tt01_indicator_score([answer], {0: 2, 1: 1, 2: 0, "early": 2})


@pytest.mark.parametrize(
    ("total", "code", "label"),
    [
        (18, "xuat_sac", "Xuất sắc"),
        (15, "xuat_sac", "Xuất sắc"),
        (14.9, "tot", "Tốt"),
        (12, "tot", "Tốt"),
        (11.9, "kha", "Khá"),
        (9, "kha", "Khá"),
        (8.9, "trung_binh", "Trung bình"),
        (6, "trung_binh", "Trung bình"),
        (5.9, "yeu", "Yếu"),
        (0, "yeu", "Yếu"),
    ],
)
def test_tt01_band_edges(total: float, code: str, label: str) -> None:
    band = tt01_band(total)
    assert (band["code"], band["label_vi"]) == (code, label)


@pytest.mark.parametrize("total", [-0.1, 18.1, math.nan])
def test_tt01_band_rejects_totals_outside_0_18(total: float) -> None:
    with pytest.raises(ValueError):
        tt01_band(total)


def test_tt01_office_band_needs_the_five_system_indicators() -> None:
    citizen = {1: 1.9, 3: 1.7, 4: 1.8, 7: 1.6}
    system = {2: 1.8, 5: 1.7, 6: 1.5, 8: 1.4, 9: 1.6}  # total 15.0, with floating-point dust
    band = tt01_office_band(citizen, system)
    assert band is not None
    assert (band["total"], band["code"]) == (15.0, "xuat_sac")
    assert tt01_office_band(citizen, {**system, 9: None}) is None
    assert tt01_office_band(citizen, {2: 1.8, 5: 1.7, 6: 1.5, 8: 1.4}) is None
    assert tt01_office_band({**citizen, 7: None}, system) is None
    with pytest.raises(ValueError):
        tt01_office_band(citizen, {**system, 9: 2.5})


# --- two-proportion test and monthly trend -----------------------------------------------------------------


@settings(max_examples=300)
@given(counts(max_n=5_000), counts(max_n=5_000))
def test_two_proportion_test_equals_statsmodels(first: tuple[int, int], second: tuple[int, int]) -> None:
    (s1, n1), (s2, n2) = first, second
    result = two_proportion_test(s1, n1, s2, n2)
    if s1 + s2 in (0, n1 + n2):  # both shares 0 or both 1: statsmodels divides by zero here
        assert (result["z"], result["p_value"], result["significant"]) == (0.0, 1.0, False)
        return
    z, p_value = proportions_ztest([s1, s2], [n1, n2])
    assert result["z"] == pytest.approx(z, abs=1e-9, rel=1e-9)
    assert result["p_value"] == pytest.approx(p_value, abs=1e-9)
    assert result["significant"] is bool(p_value < 0.05)
    assert result["difference"] == pytest.approx(s1 / n1 - s2 / n2, abs=1e-15)


def test_two_proportion_test_without_answers_is_not_significant() -> None:
    assert two_proportion_test(0, 0, 5, 10) == {
        "difference": None,
        "z": None,
        "p_value": None,
        "significant": False,
    }
    assert two_proportion_test(10, 10, 20, 20)["significant"] is False
    assert two_proportion_test(0, 10, 0, 20)["significant"] is False


def test_two_proportion_test_alpha_is_a_parameter() -> None:
    result = two_proportion_test(90, 100, 80, 100)  # p ≈ 0.047
    assert result["significant"] is True
    assert two_proportion_test(90, 100, 80, 100, alpha=0.01)["significant"] is False
    with pytest.raises(ValueError):
        two_proportion_test(1, 2, 1, 2, alpha=0)
    with pytest.raises(ValueError):
        two_proportion_test(3, 2, 1, 2)


def test_monthly_trend_marks_only_significant_changes() -> None:
    rows = [("2025-03", 200, 150), ("2025-01", 200, 184), ("2025-02", 200, 180), ("2025-04", 0, 0)]
    trend = monthly_trend(rows)
    assert [month["month"] for month in trend] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert [month["previous_month"] for month in trend] == [None, "2025-01", "2025-02", "2025-03"]
    assert [month["change_significant"] for month in trend] == [False, False, True, False]
    assert trend[1]["change"] == pytest.approx(-0.02)
    assert trend[2]["change"] == pytest.approx(-0.15)
    assert trend[3]["change"] is None and trend[3]["status"] == "too_few"
    assert trend[2]["status"] == "not_met"
    expected = two_proportion_test(150, 200, 180, 200)
    assert trend[2]["change_p_value"] == expected["p_value"]


@given(st.lists(counts(max_n=2_000), min_size=1, max_size=24))
def test_monthly_trend_agrees_with_the_two_proportion_test(rows: list[tuple[int, int]]) -> None:
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(rows))]
    trend = monthly_trend([(m, n, s) for m, (s, n) in zip(months, rows, strict=True)])
    for i in range(1, len(rows)):
        (s, n), (previous_s, previous_n) = rows[i], rows[i - 1]
        expected = two_proportion_test(s, n, previous_s, previous_n)
        assert trend[i]["change_significant"] is expected["significant"]
        assert trend[i]["change_p_value"] == expected["p_value"]


@pytest.mark.parametrize(
    "rows",
    [[("2025-13", 10, 5)], [("2025-1", 10, 5)], [("2025-01", 10, 5), ("2025-01", 3, 1)], [("2025-01", 3, 4)]],
)
def test_monthly_trend_rejects_bad_rows(rows: list[tuple[str, int, int]]) -> None:
    with pytest.raises(ValueError):
        monthly_trend(rows)
