"""Which enterprises a batch geocode may touch.

Coordinates a user placed by hand (``manual``) or that came with the registry
(``supplied``, converted once from their declared datum) are better evidence
than any address match, so no batch run overwrites them, whatever the mode.
"""

from __future__ import annotations

from gridwatch.errors import InvalidInputError
from gridwatch.vocab import PRECISIONS

__all__ = ["MODES", "PROTECTED", "should_regeocode"]

MODES = ("missing", "all")
PROTECTED = frozenset({"manual", "supplied"})


def should_regeocode(current_precision: str | None, mode: str) -> bool:
    """Decide whether a batch geocode in ``mode`` may replace a location.

    Parameters
    ----------
    current_precision : str or None
        The enterprise's precision now (``vocab.PRECISIONS`` key; None or ""
        for never geocoded).
    mode : {"missing", "all"}
        ``missing`` places only enterprises without a location (precision
        none); ``all`` re-geocodes every address-based location too.

    Returns
    -------
    bool
        Never True for ``manual`` or ``supplied``.

    Raises
    ------
    InvalidInputError
        Unknown mode or precision.

    Examples
    --------
    >>> should_regeocode("none", "missing"), should_regeocode("door", "missing")
    (True, False)
    >>> should_regeocode("door", "all"), should_regeocode("manual", "all")
    (True, False)
    """
    if mode not in MODES:
        raise InvalidInputError(f"Unknown geocode mode {mode!r}; use missing or all.")
    precision = current_precision or "none"
    if precision not in PRECISIONS:
        raise InvalidInputError(
            f"Unknown precision {current_precision!r}; use one of {', '.join(PRECISIONS)}."
        )
    if precision in PROTECTED:
        return False
    return mode == "all" or precision == "none"
