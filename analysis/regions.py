"""The 34 provinces (since 1/7/2025) and the six regions used to coarsen locations in research exports.

Source: DOMAIN.md §4, the two-level local government in force from 1/7/2025 (34 provinces/cities) and the
working grouping into six socio-economic regions; check against an official list if one appears.
Names and codes are public facts; nothing here depends on a GPL data package.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        code: unicodedata.normalize("NFC", name)
        for code, name in {
            "01": "Thành phố Hà Nội",
            "04": "Cao Bằng",
            "08": "Tuyên Quang",
            "11": "Điện Biên",
            "12": "Lai Châu",
            "14": "Sơn La",
            "15": "Lào Cai",
            "19": "Thái Nguyên",
            "20": "Lạng Sơn",
            "22": "Quảng Ninh",
            "24": "Bắc Ninh",
            "25": "Phú Thọ",
            "31": "Thành phố Hải Phòng",
            "33": "Hưng Yên",
            "37": "Ninh Bình",
            "38": "Thanh Hóa",
            "40": "Nghệ An",
            "42": "Hà Tĩnh",
            "44": "Quảng Trị",
            "46": "Thành phố Huế",
            "48": "Thành phố Đà Nẵng",
            "51": "Quảng Ngãi",
            "52": "Gia Lai",
            "56": "Khánh Hòa",
            "66": "Đắk Lắk",
            "68": "Lâm Đồng",
            "75": "Đồng Nai",
            "79": "Thành phố Hồ Chí Minh",
            "80": "Tây Ninh",
            "82": "Đồng Tháp",
            "86": "Vĩnh Long",
            "91": "An Giang",
            "92": "Thành phố Cần Thơ",
            "96": "Cà Mau",
        }.items()
    }
)
"""Official province code → Vietnamese name (NFC)."""

REGIONS: Mapping[str, str] = MappingProxyType(
    {
        code: unicodedata.normalize("NFC", name)
        for code, name in {
            "TDMNPB": "Trung du và miền núi phía Bắc",
            "DBSH": "Đồng bằng sông Hồng",
            "BTBDHMT": "Bắc Trung Bộ và duyên hải miền Trung",
            "TN": "Tây Nguyên",
            "DNB": "Đông Nam Bộ",
            "DBSCL": "Đồng bằng sông Cửu Long",
        }.items()
    }
)
"""ASCII region code (the usual Vietnamese abbreviation without diacritics) → Vietnamese name."""

_REGION_MEMBERS: Mapping[str, tuple[str, ...]] = {
    "TDMNPB": ("04", "08", "11", "12", "14", "15", "19", "20", "25"),
    "DBSH": ("01", "22", "24", "31", "33", "37"),
    "BTBDHMT": ("38", "40", "42", "44", "46", "48", "51", "56"),
    "TN": ("52", "66", "68"),
    "DNB": ("75", "79", "80"),
    "DBSCL": ("82", "86", "91", "92", "96"),
}

PROVINCE_REGION: Mapping[str, str] = MappingProxyType(
    {province: region for region, members in _REGION_MEMBERS.items() for province in members}
)
"""Province code → region code, for all 34 provinces."""


def normalise_province_code(code: str) -> str:
    """Accept `1`, `01` or ` 01 ` for Hà Nội: spreadsheets often drop the leading zero."""
    text = str(code).strip()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    if text not in PROVINCES:
        raise ValueError(f"unknown province code {code!r}; expected one of the 34 codes (01 … 96)")
    return text


def region_of(province_code: str) -> str:
    """The region code of a province code, e.g. `79` → `DNB`."""
    return PROVINCE_REGION[normalise_province_code(province_code)]


def office_region_rows(office_provinces: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Rows `(office, province, region)` for an office → province → region hierarchy.

    The rows have the same shape as a hierarchy CSV file (value, then its ancestors), so
    `analysis.anonymise.hierarchy_from_rows(office_region_rows(pairs))` builds the hierarchy.
    An office listed twice with two different provinces is an error: a hierarchy must be a tree.
    """
    seen: dict[str, str] = {}
    rows: list[tuple[str, str, str]] = []
    for office, province in office_provinces:
        office = unicodedata.normalize("NFC", str(office).strip())
        province = normalise_province_code(province)
        if office in seen:
            if seen[office] != province:
                raise ValueError(f"office {office!r} is listed in provinces {seen[office]} and {province}")
            continue
        seen[office] = province
        rows.append((office, province, PROVINCE_REGION[province]))
    return rows
