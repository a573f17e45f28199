"""Disclosure control: hierarchies, the lattice search, plans, and k-anonymity checked with pycanon."""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity

from analysis.anonymise import (
    OTHER,
    TOP,
    HierarchyError,
    anonymise_rows,
    category_hierarchy,
    choose_generalisation,
    date_hierarchy,
    detect_kind,
    hierarchy_from_csv,
    month_hierarchy,
    number_hierarchy,
    number_hierarchy_for,
    office_region_hierarchy,
    ordered_hierarchy,
    province_hierarchy,
)
from analysis.anonymise_search import encode, evaluate
from analysis.regions import PROVINCE_REGION, PROVINCES, REGIONS, office_region_rows, region_of

AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
PROCEDURES = [
    "1.001193",
    "1.000894",
    "1.000656",
    "1.004884",
    "1.000689",
    "2.000806",
    "1.004873",
    "1.000881",
    "2.000635",
    "2.000815",
    "2.000884",
    "1.004222",
    "1.004194",
    "1.002755",
    "1.003197",
    "1.010028",
    "3.000346",
    "3.000347",
    "3.000348",
    "1.001612",
    "2.000720",
    "1.013225",
    "1.014748",
    "1.001613",
    "2.000815.000.00.00.H55",
]


def make_offices(rng: random.Random) -> list[tuple[str, str]]:
    """(office, province) pairs: many offices in the big cities, one or two elsewhere."""
    offices = []
    for province in PROVINCES:
        count = {"79": 12, "01": 10, "48": 4}.get(province, rng.choice([1, 1, 2]))
        offices += [(f"{province}.{n:02d}", province) for n in range(1, count + 1)]
    return offices


def make_responses(*, n: int, seed: int = 7) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """Skewed synthetic responses: one huge city, a long tail of tiny offices, rare procedures."""
    rng = random.Random(seed)
    offices = make_offices(rng)
    office_weights = [
        40.0 if province == "79" else 15.0 if province == "01" else 1.0 / (1 + i % 7)
        for i, (_, province) in enumerate(offices)
    ]
    procedure_weights = [1.0 / (rank + 1) ** 1.3 for rank in range(len(PROCEDURES))]
    rows = []
    for number in range(n):
        office, province = rng.choices(offices, office_weights)[0]
        rows.append(
            {
                "id": str(number),
                "office": office,
                "province": province,
                "procedure": rng.choices(PROCEDURES, procedure_weights)[0],
                "month": f"2025-{rng.randint(1, 12):02d}",
                "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "age_band": rng.choices(AGE_BANDS, [8, 20, 25, 20, 15, 12])[0],
                "age": str(rng.randint(18, 85)),
                "sex": rng.choice(["nam", "nữ"]),
                "rating": str(rng.choices([1, 2, 3, 4, 5], [3, 4, 8, 35, 50])[0]),
            }
        )
    return rows, offices


@pytest.fixture(scope="module")
def responses() -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    return make_responses(n=4000)


def k_of(rows: list[dict[str, str]], quasi: list[str]) -> int:
    """k as pycanon measures it: an implementation independent of ours."""
    return int(anonymity.k_anonymity(pd.DataFrame(rows), quasi))


# --- regions -------------------------------------------------------------------------------------------


def test_every_province_is_in_exactly_one_of_six_regions() -> None:
    assert len(PROVINCES) == 34
    assert set(PROVINCE_REGION) == set(PROVINCES)
    assert set(PROVINCE_REGION.values()) == set(REGIONS) and len(REGIONS) == 6
    assert all(code.isascii() and code.isupper() for code in REGIONS)
    assert all(unicodedata.is_normalized("NFC", name) for name in [*PROVINCES.values(), *REGIONS.values()])
    assert REGIONS[region_of("79")] == "Đông Nam Bộ"
    assert region_of("1") == region_of("01") == "DBSH"
    assert region_of("66") == "TN"
    with pytest.raises(ValueError, match="unknown province"):
        region_of("02")


def test_office_province_region_hierarchy() -> None:
    rows = office_region_rows([("79.01", "79"), ("01.03", "1"), ("79.01", "79")])
    assert rows == [("79.01", "79", "DNB"), ("01.03", "01", "DBSH")]
    hierarchy = office_region_hierarchy([("79.01", "79"), ("01.03", "01")])
    assert hierarchy.level_names == ("office", "province", "region", TOP)
    assert hierarchy.path("79.01") == ("79.01", "79", "DNB", TOP)
    with pytest.raises(ValueError, match="listed in provinces"):
        office_region_rows([("79.01", "79"), ("79.01", "75")])


# --- hierarchies ---------------------------------------------------------------------------------------


