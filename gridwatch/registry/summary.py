"""What an import reports: rejected rows, notes on stored rows, and the counts.

Nothing is lost: every data row read ends as exactly one of *valid* (stored,
perhaps with notes), *rejected* (one :class:`Reject` per problem), *blank* or a
*totals* row (合计/总计/小计, skipped), and :attr:`ImportSummary.balanced` checks
that the four add up to the rows read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["ImportSummary", "Note", "Reject"]


@dataclass(frozen=True, slots=True)
class Reject:
    """One problem with one row: its number in the file, the field, the value
    (cut to 100 characters) and the reason. ``hint`` names an option of the
    caller that fixes the whole file at once (``"datum"``), or is None."""

    row: int
    field: str
    value: str
    reason: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """Something a person should know about a row that was stored (or skipped as
    a totals row): a merged cell filled, a contradiction flagged, a number that
    may have lost digits. Same shape as :class:`Reject`, plus ``kind``:
    "note", or "totals" for a skipped totals row."""

    row: int
    field: str
    value: str
    reason: str
    hint: str | None = None
    kind: str = "note"


@dataclass
class ImportSummary:
    """Counts for one import; ``rows == valid + rejected + blank + totals`` always.

    The service fills ``inserted``/``updated``/``unchanged`` (they split
    ``valid``) while upserting, or while planning a dry run.
    """

    rows: int = 0
    valid: int = 0
    rejected: int = 0
    blank: int = 0
    totals: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    dry_run: bool = False
    rejects: list[Reject] = field(default_factory=list, repr=False)
    notes: list[Note] = field(default_factory=list, repr=False)
    #: header text of the columns kept as extra attributes
    extra_columns: list[str] = field(default_factory=list)
    #: header text of the row-number columns (序号): read, not kept
    row_number_columns: list[str] = field(default_factory=list)
    #: set when the rejects file could not be written after the rows were stored
    output_error: str | None = None

    @property
    def balanced(self) -> bool:
        """True when every row is accounted for."""
        upserted = self.inserted + self.updated + self.unchanged
        return (
            self.rows == self.valid + self.rejected + self.blank + self.totals
            and upserted in (0, self.valid)
        )

    @property
    def hints(self) -> list[str]:
        """Distinct hints of the rejects and notes, in first-seen order."""
        seen = dict.fromkeys(r.hint for r in [*self.rejects, *self.notes] if r.hint)
        return list(seen)

    @property
    def unknown_headers(self) -> list[str]:
        """Former name of :attr:`extra_columns` (they are kept, not ignored)."""
        return self.extra_columns

    def to_dict(self) -> dict:
        """Plain counts (for --json output), without the reject and note lists."""
        d = asdict(self)
        d.pop("rejects")
        d.pop("notes")
        d["balanced"] = self.balanced
        d["hints"] = self.hints
        return d
