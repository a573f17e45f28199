"""Sheet codes: readable symbols only, and any single mistyped or swapped character is caught."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from survey.services.paper import codes

payloads = st.text(alphabet=codes.ALPHABET, min_size=codes.PAYLOAD_LENGTH, max_size=codes.PAYLOAD_LENGTH)


def test_the_alphabet_has_no_look_alikes():
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert codes.BASE == 31 and len(set(codes.ALPHABET)) == 31


def test_a_known_code_by_hand():
    # Values: K=17 7=5 Q=21 X=28 M=18 4=2 P=20. Weighted: 17 + 10 + 63 + 112 + 90 + 12 + 140 = 444 ≡ 10 (mod 31).
    # The check value v needs 10 + 8v ≡ 0, so 8v ≡ 21; 8⁻¹ ≡ 4 (8·4 = 32), v = 84 ≡ 22: the symbol 'R'.
    assert codes.with_check("K7QXM4P") == "K7QXM4PR"
    assert codes.problem("K7QXM4PR") is None
    assert codes.grouped("K7QXM4PR") == "K7QX-M4PR"


@given(payloads)
def test_every_single_substitution_is_caught(payload):
    code = codes.with_check(payload)
    assert codes.problem(code) is None
    for position, symbol in itertools.product(range(codes.CODE_LENGTH), codes.ALPHABET):
        if symbol != code[position]:
            typo = code[:position] + symbol + code[position + 1 :]
            assert codes.problem(typo) == "check"


@given(payloads)
def test_every_swap_of_two_different_characters_is_caught(payload):
    code = codes.with_check(payload)
    for first, second in itertools.combinations(range(codes.CODE_LENGTH), 2):
        if code[first] != code[second]:
            swapped = list(code)
            swapped[first], swapped[second] = swapped[second], swapped[first]
            assert codes.problem("".join(swapped)) == "check"


def test_typed_codes_are_forgiven_case_spaces_and_dashes_but_not_look_alikes():
    assert codes.normalise(" k7qx–m4pr ") == "K7QXM4PR"
    assert codes.problem(codes.normalise("K7QX-M4P")) == "length"
    assert codes.problem(codes.normalise("K7QX-M4P0")) == "symbol"
