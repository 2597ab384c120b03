"""What a password and a username must be: long enough, not common, not guessable from the name.

A length rule alone let `1111111111` through. The list below holds passwords that lead every
published leak list, Chinese and international; together with the shape rules it stops the guesses
an attacker tries first without asking users for symbol soup.
"""

from __future__ import annotations

import re

MIN_PASSWORD_LENGTH = 10
#: Letters of any script (张伟 is fine), digits and . _ -: nothing that renders as HTML or breaks a log.
USERNAME_PATTERN = re.compile(r"[^\W_][\w.\-]{1,31}")
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
COMMON_PASSWORDS = frozenset(
    """
    123456 123456789 12345678 1234567890 0123456789 1234567 password password1 password123 passw0rd
    qwerty qwerty123 qwertyuiop 111111 000000 123123 abc123 abcd1234 a123456 a1234567 aa123456 iloveyou
    admin admin123 admin1234 administrator root123 welcome welcome1 letmein monkey dragon sunshine
    princess football baseball superman trustno1 master shadow michael qazwsx qazwsxedc 1q2w3e4r
    1q2w3e4r5t 1qaz2wsx zaq12wsx woaini 5201314 woaini1314 woaini520 1314520 520520 caonima
    wangyuan shanxi taiyuan zhangwei wang123456 li123456 qq123456 qq5201314 asd123 asd123456 zxc123
    zxcvbnm123 123qwe 123abc abc123456 a5201314 changeme changeme123 default guest test1234 test12345
    testtest 88888888 66666666 11111111 12341234 87654321 987654321 147258369 159357 7758521 19491001
    shuju123 tongji123 gongxin123 dem123456 digital123 monitor123 p@ssw0rd p@ssword
    """.split()
)


def username_problem(username: str) -> tuple[str, str] | None:
    """Why a username cannot be used (zh, en), or None."""
    if not USERNAME_PATTERN.fullmatch(username):
        return (
            "用户名为 2–32 个字符，只能包含文字、数字和 . _ -，且以文字或数字开头",
            "a username has 2-32 letters, digits or . _ - and starts with a letter or digit",
        )
    return None


def password_problem(password: str, *, username: str = "") -> tuple[str, str] | None:
    """Why a password is too weak (zh, en), or None: length, the common list, and guessable shapes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or _is_repetition(lowered) or _is_sequence(lowered):
        return ("密码过于常见或有规律，请换一个", "the password is too common or too regular")
    if username and username.lower() in lowered:
        return ("密码不能包含用户名", "the password must not contain the username")
    if len(set(password)) < 4:
        return ("密码至少包含 4 个不同的字符", "the password needs at least 4 different characters")
    return None


def _is_repetition(text: str) -> bool:
    """A short unit repeated (1111111111, abcabcabca), the unit at most a third of the length."""
    for size in range(1, len(text) // 3 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return True
    return False


def _is_sequence(text: str) -> bool:
    """Runs along the digits, the alphabet or a keyboard row, forwards or backwards."""
    for run in _SEQUENCES:
        doubled = run + run
        if text in doubled or text in doubled[::-1]:
            return True
    return False
