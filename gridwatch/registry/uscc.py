"""Unified social credit code (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1), the
6-digit administrative division code, the 9-character organisation code
(GB 11714) and a check character. The code alphabet is the digits and the 21
capital letters other than I, O, Z, S and V (so they cannot be misread as 1, 0,
2, 5 and U); each character's value is its index in that alphabet. The check
character is ``31 - (sum(value_i * weight_i) mod 31)``, with 31 written as "0",
and the weights are ``3**i mod 31`` (GB 32100-2015 §4.4, table 4).
"""

from __future__ import annotations

#: GB 32100-2015 code alphabet, in value order (0-30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
#: 3**i mod 31 for positions 1-17 (GB 32100-2015 table 4).
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_EXCLUDED = set("IOZSV")


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
        alphabet, a non-digit division code, or the check character), or None.

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
                "(GB 32100-2015)")
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
