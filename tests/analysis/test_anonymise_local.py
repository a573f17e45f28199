"""Local recoding: does a research export keep what researchers need, and is it still k-anonymous?

k-anonymity is checked twice, by counting the published combinations here and with pycanon (an
implementation independent of ours), on synthetic responses shaped like the service's
(`tests.analysis.anonymise_fixtures`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from analysis.anonymise import (
    RESEARCH_WEIGHTS,
    TOP,
    Hierarchy,
    HierarchyError,
    choose_generalisation,
    hierarchy_from_rows,
    month_hierarchy,
    procedure_field_hierarchy,
    recode_locally,
    recode_rows,
    split_sensitive,
)
from analysis.anonymise_local import Recoding
from analysis.anonymise_partition import squared_height
from tests.analysis.anonymise_fixtures import QUASI, Responses, synthesise, synthesise_skewed

WEIGHTS = {name: RESEARCH_WEIGHTS[name] for name in QUASI}
EIGHT_PROVINCES = {"79": 0.3, "75": 0.1, "80": 0.05, "01": 0.25, "22": 0.1, "24": 0.05, "48": 0.1, "46": 0.05}
MONTHS_BY_QUARTER = {"month": "quarter"}

DATASETS = {
    "100k": lambda: synthesise(100_000),
    "20k": lambda: synthesise(20_000),
    "skewed 100k": lambda: synthesise_skewed(100_000),
    "skewed 20k": lambda: synthesise_skewed(20_000),
    "eight provinces in three regions, 20k": lambda: synthesise(
        20_000, province_shares=EIGHT_PROVINCES, wards=dict.fromkeys(EIGHT_PROVINCES, 5)
    ),
}


def published_groups(data: Responses, recoding: Recoding) -> Counter[tuple[str, ...]]:
    """Rows per published combination, counted from the map (not from the recoding's own report)."""
    groups: Counter[tuple[str, ...]] = Counter()
    for key, count in data.counts.items():
        out = recoding.apply(key)
        if out is not None:
            groups[out] += count
    return groups


def published_frame(data: Responses, recoding: Recoding, quasi: tuple[str, ...] = QUASI) -> pd.DataFrame:
    """The export as a researcher would load it: one row per response, with its rating."""
    records = []
    for key, ratings in data.ratings.items():
        out = recoding.apply(key)
        if out is not None:
            records += [(*out, rating) for rating, n in ratings.items() for _ in range(n)]
    return pd.DataFrame.from_records(records, columns=[*quasi, "rating"])


def share(data: Responses, recoding: Recoding, keeps) -> float:
    """Share of all responses whose published combination passes `keeps(original, published)`."""
    kept = sum(count for key, count in data.counts.items() if (out := recoding.apply(key)) and keeps(key, out))
    return kept / data.total


@pytest.fixture(scope="module", params=list(DATASETS))
def recoded(request) -> tuple[str, Responses, Recoding]:
    data = DATASETS[request.param]()
    recoding = recode_locally(data.counts, data.hierarchies(), 5, weights=WEIGHTS, max_levels=MONTHS_BY_QUARTER)
    return request.param, data, recoding


# --- what the issue asks of an export with all six quasi-identifiers and k = 5 ------------------------


def test_export_is_five_anonymous_counted_here_and_by_pycanon(recoded) -> None:
    _, data, recoding = recoded
    groups = published_groups(data, recoding)
    assert min(groups.values()) >= 5
    assert sum(groups.values()) == data.total - recoding.rows_suppressed
    assert anonymity.k_anonymity(published_frame(data, recoding), list(QUASI)) >= 5


def test_researchers_keep_procedure_province_and_quarter(recoded) -> None:
    name, data, recoding = recoded
    provinces = data.office_provinces
    quarter = re.compile(r"^2025-(0[1-9]|1[0-2]|Q[1-4])$")
    procedure_kept = share(data, recoding, lambda key, out: out[0] == key[0])
    office_or_province = share(data, recoding, lambda key, out: out[1] in (key[1], provinces[key[1]]))
    month_or_quarter = share(data, recoding, lambda key, out: bool(quarter.match(out[2])))
    assert procedure_kept >= 0.90, name
    assert office_or_province >= 0.95, name
    assert month_or_quarter == 1 - recoding.suppressed_share, name
    assert recoding.suppressed_share <= 0.05, name
    assert recoding.share_at_or_below("procedure", "procedure") == pytest.approx(procedure_kept)


def test_every_published_value_is_the_truth_or_an_ancestor_of_it(recoded) -> None:
    """Nothing is perturbed: a researcher can always roll a value up its hierarchy and be right."""
    _, data, recoding = recoded
    hierarchies = list(data.hierarchies().values())
    for key in data.counts:
        out = recoding.apply(key)
        if out is not None:
            assert all(o in h.path(v) for h, v, o in zip(hierarchies, key, out, strict=True)), (key, out)


def test_field_totals_are_exact_and_busy_procedures_nearly_so(recoded) -> None:
    """Rows per field add up to the truth whatever level a procedure was published at, and a procedure with
    2 % of responses or more keeps at least 85 % of them under its code (the rest shelter rare procedures
    of its field)."""
    _, data, recoding = recoded
    fields = data.procedure_fields
    true_field: Counter[str] = Counter()
    export_field: Counter[str] = Counter()
    true_code: Counter[str] = Counter()
    export_code: Counter[str] = Counter()
    for key, count in data.counts.items():
        true_field[fields[key[0]]] += count
        true_code[key[0]] += count
        out = recoding.apply(key)
        if out is not None:
            export_field[fields.get(out[0], out[0])] += count
            export_code[out[0]] += count
    if recoding.rows_suppressed == 0:
        assert export_field == true_field
    busy = [code for code, n in true_code.items() if n >= 0.02 * data.total]
    assert all(export_code[code] >= 0.85 * true_code[code] for code in busy)


def test_full_domain_generalisation_loses_what_local_recoding_keeps() -> None:
    """The problem this fixes: one level per column sends every procedure to its field or to khác."""
    data = synthesise(20_000)
    plan = choose_generalisation(data.counts, data.hierarchies(), 5)
    assert plan.generalised["procedure"] != "procedure"
    local = recode_locally(data.counts, data.hierarchies(), 5, weights=WEIGHTS, max_levels=MONTHS_BY_QUARTER)
    assert local.share_at_or_below("procedure", 0) >= 0.9


def test_l_diversity_on_ratings() -> None:
    data = synthesise(20_000)
    recoding = recode_locally(
        data.counts,
        data.hierarchies(),
        5,
        sensitive=data.ratings,
        l_diversity=3,
        weights=WEIGHTS,
        max_levels=MONTHS_BY_QUARTER,
    )
    frame = published_frame(data, recoding)
    assert anonymity.k_anonymity(frame, list(QUASI)) >= 5
    assert anonymity.l_diversity(frame, list(QUASI), ["rating"]) >= 3
    assert recoding.suppressed_share <= 0.05
    assert recoding.share_at_or_below("procedure", 0) >= 0.8


def test_low_weight_demographics_cost_the_main_columns_almost_nothing() -> None:
    """Age, sex and language, weighed low, are refined only with the rows left over: procedure, office and
    month keep about as much detail as in an export that leaves the three out (which the export allows)."""
    data = synthesise(20_000)
    all_six = recode_locally(data.counts, data.hierarchies(), 5, weights=WEIGHTS)
    three = ("procedure", "office", "month")
    counts, _ = data.project(three)
    fewer = recode_locally(counts, data.hierarchies(three), 5, weights={name: WEIGHTS[name] for name in three})
    for column in three:
        assert all_six.share_at_or_below(column, 0) == pytest.approx(fewer.share_at_or_below(column, 0), abs=0.03)
    assert all_six.share_at_or_below("age_band", 0) < 0.5


# --- the local rule on small hand-made counts ---------------------------------------------------------

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


def test_a_level_that_separates_nothing_new_is_not_a_step() -> None:
    """A hierarchy file that adds `khác` under `*`, or data from a single year, weigh steps the same."""
    assert squared_height([26, 10, 1]).tolist() == [0, 0.25, 1]  # procedure, field, khác
    assert squared_height([26, 10, 1, 1]).tolist() == [0, 0.25, 1, 1]  # … and `*` added by a file
    assert squared_height([12, 4, 1, 1]).tolist() == [0, 0.25, 1, 1]  # month, quarter, one year, *
    assert squared_height([40, 4, 4, 1]).tolist() == [0, 0.25, 0.25, 1]  # one province per region
    assert squared_height([6, 6]).tolist() == [0, 0]  # a column whose top keeps the values
    data = synthesise(20_000)
    rows = [(code, field, "khác") for code, field in data.procedure_fields.items()]
    from_file = {**data.hierarchies(), "procedure": hierarchy_from_rows(rows, ("procedure", "field", "khác"))}
    built_in = recode_locally(data.counts, data.hierarchies(), 5, weights=WEIGHTS)
    read = recode_locally(data.counts, from_file, 5, weights=WEIGHTS)
    assert all(read.apply(key) == built_in.apply(key) for key in data.counts)


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
