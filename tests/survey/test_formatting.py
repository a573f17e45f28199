"""Numbers read as people read them in Vietnamese and in English: grouped counts, decimal commas, percentage
points with a real minus and no "-0,0", and bounds that never land on the wrong side of the target."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from survey.formatting import decimal, number, percent, percent_beside, points

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("vi", {"count": "17.658", "share": "87,8 %", "score": "1,5", "up": "+1,2 điểm %", "down": f"{MINUS}3,4 điểm %",
                "zero": "0,0 điểm %", "gap": "3,4 điểm %"}),
        ("en", {"count": "17,658", "share": "87.8 %", "score": "1.5", "up": "+1.2 pp", "down": f"{MINUS}3.4 pp",
                "zero": "0.0 pp", "gap": "3.4 pp"}),
    ],
)  # fmt: skip
def test_numbers_in_each_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert number(17658) == expected["count"]
        assert percent(0.8778) == expected["share"]
        assert decimal(1.45) == expected["score"]  # TT 01 scores round half up, like a person would
        assert points(0.012) == expected["up"]
        assert points(-0.034) == expected["down"]
        assert points(-0.0004) == expected["zero"] and points(0.00049) == expected["zero"]  # never "-0,0"
        assert points(-0.034, signed=False) == expected["gap"]


def test_a_bound_is_never_shown_on_the_wrong_side_of_the_target(app):
    with app.test_request_context(), force_locale("vi"):
        assert percent(0.8996) == "90,0 %"  # plain rounding would contradict a "not met" status
        assert percent_beside(0.8996, 0.9) == "89,96 %"
        assert percent_beside(0.89996, 0.9) == "89,996 %"
        assert percent_beside(0.8999996, 0.9) < "90"  # beyond three extra decimals: rounded away from the target
        assert percent_beside(0.9, 0.9) == "90,0 %"  # at the target is at or above it: "met" reads 90,0 %
        assert percent_beside(0.90004, 0.9) == "90,0 %"
        assert percent_beside(0.873, 0.9) == "87,3 %"  # far from the target: one decimal as usual
        assert percent_beside(0.9125, 0.9125) == percent(0.9125) == "91,3 %"  # a target off the one-decimal grid
        assert percent_beside(0.91249, 0.9125) == "91,2 %"
        assert percent_beside(None, 0.9) == ""
