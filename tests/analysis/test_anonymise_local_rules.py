"""Local recoding on small hand-made counts: what a rare value costs, caps, weights, bad input, properties."""

from __future__ import annotations

import unicodedata
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from analysis.anonymise import (
    TOP,
    Hierarchy,
    HierarchyError,
    hierarchy_from_rows,
    month_hierarchy,
    procedure_field_hierarchy,
    recode_locally,
    recode_rows,
    split_sensitive,
)

OFFICE_ROWS = [(f"79.0{n}", "79", "DNB") for n in range(1, 6)] + [("01.01", "01", "DBSH")]


def offices() -> dict[str, Hierarchy]:
    return {"office": hierarchy_from_rows(OFFICE_ROWS, ("office", "province", "region"))}


def test_rare_offices_generalise_only_themselves() -> None:
    counts = {("79.01",): 50, ("79.02",): 40, ("79.03",): 2, ("79.04",): 3, ("01.01",): 30}
    recoding = recode_locally(counts, offices(), 5)
    assert [recoding.apply([o]) for o in ("79.01", "79.02", "01.01")] == [("79.01",), ("79.02",), ("01.01",)]
    assert recoding.apply(["79.03"]) == recoding.apply(["79.04"]) == ("79",)
    assert recoding.rows_suppressed == 0 and recoding.smallest_class == 5
    assert recoding.level_rows["office"] == {"office": 120, "province": 5, "region": 0, TOP: 0}


def test_a_remainder_under_k_borrows_the_smallest_office_rather_than_dropping_rows() -> None:
    counts = {("79.01",): 50, ("79.02",): 6, ("79.03",): 2, ("01.01",): 30}
    recoding = recode_locally(counts, offices(), 5)
    assert recoding.apply(["79.01"]) == ("79.01",)
    assert recoding.apply(["79.02"]) == recoding.apply(["79.03"]) == ("79",)
    assert recoding.rows_suppressed == 0


def test_a_remainder_borrows_only_the_rows_it_needs() -> None:
    """Two responses at a small office need three more to reach k = 5: one month of the big office joins
    them under the province, the other eleven keep the office."""
    counts = {("79.01", f"2025-{m:02d}"): 5 for m in range(1, 13)}
    counts |= {("79.02", "2025-01"): 2} | {("01.01", f"2025-{m:02d}"): 10 for m in range(1, 13)}
    recoding = recode_locally(counts, {**offices(), "month": month_hierarchy()}, 5, weights={"month": 0})
    assert recoding.apply(["79.02", "2025-01"]) == ("79", "*")
    kept = sum(n for key, n in counts.items() if key[0] == "79.01" and recoding.apply(key) == ("79.01", "*"))
    assert kept == 55 and recoding.smallest_class == 7


def test_already_anonymous_counts_are_published_unchanged() -> None:
    counts = {("79.01", "2025-01"): 6, ("79.02", "2025-01"): 5, ("01.01", "2025-02"): 9}
    hierarchies = {**offices(), "month": month_hierarchy()}
    recoding = recode_locally(counts, hierarchies, 5)
    assert all(recoding.apply(key) == key for key in counts)
    assert recoding.information_loss == 0 and recoding.generalised == {"office": "unchanged", "month": "unchanged"}
    assert recoding.discernibility == 6**2 + 5**2 + 9**2


def test_too_few_rows_in_all_are_dropped() -> None:
    recoding = recode_locally({("79.01",): 3}, offices(), 5)
    assert recoding.apply(["79.01"]) is None
    assert recoding.rows_suppressed == 3 and not recoding.within_suppression_limit
    assert recoding.information_loss == 1 and recoding.discernibility == 9


def test_a_column_of_weight_zero_is_never_refined() -> None:
    counts = {("79.01", "2025-01"): 20, ("79.01", "2025-02"): 20, ("01.01", "2025-01"): 20}
    hierarchies = {**offices(), "month": month_hierarchy()}
    recoding = recode_locally(counts, hierarchies, 5, weights={"month": 0})
    assert {out[1] for out in recoding.mapping.values() if out} == {TOP}
    assert recoding.generalised["office"] == "unchanged"