def test_date_and_month_hierarchies() -> None:
    assert date_hierarchy().path("2025-08-15") == ("2025-08-15", "2025-08", "2025-Q3", "2025", TOP)
    assert month_hierarchy().path("2025-12") == ("2025-12", "2025-Q4", "2025", TOP)
    for bad in ("2025-02-30", "15/08/2025", "2025-8-1"):
        with pytest.raises(HierarchyError):
            date_hierarchy().path(bad)
    with pytest.raises(HierarchyError):
        month_hierarchy().path("2025-13")


def test_number_bands_nest_and_read_as_ranges() -> None:
    hierarchy = number_hierarchy([15, 30, 60])
    assert hierarchy.path("37") == ("37", "30-44", "30-59", "0-59", TOP)
    assert number_hierarchy([2.5, 5], integers=False).path("3.1")[1:3] == ("[2.5, 5)", "[0, 5)")
    with pytest.raises(HierarchyError, match="nest"):
        number_hierarchy([10, 15])
    auto = number_hierarchy_for([str(age) for age in range(18, 91)])
    bands = [auto.path("18")[level] for level in range(1, auto.height - 1)]
    assert bands[0] == "15-19" and all(b.count("-") == 1 for b in bands)
    assert len({auto.path(str(age))[auto.height - 2] for age in range(18, 91)}) > 1


def test_ordered_bands_merge_neighbours() -> None:
    hierarchy = ordered_hierarchy(AGE_BANDS)
    assert hierarchy.path("18-24") == ("18-24", "18-34", "18-54", TOP)
    assert hierarchy.path("65+") == ("65+", "55+", "55+", TOP)
    with pytest.raises(HierarchyError, match="not one of the bands"):
        hierarchy.path("70-80")


def test_rare_categories_become_khac() -> None:
    counts = {"Hộ tịch": 50, "Chứng thực": 20, "Đường bộ": 3, "Việc làm": 1}
    hierarchy = category_hierarchy(counts, thresholds=(5, 25))
    assert hierarchy.path("Việc làm") == ("Việc làm", OTHER, OTHER, TOP)
    assert hierarchy.path("Chứng thực") == ("Chứng thực", "Chứng thực", OTHER, TOP)
    assert hierarchy.path("Hộ tịch")[1:3] == ("Hộ tịch", "Hộ tịch")
    assert hierarchy.path("never seen")[1] == OTHER
    decomposed = unicodedata.normalize("NFD", "Đường bộ")
    assert hierarchy.path(decomposed)[0] == "Đường bộ"


def test_detect_kind() -> None:
    assert detect_kind(["2025-01-02", "", "2025-03-04"]) == "date"
    assert detect_kind(["2025-01", "2025-11"]) == "month"
    assert detect_kind(["18", "45", "-3"]) == "number"
    assert detect_kind(["01", "79", "96"]) == "province"
    assert detect_kind(AGE_BANDS) == "bands"
    assert detect_kind(["1.001193", "2.000815"]) == "category"
    assert detect_kind(["79.01", "01.02"]) == "category"


