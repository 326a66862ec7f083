"""A rate with its numerator and denominator, so every figure shows both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """``numerator`` of ``denominator`` (e.g. 1,868 of 1,961 enterprises reported).

    ``share`` is None when the denominator is 0: no enterprise was expected, which is
    not the same as 0 %.

    >>> r = Rate(1868, 1961)
    >>> round(r.share, 4), str(r)
    (0.9526, '95.3% (1868/1961)')
    >>> str(Rate(0, 0))
    '— (0/0)'
    """

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(
                f"a rate needs 0 <= numerator <= denominator, got "
                f"{self.numerator}/{self.denominator}"
            )

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def __str__(self) -> str:
        if self.share is None:
            return f"— ({self.numerator}/{self.denominator})"
        return f"{self.share:.1%} ({self.numerator}/{self.denominator})"

    def to_dict(self) -> dict:
        """JSON-ready: numerator, denominator and share (None for 0/0)."""
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "share": self.share,
        }