def test_a_column_whose_top_keeps_values_is_never_generalised() -> None:
    """The service never generalises the channel: a channel with fewer than k rows is dropped."""
    channel = Hierarchy("kept", ("channel", TOP), lambda value: (value, value))
    counts = {("79.01", "qr"): 30, ("79.02", "qr"): 2, ("79.01", "paper"): 3, ("01.01", "qr"): 10}
    recoding = recode_locally(counts, {**offices(), "channel": channel}, 5)
    assert recoding.apply(["79.01", "paper"]) is None
    assert {out[1] for out in recoding.mapping.values() if out} == {"qr"}
    assert recoding.rows_suppressed == 3


def test_at_most_drops_cells_too_small_at_the_cap_within_the_budget() -> None:
    months = {f"2025-{m:02d}": 30 for m in range(1, 13)} | {"2026-01": 2}
    counts = {(month,): n for month, n in months.items()}
    capped = recode_locally(counts, {"month": month_hierarchy()}, 5, max_levels={"month": "quarter"})
    assert capped.apply(["2026-01"]) is None and capped.rows_suppressed == 2
    assert all(capped.apply([m]) == (m,) for m in months if m != "2026-01")
    assert capped.within_suppression_limit


def test_at_most_publishes_coarser_rather_than_drop_beyond_the_budget() -> None:
    """Three quarters of 2026 with 2 responses each: dropping them would exceed a zero budget, so they are
    published by year; 2 rows alone can only be dropped, whatever the budget."""
    months = {f"2025-{m:02d}": 30 for m in range(1, 13)} | {"2026-01": 2, "2026-04": 2, "2026-07": 2}
    counts = {(month,): n for month, n in months.items()}
    strict = recode_locally(counts, {"month": month_hierarchy()}, 5, max_levels={"month": 1}, max_suppression=0)
    assert strict.rows_suppressed == 0
    assert {strict.apply([m]) for m in ("2026-01", "2026-04", "2026-07")} == {("2026",)}
    assert strict.apply(["2025-03"]) == ("2025-03",)
    alone = {**counts, ("2026-04",): 0, ("2026-07",): 0}
    lonely = recode_locally(alone, {"month": month_hierarchy()}, 5, max_levels={"month": 1}, max_suppression=0)
    assert lonely.apply(["2026-01"]) is None and lonely.rows_suppressed == 2
    assert not lonely.within_suppression_limit


def test_rare_procedures_keep_their_field_and_a_rare_field_becomes_khac() -> None:
    catalog = {"1.001193": "Hộ tịch", "1.000894": "Hộ tịch", "1.004884": "Hộ tịch"}
    catalog |= {"2.000815": "Chứng thực", "2.000884": "Chứng thực", "3.000346": "Đường bộ"}
    hierarchy = procedure_field_hierarchy(catalog.items())
    assert hierarchy.path("1.001193") == ("1.001193", "Hộ tịch", "khác")
    with pytest.raises(HierarchyError, match="no field"):
        hierarchy.path("9.999999")
    counts = {("1.001193",): 40, ("1.000894",): 3, ("1.004884",): 3, ("2.000815",): 2, ("2.000884",): 2}
    recoding = recode_locally(counts | {("3.000346",): 20}, {"procedure": hierarchy}, 5)
    assert recoding.apply(["1.001193"]) == ("1.001193",)
    assert recoding.apply(["1.000894"]) == recoding.apply(["1.004884"]) == ("Hộ tịch",)
    # Chứng thực has 4 rows: it becomes khác, with the smallest other field so that khác holds 5 or more
    assert recoding.apply(["2.000815"]) == recoding.apply(["3.000346"]) == ("khác",)
    assert recoding.level_rows["procedure"] == {"procedure": 40, "field": 6, "khác": 24}


def test_unknown_and_decomposed_values_when_streaming() -> None:
    hierarchy = hierarchy_from_rows([("Hộ tịch", "*"), ("Chứng thực", "*")])
    recoding = recode_locally({("Hộ tịch",): 6, ("Chứng thực",): 7}, {"field": hierarchy}, 5)
    assert recoding.apply([unicodedata.normalize("NFD", "Hộ tịch")]) == ("Hộ tịch",)
    assert recoding.apply(["Đường bộ"]) is None  # not counted: never published as it is


def test_a_combination_given_twice_is_counted_once() -> None:
    pairs = [(("79.01",), 3), (("79.01",), 3), (("79.02",), 5)]
    recoding = recode_locally(pairs, offices(), 5)
    assert recoding.apply(["79.01"]) == ("79.01",) and recoding.rows_total == 11


