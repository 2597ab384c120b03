"""统一社会信用代码 check characters by GB 32100-2015.

Weights Wi = 3^(i−1) mod 31: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; values 0–9, A=10 …
H=17, J=18 … N=22, P=23, Q=24, R=25, T=26, U=27, W=28, X=29, Y=30.
- 91350100M000100Y4 (the standard's example): 9·1 + 1·3 + 3·9 + 5·27 + 0 + 1·26 + 0 + 0 + M(21)·20
  + 0 + 0 + 0 + 1·8 + 0 + 0 + Y(30)·30 + 4·28 = 9+3+27+135+26+420+8+900+112 = 1640;
  1640 mod 31 = 28; 31 − 28 = 3 → "3".
- 91110108551385082 (北京小米科技有限责任公司): 9+3+9+27+0+26+0+8·17 + 5·20 + 5·29 + 1·25 + 3·13
  + 8·8 + 5·24 + 0 + 8·30 + 2·28 = 9+3+9+27+26+136+100+145+25+39+64+120+240+56 = 999;
  999 mod 31 = 7; 31 − 7 = 24 → "Q".
"""

from __future__ import annotations

import pytest

from indicators.ledger.credit_code import WEIGHTS, check_character, is_valid, normalise, problem


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    ("first17", "check"),
    [("91350100M000100Y4", "3"), ("91110108551385082", "Q"), ("91440300708461136", "T")],
)
def test_check_character_of_known_codes(first17: str, check: str) -> None:
    assert check_character(first17) == check
    assert is_valid(first17 + check)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("91350100M000100Y44", "credit-code-check"),
        ("91350100M000100Y4", "credit-code-length"),
        ("91350100M000100I43", "credit-code-character"),
        ("9135O100M000100Y43", "credit-code-character"),
        ("91ABCDEFM000100Y43", "credit-code-region"),
        ("", "credit-code-length"),
        ("'; DROP TABLE x; --", "credit-code-length"),
    ],
)
def test_invalid_codes_say_why(text: str, code: str) -> None:
    found = problem(text)
    assert found is not None and found.code == code
    assert "统一社会信用代码" in found.message_zh


def test_pasted_codes_are_normalised() -> None:
    assert normalise(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert normalise("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert is_valid("9135 0100 M000 100Y 43")
