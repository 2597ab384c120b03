"""统一社会信用代码 (unified social credit code) checks by GB 32100-2015.

The code has 18 characters: 登记管理部门代码 (1), 机构类别代码 (1), 登记管理机关行政区划码 (6 digits),
主体标识码 (9, the GB 11714 organisation code) and one check character. The alphabet has 31 characters,
the digits and the capitals without I, O, Z, S and V, valued 0…30 in order. The check character is
C18 = 31 − (Σ Ci·Wi mod 31) over the first 17 characters with weights Wi = 3^(i−1) mod 31
(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28); a result of 31 is written 0.
The organisation code's own GB 11714 check is not tested: the ledger needs the code to be the
enterprise's, which the GB 32100 check character already guards against typing slips.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII


@dataclass(frozen=True, slots=True)
class CreditCodeProblem:
    code: str
    message_zh: str
    message_en: str


def normalise(text: str) -> str:
    """Trim, drop inner spaces, fold full-width characters and lower case: what clerks paste."""
    return "".join(str(text).translate(_FULL_WIDTH).split()).upper()


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(text: str) -> CreditCodeProblem | None:
    """Why `text` is not a valid 统一社会信用代码, or None when it is."""
    code = normalise(text)
    if len(code) != 18:
        return CreditCodeProblem(
            "credit-code-length",
            f"统一社会信用代码应为18位，实际{len(code)}位：{code}",
            f"a unified social credit code has 18 characters, got {len(code)}",
        )
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return CreditCodeProblem(
            "credit-code-character",
            f"统一社会信用代码含不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）",
            f"characters not allowed in a credit code: {', '.join(bad)}",
        )
    if not code[2:8].isdigit():
        return CreditCodeProblem(
            "credit-code-region",
            f"统一社会信用代码第3—8位应为行政区划码（数字）：{code[2:8]}",
            "characters 3–8 must be the administrative division code (digits)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return CreditCodeProblem(
            "credit-code-check",
            f"统一社会信用代码校验位错误：{code}，第18位应为{expected}",
            f"wrong check character: {code[17]}, expected {expected}",
        )
    return None


def is_valid(text: str) -> bool:
    return problem(text) is None
