"""Unified social credit code (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1), the
6-digit administrative division code, the 9-character organisation code
(GB 11714) and a check character. The code alphabet is the digits and the 21
capital letters other than I, O, Z, S and V (so they cannot be misread as 1, 0,
2, 5 and U); each character's value is its index in that alphabet. The check
character is ``31 - (sum(value_i * weight_i) mod 31)``, with 31 written as "0",
and the weights are ``3**i mod 31`` (GB 32100-2015 §4.4, table 4).

Characters 9-17 are the subject identifier, which GB 32100-2015 §4.3 takes from
the national organisation code (GB 11714-1997): 8 body characters (digits and
capital letters, A=10 … Z=35) and a check character ``11 - (sum(value_i *
weight_i) mod 11)`` with weights 3, 7, 9, 10, 5, 8, 4, 2, written "X" for 10 and
"0" for 11. Checking it as well catches most of the 1-in-31 typing errors (and
Excel's rounded numbers, see :func:`explain_uscc_cell`) that pass the code's own
check character by chance.
"""

from __future__ import annotations

import re

#: GB 32100-2015 code alphabet, in value order (0-30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
#: 3**i mod 31 for positions 1-17 (GB 32100-2015 table 4).
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_EXCLUDED = set("IOZSV")
#: GB 11714-1997 weights of the organisation code's 8 body characters.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
# what Excel shows for a long number: 9.14406044318073E+17
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
#: Significant digits Excel keeps of a number (IEEE double, shown to 15 digits).
EXCEL_DIGITS = 15


def uscc_check_digit(first17: str) -> str:
    """Return the check character for the first 17 characters of a credit code.

    Parameters
    ----------
    first17 : str
        The 17 characters before the check character, upper case, from the
        GB 32100 alphabet.

    Returns
    -------
    str
        One character of the alphabet.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 characters of the GB 32100 alphabet.

    Examples
    --------
    >>> uscc_check_digit("91350100M000100Y4")
    '3'
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError(f"need 17 characters, got {first17!r}")
    try:
        total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(
            f"{exc.args[0]!r} is not in the GB 32100 code alphabet ({first17!r})"
        ) from None
    return ALPHABET[(31 - total % 31) % 31]


def explain_uscc(code: str) -> str | None:
    """Say why ``code`` is not a valid credit code, or return None when it is.

    The code is checked as given (callers strip spaces and upper-case first;
    :func:`normalise_uscc` does both).

    Parameters
    ----------
    code : str
        The candidate 18-character code.

    Returns
    -------
    str or None
        One sentence naming the problem (length, a character outside the
        alphabet, a non-digit division code, the check character, or the
        embedded organisation code's GB 11714 check character), or None.

    Examples
    --------
    >>> explain_uscc("91350100M000100Y43") is None
    True
    >>> explain_uscc("91350100M000100Y44")
    'check character is 4 but should be 3 (GB 32100-2015)'
    """
    if not isinstance(code, str) or not code:
        return "credit code is empty"
    if len(code) != 18:
        return f"credit code has {len(code)} characters; it must have 18"
    bad = [c for c in code if c not in _VALUE]
    if bad:
        c = bad[0]
        if c in _EXCLUDED:
            why = "the letters I, O, Z, S and V are never used"
        elif c.islower():
            why = "letters must be capitals"
        else:
            why = "only digits and capital letters are allowed"
        return f"credit code contains {c!r}: {why}"
    if not code[2:8].isdigit():
        return f"characters 3-8 ({code[2:8]}) must be the 6-digit division code"
    expected = uscc_check_digit(code[:17])
    if code[17] != expected:
        return (f"check character is {code[17]} but should be {expected} "
                "(GB 32100-2015)" + _excel_hint(code))
    org = code[8:17]
    org_expected = org_code_check_char(org[:8])
    if org[8] != org_expected:
        return (f"the organisation code in characters 9-17 ({org}) ends in {org[8]} "
                f"but its check character is {org_expected} (GB 11714-1997)"
                + _excel_hint(code))
    return None


def _excel_hint(code: str) -> str:
    # 18 digits that fail a check are often a number Excel rounded to 15 digits
    if code.isdigit():
        return ("; if the file went through Excel, the column may have been a "
                "number rounded to 15 digits: format it as text and retype the code")
    return ""


def org_code_check_char(body8: str) -> str:
    """Check character of an organisation code body (GB 11714-1997).

    >>> org_code_check_char("M000100Y"), org_code_check_char("19220382")
    ('4', '1')
    """
    if not isinstance(body8, str) or len(body8) != 8:
        raise ValueError(f"need 8 characters, got {body8!r}")
    try:
        total = sum(_ORG_VALUE[c] * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a digit or capital letter") from None
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_uscc(org_body: str, division: str = "440604", kind: str = "91") -> str:
    """A valid credit code from its parts: both check characters computed.

    ``kind`` is the registration authority and organisation type (characters
    1-2, "91" = company registered by market regulation, "92" = 个体工商户).

    >>> make_uscc("19220382", "440300")
    '914403001922038216'
    """
    first17 = kind + division + org_body + org_code_check_char(org_body)
    return first17 + uscc_check_digit(first17)


def explain_uscc_cell(value: object) -> str | None:
    """Say why a credit-code *cell* cannot hold a code as typed, or None.

    A spreadsheet number is never a credit code: Excel keeps 15 significant
    digits of a typed 18-digit code (9.14406044318073E+17) and the last three are
    lost, so the code read back (914406044318072960) is wrong even when its check
    character happens to pass. The same number written out as text in a CSV shows
    as scientific notation.

    >>> explain_uscc_cell(9.14406044318073e17)[:40]
    'credit code is stored as a number (9.144'
    >>> explain_uscc_cell("91350100M000100Y43") is None
    True
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        shown = f"{float(value):.{EXCEL_DIGITS}G}"
        return (f"credit code is stored as a number ({shown}): spreadsheets keep only "
                f"{EXCEL_DIGITS} digits, so its last digits are lost; format the "
                "统一社会信用代码 column as text (设置单元格格式 → 文本) and type or "
                "paste the codes again")
    if isinstance(value, str) and _SCIENTIFIC.match(value.strip()):
        return (f"credit code {value.strip()} is a number in scientific notation: the "
                f"spreadsheet kept only {EXCEL_DIGITS} digits; format the 统一社会信用代码 "
                "column as text (设置单元格格式 → 文本) and type or paste the codes again")
    return None


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is an 18-character credit code with a correct check.

    >>> is_valid_uscc("91350100M000100Y43"), is_valid_uscc("91350100M000100Y44")
    (True, False)
    """
    return explain_uscc(code) is None


def normalise_uscc(value: object) -> str:
    """Strip spaces (incl. full-width), dashes and case from a typed credit code.

    >>> normalise_uscc(" 9135 0100-m000100y43 ")
    '91350100M000100Y43'
    """
    if value is None:
        return ""
    return str(value).translate(_TABLE).upper()


# spaces and dashes go; full-width letters/digits (Ａ-Ｚ, ０-９) typed on Chinese
# keyboards become ASCII
_TABLE = {ord(c): None for c in " \t\r\n\u3000\u00a0-－_"}
_TABLE.update({c: c - 0xFEE0 for c in range(ord("！"), ord("～") + 1)
               if chr(c) != "－"})