def test_csv_hierarchy_with_header_and_semicolons(tmp_path) -> None:
    path = tmp_path / "offices.csv"
    path.write_text(
        "office;commune;province;region\n"
        "UBND phường Bến Thành;Bến Thành;79;DNB\n"
        "UBND phường Sài Gòn;Sài Gòn;79;DNB\n"
        "UBND phường Hoàn Kiếm;Hoàn Kiếm;01;DBSH\n",
        encoding="utf-8",
    )
    hierarchy = hierarchy_from_csv(path, "office")
    assert hierarchy.level_names == ("office", "commune", "province", "region", TOP)
    assert hierarchy.generalise("UBND phường Sài Gòn", 2) == "79"
    with pytest.raises(HierarchyError, match="missing from the hierarchy"):
        hierarchy.path("UBND xã Côn Đảo")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,x,r\nb,y\n", "columns"),
        ("a,x,r\nb,x,s\n", "two parents"),
        ("a,x\na,y\n", "listed twice"),
        ("a,,r\n", "empty label"),
        ("a\nb\n", "ancestor"),
        ("\n\n", "no rows"),
    ],
)
def test_bad_hierarchy_files_are_refused(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "h.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HierarchyError, match=message):
        hierarchy_from_csv(path)


def test_non_utf8_hierarchy_file_is_refused(tmp_path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes("Cà Mau,DBSCL\n".encode("cp1258"))
    with pytest.raises(HierarchyError, match="UTF-8"):
        hierarchy_from_csv(path)


# --- choosing a generalisation from counts -------------------------------------------------------------


def test_already_k_anonymous_data_is_left_unchanged() -> None:
    counts = {("79", "2025-01"): 6, ("79", "2025-02"): 5, ("01", "2025-01"): 9}
    plan = choose_generalisation(counts, {"province": province_hierarchy(), "month": month_hierarchy()}, 5)
    assert plan.levels == (0, 0)
    assert plan.rows_suppressed == 0 and plan.information_loss == 0
    assert plan.apply(["79", "2025-02"]) == ("79", "2025-02")
    assert plan.generalised == {"province": "province", "month": "month"}


def test_only_the_column_that_needs_it_is_generalised() -> None:
    counts = {("79", f"2025-{m:02d}"): 2 for m in range(1, 13)} | {("01", f"2025-{m:02d}"): 2 for m in range(1, 13)}
    plan = choose_generalisation(counts, {"province": province_hierarchy(), "month": month_hierarchy()}, 5)
    assert plan.generalised == {"province": "province", "month": "quarter"}
    assert plan.apply(["79", "2025-05"]) == ("79", "2025-Q2")
    assert plan.rows_suppressed == 0


def test_a_few_outliers_are_dropped_rather_than_generalising_everyone() -> None:
    counts = {("79", "2025-01"): 500, ("01", "2025-01"): 400, ("96", "2025-01"): 1}
    plan = choose_generalisation(counts, {"province": province_hierarchy(), "month": month_hierarchy()}, 5)
    assert plan.levels == (0, 0)
    assert plan.rows_suppressed == 1
    assert plan.apply(["96", "2025-01"]) is None
    assert plan.apply(["79", "2025-01"]) == ("79", "2025-01")


def test_suppression_limit_forces_generalisation_instead() -> None:
    counts = {("79", "2025-01"): 500, ("01", "2025-01"): 400, ("96", "2025-01"): 1}
    hierarchies = {"province": province_hierarchy(), "month": month_hierarchy()}
    plan = choose_generalisation(counts, hierarchies, 5, max_suppression=0)
    assert plan.rows_suppressed == 0
    assert plan.levels[0] >= 1 and plan.apply(["96", "2025-01"]) is not None


def test_counts_as_pairs_and_unknown_values_are_dropped() -> None:
    pairs = [(("nam",), 10), (("nữ",), 12)]
    plan = choose_generalisation(pairs, {"sex": category_hierarchy({"nam": 10, "nữ": 12}, (5,))}, 5)
    assert plan.apply(["nữ"]) == ("nữ",)
    assert plan.apply(["khác"]) is None


def test_fewer_than_k_rows_in_all_suppresses_everything() -> None:
    plan = choose_generalisation({("79",): 3}, {"province": province_hierarchy()}, 5)
    assert not plan.within_suppression_limit
    assert plan.rows_suppressed == 3 and plan.apply(["79"]) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 1}, "k must be at least 2"),
        ({"k": 5, "max_suppression": 1.5}, "max_suppression"),
        ({"k": 5, "l_diversity": 1}, "l must be"),
        ({"k": 5, "suppression_weight": 0.5}, "suppression_weight"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        choose_generalisation({("79",): 10}, {"province": province_hierarchy()}, **kwargs)


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="expected 1"):
        choose_generalisation({("79", "x"): 10}, {"province": province_hierarchy()}, 5)
    with pytest.raises(ValueError, match="non-negative"):
        choose_generalisation({("79",): -1}, {"province": province_hierarchy()}, 5)


def test_search_finds_the_least_loss_node_of_the_whole_lattice(responses) -> None:
    """Best-first search with pruning gives the same loss as evaluating every node."""
    rows, offices = responses
    quasi = ["office", "procedure", "age_band"]
    hierarchies = {
        "office": office_region_hierarchy(offices),
        "procedure": category_hierarchy(Counter(r["procedure"] for r in rows), (5, 50, 500)),
        "age_band": ordered_hierarchy(AGE_BANDS),
    }
    counts = Counter(tuple(r[q] for q in quasi) for r in rows)
    plan = choose_generalisation(counts, hierarchies, 5, max_suppression=0.05)
    encoded = encode(counts, list(hierarchies.values()), with_sensitive=False)
    feasible = [
        evaluate(encoded, node, 5, None, 1.0)
        for node in itertools.product(*(range(h.height) for h in hierarchies.values()))
    ]
    best = min(r.loss for r in feasible if r.suppressed_rows <= 0.05 * len(rows))
    assert plan.information_loss == pytest.approx(best)
    assert plan.nodes_evaluated < plan.lattice_size


# --- end to end, checked with pycanon ------------------------------------------------------------------

QUASI_SETS = [
    ["office", "procedure", "month", "age_band"],
    ["province", "procedure", "age_band", "sex"],
    ["office", "date", "age"],
]