def test_split_sensitive_reads_the_service_group_by_with_the_rating_last() -> None:
    counts, sensitive = split_sensitive([(("79.01", "5"), 4), (("79.01", "4"), 2), (("01.01", "5"), 3)], 1)
    assert counts == {("79.01",): 6, ("01.01",): 3}
    assert sensitive == {("79.01",): {"5": 4, "4": 2}, ("01.01",): {"5": 3}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 1}, "k must be at least 2"),
        ({"l_diversity": 2}, "l-diversity needs"),
        ({"weights": {"office": -1}}, "weights must be"),
        ({"weights": {"age": 1}}, "weights must be"),
        ({"max_levels": {"age": 1}}, "not quasi-identifiers"),
        ({"max_levels": {"office": "ward"}}, "no level 'ward'"),
        ({"max_levels": {"office": 7}}, "outside"),
        ({"max_suppression": 1.0}, "max_suppression"),
        ({"sensitive": {("79.01",): {"5": 1}}, "l_diversity": 2}, "do not add up"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message) -> None:
    params = {"k": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        recode_locally({("79.01",): 10}, offices(), **params)


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        recode_locally({("79.01",): -1}, offices(), 5)
    with pytest.raises(ValueError, match="expected 1"):
        recode_locally({("79.01", "x"): 10}, offices(), 5)


def test_recode_rows_matches_streaming_apply() -> None:
    rng = np.random.default_rng(5)
    rows = [
        {"id": str(i), "office": str(rng.choice(["79.01", "79.02", "79.03", "01.01"], p=[0.5, 0.3, 0.05, 0.15]))}
        | {"month": f"2025-{rng.integers(1, 13):02d}", "rating": str(rng.integers(1, 6))}
        for i in range(400)
    ]
    kept, recoding = recode_rows(rows, ["office", "month"], 5, offices(), sensitive="rating", l_diversity=2)
    streamed = [
        {**row, **dict(zip(["office", "month"], out, strict=True))}
        for row in rows
        if (out := recoding.apply([row["office"], row["month"]])) is not None
    ]
    assert streamed == kept
    assert anonymity.l_diversity(pd.DataFrame(kept), ["office", "month"], ["rating"]) >= 2


# --- properties ----------------------------------------------------------------------------------------

tables = st.lists(
    st.tuples(
        st.sampled_from([o for o, _, _ in OFFICE_ROWS]),
        st.sampled_from(["2025-01", "2025-02", "2025-05", "2025-11", "2026-03"]),
        st.sampled_from(["vi", "en"]),
        st.sampled_from(["1", "2", "3", "4", "5"]),
    ),
    max_size=80,
)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(rows=tables, k=st.integers(2, 6), l_value=st.sampled_from([None, 2, 3]), cap=st.sampled_from([None, 1, 2]))
def test_random_tables_are_k_anonymous_truthful_and_account_for_every_row(rows, k, l_value, cap) -> None:
    language = hierarchy_from_rows([("vi", "*"), ("en", "*")])
    hierarchies = {**offices(), "month": month_hierarchy(), "language": language}
    counts, sensitive = split_sensitive(Counter(rows), 3)
    recoding = recode_locally(
        counts,
        hierarchies,
        k,
        sensitive=sensitive if l_value else None,
        l_diversity=l_value,
        max_levels={"month": cap} if cap is not None else None,
    )
    groups: Counter[tuple[str, ...]] = Counter()
    ratings: dict[tuple[str, ...], set[str]] = {}
    for key, count in counts.items():
        out = recoding.apply(key)
        if out is not None:
            assert all(o in h.path(v) for h, v, o in zip(hierarchies.values(), key, out, strict=True))
            groups[out] += count
            ratings.setdefault(out, set()).update(sensitive[key])
    assert all(n >= k for n in groups.values())
    if l_value:
        assert all(len(values) >= l_value for values in ratings.values())
    assert sum(groups.values()) + recoding.rows_suppressed == len(rows)
    for column in hierarchies:
        assert sum(recoding.level_rows[column].values()) == len(rows) - recoding.rows_suppressed
    if len(rows) >= k and not l_value and cap is None:
        assert recoding.rows_suppressed == 0
