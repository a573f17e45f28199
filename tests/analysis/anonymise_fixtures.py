"""Synthetic survey responses shaped like the service's, for disclosure-control tests and benchmarks.

Drawn with numpy from a fixed seed and returned as weighted combinations (what the service's GROUP BY
gives), so a million responses cost a few megabytes. Procedure codes and fields follow the starter catalog
(DOMAIN.md §4); the codes starting with 9. are made up for fields the catalog lacks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from analysis.anonymise_hierarchy import (
    Hierarchy,
    hierarchy_from_rows,
    month_hierarchy,
    office_region_hierarchy,
    procedure_field_hierarchy,
)

QUASI = ("procedure", "office", "month", "age_band", "sex", "language")

PROCEDURE_FIELDS: dict[str, str] = {
    "2.000815": "Chứng thực",
    "1.001193": "Hộ tịch",
    "1.004194": "Đăng ký, quản lý cư trú",
    "1.004222": "Đăng ký, quản lý cư trú",
    "2.000884": "Chứng thực",
    "1.000894": "Hộ tịch",
    "3.000347": "Đường bộ",
    "1.001612": "Thành lập và hoạt động của hộ kinh doanh",
    "9.000001": "Cấp, quản lý căn cước",
    "1.000656": "Hộ tịch",
    "1.002755": "Đăng ký, quản lý cư trú",
    "3.000346": "Đường bộ",
    "1.004873": "Hộ tịch",
    "2.000635": "Hộ tịch",
    "1.014748": "Việc làm",
    "1.013225": "Hoạt động xây dựng",
    "2.000720": "Thành lập và hoạt động của hộ kinh doanh",
    "3.000348": "Đường bộ",
    "1.003197": "Đăng ký, quản lý cư trú",
    "1.010028": "Đăng ký, quản lý cư trú",
    "1.001613": "Bảo hiểm xã hội",
    "1.004884": "Hộ tịch",
    "1.000881": "Hộ tịch",
    "1.000689": "Hộ tịch",
    "2.000806": "Hộ tịch",
    "9.000002": "Đất đai",
}
"""26 procedures in 10 fields, most popular first."""

AGE_BANDS = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
AGE_ROWS = [
    ("18_24", "under_35", "*"),
    ("25_34", "under_35", "*"),
    ("35_44", "35_54", "*"),
    ("45_54", "35_54", "*"),
    ("55_64", "55_plus", "*"),
    ("65_plus", "55_plus", "*"),
]
SEXES = ("female", "male", "prefer_not")
LANGUAGES = ("vi", "en")
MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 13))


@dataclass(frozen=True)
class Responses:
    """Weighted combinations of the six quasi-identifiers, with the rating (1–5) of every response."""

    counts: dict[tuple[str, ...], int]
    ratings: dict[tuple[str, ...], dict[str, int]]
    office_provinces: dict[str, str]
    procedure_fields: dict[str, str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def hierarchies(self, quasi: tuple[str, ...] = QUASI) -> dict[str, Hierarchy]:
        """The hierarchies the service uses for these columns."""
        built = {
            "procedure": procedure_field_hierarchy(self.procedure_fields.items()),
            "office": office_region_hierarchy(self.office_provinces.items()),
            "month": month_hierarchy(),
            "age_band": hierarchy_from_rows(AGE_ROWS, ("age band", "20-year band")),
            "sex": hierarchy_from_rows([(s, "*") for s in SEXES], ("sex",)),
            "language": hierarchy_from_rows([(lang, "*") for lang in LANGUAGES], ("language",)),
        }
        return {name: built[name] for name in quasi}

    def project(
        self, quasi: tuple[str, ...]
    ) -> tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], dict[str, int]]]:
        """Counts (and rating counts) over fewer quasi-identifiers, as a GROUP BY on those columns gives."""
        positions = [QUASI.index(name) for name in quasi]
        counts: dict[tuple[str, ...], int] = {}
        ratings: dict[tuple[str, ...], dict[str, int]] = {}
        for key, count in self.counts.items():
            short = tuple(key[p] for p in positions)
            counts[short] = counts.get(short, 0) + count
            into = ratings.setdefault(short, {})
            for rating, n in self.ratings[key].items():
                into[rating] = into.get(rating, 0) + n
        return counts, ratings

    def rows(self) -> Iterator[tuple[str, ...]]:
        """Every response as a tuple of its quasi-identifier values (in a fixed order)."""
        for key, count in self.counts.items():
            for _ in range(count):
                yield key


def _offices(provinces: Mapping[str, int]) -> list[tuple[str, str]]:
    """A province centre `PP.00` and wards `PP.01`… in each province."""
    return [(f"{p}.{n:02d}", p) for p, wards in provinces.items() for n in range(wards + 1)]


def synthesise(
    n: int,
    *,
    seed: int = 2025,
    province_shares: Mapping[str, float] | None = None,
    wards: Mapping[str, int] | None = None,
    procedure_fields: Mapping[str, str] = PROCEDURE_FIELDS,
    procedure_weights: np.ndarray | None = None,
) -> Responses:
    """`n` responses: skewed procedure popularity (Zipf), four provinces with a centre and nine wards each,
    twelve months, six age bands, three sex codes, 5 % answered in English."""
    rng = np.random.default_rng(seed)
    shares = dict(province_shares or {"79": 0.35, "01": 0.30, "48": 0.20, "92": 0.15})
    offices = _offices(dict(wards or dict.fromkeys(shares, 9)))
    ward_weight = rng.uniform(0.4, 2.5, len(offices))
    within = np.array([3.0 if o.endswith(".00") else w for (o, _), w in zip(offices, ward_weight, strict=True)])
    province_total = {p: within[[q == p for _, q in offices]].sum() for p in shares}
    office_weight = np.array([shares[p] / province_total[p] for _, p in offices]) * within
    procedures = list(procedure_fields)

    def draw(size: int, weights: np.ndarray) -> np.ndarray:
        return rng.choice(size, size=n, p=weights / weights.sum())

    columns = {
        "procedure": draw(
            len(procedures),
            procedure_weights if procedure_weights is not None else 1 / np.arange(1, len(procedures) + 1) ** 1.2,
        ),
        "office": draw(len(offices), office_weight),
        "month": draw(12, np.linspace(0.8, 1.2, 12)),
        "age_band": draw(6, np.array([10, 22, 24, 20, 14, 10], dtype=float)),
        "sex": draw(3, np.array([49, 48, 3], dtype=float)),
        "language": draw(2, np.array([95, 5], dtype=float)),
        "rating": draw(5, np.array([3, 4, 8, 35, 50], dtype=float)),
    }
    labels = {
        "procedure": procedures,
        "office": [o for o, _ in offices],
        "month": list(MONTHS),
        "age_band": list(AGE_BANDS),
        "sex": list(SEXES),
        "language": list(LANGUAGES),
        "rating": ["1", "2", "3", "4", "5"],
    }
    key = np.zeros(n, dtype=np.int64)
    for name in (*QUASI, "rating"):
        key = key * len(labels[name]) + columns[name]
    uniques, tallies = np.unique(key, return_counts=True)
    counts: dict[tuple[str, ...], int] = {}
    ratings: dict[tuple[str, ...], dict[str, int]] = {}
    for value, tally in zip(uniques.tolist(), tallies.tolist(), strict=True):
        parts = []
        for name in reversed((*QUASI, "rating")):
            size = len(labels[name])
            parts.append(labels[name][value % size])
            value //= size
        *combination, rating = reversed(parts)
        qi = tuple(combination)
        counts[qi] = counts.get(qi, 0) + tally
        ratings.setdefault(qi, {})[rating] = tally
    return Responses(counts, ratings, dict(offices), dict(procedure_fields))


def skewed_procedures(common: int = 20, rare: int = 40) -> dict[str, str]:
    """Many rare procedures: the catalog's first `common` plus made-up rare ones spread over twelve fields."""
    fields = [*sorted(set(PROCEDURE_FIELDS.values())), "Tư pháp", "Giáo dục"]
    table = dict(list(PROCEDURE_FIELDS.items())[:common])
    for i in range(rare):
        table[f"8.{i:06d}"] = fields[i % len(fields)]
    return table


def synthesise_skewed(n: int, *, seed: int = 2026) -> Responses:
    """One huge province (Hồ Chí Minh City: 80 % of responses, 20 wards) and 40 rare procedures that
    together draw 5 % of responses."""
    common = 1 / np.arange(1, 21) ** 1.2
    weights = np.concatenate([0.95 * common / common.sum(), np.full(40, 0.05 / 40)])
    return synthesise(
        n,
        seed=seed,
        province_shares={"79": 0.80, "01": 0.10, "48": 0.06, "92": 0.04},
        wards={"79": 20, "01": 9, "48": 9, "92": 9},
        procedure_fields=skewed_procedures(),
        procedure_weights=weights,
    )