@pytest.mark.parametrize("k", [2, 5, 10])
@pytest.mark.parametrize("quasi", QUASI_SETS, ids=["office-procedure-month-age", "province-sex", "date-age"])
def test_outputs_are_k_anonymous_and_drop_under_ten_percent(responses, quasi, k) -> None:
    rows, offices = responses
    hierarchies = {"office": office_region_hierarchy(offices)} if "office" in quasi else {}
    kept, plan = anonymise_rows(rows, quasi, k, hierarchies, kinds={"province": "province"})
    assert k_of(kept, quasi) >= k
    assert plan.within_suppression_limit
    assert len(rows) - len(kept) == plan.rows_suppressed < 0.10 * len(rows)
    assert {row["id"] for row in kept} <= {row["id"] for row in rows}
    assert all(row["rating"] == rows[int(row["id"])]["rating"] for row in kept)


def test_high_k_on_rare_procedures_uses_khac(responses) -> None:
    rows, _ = responses
    kept, plan = anonymise_rows(rows, ["procedure", "province"], 10, kinds={"province": "province"})
    assert k_of(kept, ["procedure", "province"]) >= 10
    assert OTHER in {row["procedure"] for row in kept} or plan.generalised["province"] != "province"


@pytest.mark.parametrize("l_value", [2, 3])
def test_l_diversity_holds_when_requested(responses, l_value) -> None:
    rows, offices = responses
    quasi = ["office", "procedure", "month"]
    hierarchies = {"office": office_region_hierarchy(offices)}
    kept, plan = anonymise_rows(rows, quasi, 5, hierarchies, sensitive="rating", l_diversity=l_value)
    frame = pd.DataFrame(kept)
    assert anonymity.k_anonymity(frame, quasi) >= 5
    assert anonymity.l_diversity(frame, quasi, ["rating"]) >= l_value
    assert plan.rows_suppressed < 0.10 * len(rows)


def test_streaming_apply_matches_in_memory_result(responses) -> None:
    rows, _ = responses
    quasi = ["province", "month", "age"]
    kept, plan = anonymise_rows(rows, quasi, 5, kinds={"province": "province"})
    streamed = []
    for row in rows:
        generalised = plan.apply([row[q] for q in quasi])
        if generalised is not None:
            streamed.append({**row, **dict(zip(quasi, generalised, strict=True))})
    assert streamed == kept


def test_vietnamese_categories_keep_their_diacritics() -> None:
    fields = ["Hộ tịch", "Chứng thực", "Đăng ký, quản lý cư trú", "Bảo hiểm xã hội"]
    rows = [{"field": fields[i % 4], "sex": "nữ" if i % 3 else "nam"} for i in range(40)]
    rows.append({"field": unicodedata.normalize("NFD", "Hộ tịch"), "sex": "nữ"})
    kept, plan = anonymise_rows(rows, ["field", "sex"], 3)
    assert {row["field"] for row in kept} == set(fields)
    assert all(unicodedata.is_normalized("NFC", row["field"]) for row in kept)
    assert k_of(kept, ["field", "sex"]) >= 3 and plan.rows_suppressed == 0


# --- properties ----------------------------------------------------------------------------------------

small_tables = st.lists(
    st.fixed_dictionaries(
        {
            "province": st.sampled_from(["01", "79", "96", "52", "04"]),
            "age": st.integers(min_value=0, max_value=99).map(str),
            "kind": st.sampled_from(["a", "b", "c", "Đường bộ", "Hộ tịch"]),
            "month": st.sampled_from(["2025-01", "2025-05", "2025-11", "2026-02"]),
            "rating": st.sampled_from(["1", "2", "3", "4", "5"]),
        }
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=small_tables,
    quasi=st.sampled_from([["province", "age"], ["kind", "month"], ["province", "kind", "month", "age"]]),
    k=st.integers(min_value=2, max_value=8),
    max_suppression=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_random_small_tables_are_always_k_anonymous_or_empty(rows, quasi, k, max_suppression) -> None:
    kept, plan = anonymise_rows(rows, quasi, k, max_suppression=max_suppression)
    assert len(kept) + plan.rows_suppressed == len(rows)
    if kept:
        assert k_of(kept, quasi) >= k
    if plan.within_suppression_limit:
        assert plan.rows_suppressed <= max_suppression * len(rows) + 1e-9
    else:
        assert len(rows) < k or not kept


@settings(max_examples=40, deadline=None)
@given(rows=small_tables, l_value=st.integers(min_value=2, max_value=3))
def test_random_small_tables_are_l_diverse_or_empty(rows, l_value) -> None:
    quasi = ["province", "month"]
    kept, _ = anonymise_rows(rows, quasi, 2, sensitive="rating", l_diversity=l_value)
    if kept:
        frame = pd.DataFrame(kept)
        assert anonymity.k_anonymity(frame, quasi) >= 2
        assert anonymity.l_diversity(frame, quasi, ["rating"]) >= l_value
