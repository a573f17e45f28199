"""Whole numbers from query arguments: ASCII digits only, so what passes the check is what int() reads."""

from __future__ import annotations

from survey.cleaning import whole_number


def test_only_ascii_digits_up_to_the_length_read_as_a_number():
    assert [whole_number(raw, 4) for raw in ("0", "7", "0042", "2000")] == [0, 7, 42, 2000]
    assert [whole_number(raw, 4) for raw in (None, "", "12345", "-1", "1.5", " 3", "²", "٣", "３")] == [None] * 9
