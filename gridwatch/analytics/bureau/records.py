"""The records the bureau's figures are counted from, as plain frames.

The services load a :class:`Records` for the acting user's scope (filtered in
SQL) covering a period and the same period a year earlier; every figure function
of :mod:`gridwatch.analytics.bureau.figures` reads only these frames. Dates are
``datetime.date`` (or None); town codes are the 9-digit 镇/街道 codes.

Frames and their columns (every one required; extra columns are kept):

=================  ============================================================
``towns``          code, name
``enterprises``    enterprise_id, uscc, name, town_code, risk_level,
                   registered_on, entered_on (the day it entered gridwatch's
                   registry)
``inspections``    enterprise_id, uscc, inspected_on, kind
``hazards``        hazard_id, enterprise_id, level, category, found_on,
                   deadline, rectified_on, closed_on, is_listed, listed_on
                   (None before listing dates are kept: then found_on stands in),
                   listing_deadline, description
``penalties``      penalty_id, enterprise_id, decided_on, kind, amount_yuan,
                   decision_no
``self_reports``   uscc, month (YYYY-MM), submitted_on
``accidents``      accident_id, ref, occurred_on, town_code, place, grade,
                   deaths, serious_injuries, direct_loss_yuan
``standardisation`` enterprise_id, status, level, done_on
``declarations``   enterprise_id, year, status, declared_on
``officers``       officer_id, enterprise_id, name, trained_on
``targets``        year, indicator, unit_code, value
``grids``          version_id, code, activated_on (the day its version became
                   active), retired_on (None while active)
``grid_wardens``   grid_code, warden_id, valid_from, valid_to (responsible rows)
``campaigns``      campaign_id, name, spec (``CampaignSpec.to_dict()``); None
                   when this database keeps no campaign records
``campaign_targets`` campaign_id, enterprise_id (None as above)
=================  ============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from gridwatch.frames import require_columns

__all__ = ["COLUMNS", "Records", "empty_frame"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "towns": ("code", "name"),
    "enterprises": (
        "enterprise_id",
        "uscc",
        "name",
        "town_code",
        "risk_level",
        "registered_on",
        "entered_on",
    ),
    "inspections": ("enterprise_id", "uscc", "inspected_on", "kind"),
    "hazards": (
        "hazard_id",
        "enterprise_id",
        "level",
        "category",
        "found_on",
        "deadline",
        "rectified_on",
        "closed_on",
        "is_listed",
        "listed_on",
        "listing_deadline",
        "description",
    ),
    "penalties": (
        "penalty_id",
        "enterprise_id",
        "decided_on",
        "kind",
        "amount_yuan",
        "decision_no",
    ),
    "self_reports": ("uscc", "month", "submitted_on"),
    "accidents": (
        "accident_id",
        "ref",
        "occurred_on",
        "town_code",
        "place",
        "grade",
        "deaths",
        "serious_injuries",
        "direct_loss_yuan",
    ),
    "standardisation": ("enterprise_id", "status", "level", "done_on"),
    "declarations": ("enterprise_id", "year", "status", "declared_on"),
    "officers": ("officer_id", "enterprise_id", "name", "trained_on"),
    "targets": ("year", "indicator", "unit_code", "value"),
    "grids": ("version_id", "code", "activated_on", "retired_on"),
    "grid_wardens": ("grid_code", "warden_id", "valid_from", "valid_to"),
    "campaigns": ("campaign_id", "name", "spec"),
    "campaign_targets": ("campaign_id", "enterprise_id"),
}
_OPTIONAL = ("campaigns", "campaign_targets")


def empty_frame(name: str) -> pd.DataFrame:
    """An empty frame with the columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS[name]})


@dataclass
class Records:
    """Everything one scope's figures are counted from (columns above).

    Attributes
    ----------
    district_code : str
        The district's 6-digit code (the unit of district-wide targets).
    due_days : dict
        Risk level → inspection interval in days (settings ``due_days``).
    self_report_due_day : int
        Day of the next month a monthly self-report is due (default 10).
    today : date
        The day the records were read (a running period ends no later).
    scope_town : str or None
        The one town/street the records are limited to (a street office's
        scope), None for the whole district: the scope's target is then that
        town's.
    """

    district_code: str
    due_days: dict
    today: object
    towns: pd.DataFrame = field(default_factory=lambda: empty_frame("towns"))
    enterprises: pd.DataFrame = field(
        default_factory=lambda: empty_frame("enterprises")
    )
    inspections: pd.DataFrame = field(
        default_factory=lambda: empty_frame("inspections")
    )
    hazards: pd.DataFrame = field(default_factory=lambda: empty_frame("hazards"))
    penalties: pd.DataFrame = field(default_factory=lambda: empty_frame("penalties"))
    self_reports: pd.DataFrame = field(
        default_factory=lambda: empty_frame("self_reports")
    )
    accidents: pd.DataFrame = field(default_factory=lambda: empty_frame("accidents"))
    standardisation: pd.DataFrame = field(
        default_factory=lambda: empty_frame("standardisation")
    )
    declarations: pd.DataFrame = field(
        default_factory=lambda: empty_frame("declarations")
    )
    officers: pd.DataFrame = field(default_factory=lambda: empty_frame("officers"))
    targets: pd.DataFrame = field(default_factory=lambda: empty_frame("targets"))
    grids: pd.DataFrame = field(default_factory=lambda: empty_frame("grids"))
    grid_wardens: pd.DataFrame = field(
        default_factory=lambda: empty_frame("grid_wardens")
    )
    campaigns: pd.DataFrame | None = None
    campaign_targets: pd.DataFrame | None = None
    self_report_due_day: int = 10
    scope_town: str | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        for name, cols in COLUMNS.items():
            frame = getattr(self, name)
            if frame is None and name in _OPTIONAL:
                continue
            require_columns(frame, list(cols), name)

    def town_of(self) -> pd.Series:
        """enterprise_id → town_code ("" when unknown)."""
        if "town_of" not in self._cache:
            ents = self.enterprises
            self._cache["town_of"] = pd.Series(
                ents["town_code"].fillna("").astype(str).to_numpy(),
                index=ents["enterprise_id"].to_numpy(),
            )
        return self._cache["town_of"]

    def memo(self, key, make):
        """Compute ``make()`` once per key (a figure shared by several figures)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]
