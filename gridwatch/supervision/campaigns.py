"""Special campaigns (专项整治): which enterprises, what target, how far along.

The bureau defines a campaign (:class:`CampaignSpec`): a name, a period (both ends
inclusive), which enterprises, and a target: every selected enterprise inspected at
least ``min_inspections`` times in the period (optionally counting only some
inspection kinds, e.g. 检查 and 抽查 but not 巡查).

Which enterprises, precisely:

* ``area_prefixes`` — the campaign's area: the enterprise's ``town_code`` or
  ``community_code`` starts with one of these (9-digit town codes, 12-digit
  community codes, or any prefix of them); empty means the whole district;
* ``selectors`` — an enterprise in the area is a target when it matches **any**
  selector; a :class:`Selector` matches when **every** field it sets matches (sector
  in ``sectors``, risk level in ``risk_levels``, the flags equal, a hazard of one of
  ``hazard_categories`` found in the ``hazard_lookback_days`` days before the
  period starts). No selectors: every enterprise in the area;
* an enterprise registered after the period (optional ``registered_on``) is not a
  target. The target list is fixed by the data at the start of the period, so
  progress figures keep their denominator while the campaign runs.

:data:`PRESETS` expresses the campaigns of the bureau's 2013 report (hazardous
chemicals, fireworks, liquid ammonia/chlorine, occupational hazards, petrochemical
depots and loading docks, furniture, non-ferrous metals, aluminium/magnesium
machining, confined spaces) and the next year's 三合一 premises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from gridwatch.errors import InvalidInputError
from gridwatch.frames import require_columns
from gridwatch.grids.codes import within_mask
from gridwatch.supervision._common import check_date
from gridwatch.vocab import (
    CAMPAIGNS,
    HAZARD_CATEGORIES,
    INSPECTION_KINDS,
    RISK_LEVELS,
    SECTORS,
)

ENTERPRISE_COLUMNS = [
    "uscc",
    "sector",
    "risk_level",
    "is_three_in_one",
    "has_hazchem",
    "town_code",
    "community_code",
]
#: ``by=`` aliases of :func:`progress`: level → grouping column (None: one row).
LEVEL_COLUMNS: dict[str, str | None] = {
    "grid": "grid_code",
    "community": "community_code",
    "street": "town_code",
    "town": "town_code",
    "district": None,
}


def _codes(values: Iterable[str] | None, vocab: dict, what: str) -> frozenset[str]:
    """A frozenset of vocabulary codes; InvalidInputError naming any unknown one."""
    if isinstance(values, str):
        values = [values]
    out = frozenset(values or ())
    bad = sorted(out - set(vocab))
    if bad:
        raise InvalidInputError(
            f"Unknown {what} {', '.join(map(repr, bad))}; use {', '.join(vocab)}.",
            details={"field": what},
        )
    return out


@dataclass(frozen=True)
class Selector:
    """Enterprises matching every field set here (empty / None: no condition)."""

    sectors: frozenset[str] = frozenset()
    risk_levels: frozenset[str] = frozenset()
    is_three_in_one: bool | None = None
    has_hazchem: bool | None = None
    hazard_categories: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise lists to frozensets once
        set_(self, "sectors", _codes(self.sectors, SECTORS, "sector"))
        set_(self, "risk_levels", _codes(self.risk_levels, RISK_LEVELS, "risk level"))
        set_(
            self,
            "hazard_categories",
            _codes(self.hazard_categories, HAZARD_CATEGORIES, "hazard category"),
        )
        for name in ("is_three_in_one", "has_hazchem"):
            if getattr(self, name) not in (None, True, False):
                raise TypeError(f"{name} must be True, False or None")

    def to_dict(self) -> dict:
        return {
            f.name: sorted(v) if isinstance(v, frozenset) else v
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }


@dataclass(frozen=True)
class CampaignSpec:
    """A special campaign (专项整治); see the module docstring for the rules.

    Raises InvalidInputError (one sentence) for a blank name, an end before the
    start, a target below 1, an unknown code or a non-numeric area prefix.
    """

    name: str
    start: dt.date
    end: dt.date
    selectors: tuple[Selector, ...] = ()
    area_prefixes: tuple[str, ...] = ()
    min_inspections: int = 1
    inspection_kinds: frozenset[str] = frozenset()
    hazard_lookback_days: int = 365
    preset: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInputError(
                "A campaign needs a name.", details={"field": "name"}
            )
        set_(self, "name", self.name.strip())
        check_date(self.start, "start")
        check_date(self.end, "end")
        if self.end < self.start:
            raise InvalidInputError(
                f"The campaign ends on {self.end}, before it starts on {self.start}.",
                details={"field": "end"},
            )
        set_(self, "selectors", tuple(_selector(s) for s in self.selectors))
        prefixes = tuple(str(p).strip() for p in self.area_prefixes)
        if any(not p.isdigit() or len(p) > 12 for p in prefixes):
            raise InvalidInputError(
                "An area must be a town or community code (digits, at most 12).",
                details={"field": "area_prefixes"},
            )
        set_(self, "area_prefixes", prefixes)
        kinds = _codes(self.inspection_kinds, INSPECTION_KINDS, "inspection kind")
        set_(self, "inspection_kinds", kinds)
        for name in ("min_inspections", "hazard_lookback_days"):
            n = getattr(self, name)
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise InvalidInputError(
                    f"The campaign's {name.replace('_', ' ')} must be a whole number "
                    f"of at least 1, got {n!r}.",
                    details={"field": name},
                )

    def to_dict(self) -> dict:
        """JSON-ready, for storing the spec in a campaign row."""
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "selectors": [s.to_dict() for s in self.selectors],
            "area_prefixes": list(self.area_prefixes),
            "min_inspections": self.min_inspections,
            "inspection_kinds": sorted(self.inspection_kinds),
            "hazard_lookback_days": self.hazard_lookback_days,
            "preset": self.preset,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CampaignSpec:
        """Inverse of :meth:`to_dict` (validating again)."""
        kw = dict(data)
        kw["start"] = dt.date.fromisoformat(kw["start"])
        kw["end"] = dt.date.fromisoformat(kw["end"])
        kw["selectors"] = tuple(Selector(**s) for s in kw.get("selectors", ()))
        return cls(**kw)


def _selector(value: Selector | dict) -> Selector:
    return value if isinstance(value, Selector) else Selector(**value)


def is_running(spec: CampaignSpec, on: dt.date) -> bool:
    """Whether ``on`` lies in the campaign's period (both ends included)."""
    return spec.start <= check_date(on, "on") <= spec.end


def _hazard_hits(hazards: pd.DataFrame, spec: CampaignSpec) -> dict[str, set]:
    """Category → credit codes with such a hazard in the look-back window."""
    require_columns(hazards, ["uscc", "category", "found_on"], "hazards")
    found = pd.to_datetime(hazards["found_on"])
    since = pd.Timestamp(spec.start - dt.timedelta(days=spec.hazard_lookback_days))
    recent = hazards.loc[(found >= since) & (found < pd.Timestamp(spec.start))]
    return {c: set(g) for c, g in recent.groupby("category")["uscc"]}


def _matches(ents: pd.DataFrame, sel: Selector, hits: dict[str, set]) -> np.ndarray:
    ok = np.ones(len(ents), bool)
    if sel.sectors:
        ok &= ents["sector"].isin(sel.sectors).to_numpy()
    if sel.risk_levels:
        ok &= ents["risk_level"].isin(sel.risk_levels).to_numpy()
    for flag in ("is_three_in_one", "has_hazchem"):
        want = getattr(sel, flag)
        if want is not None:
            ok &= ents[flag].fillna(False).astype(bool).to_numpy() == want
    if sel.hazard_categories:
        usccs = set().union(*(hits.get(c, set()) for c in sel.hazard_categories))
        ok &= ents["uscc"].isin(usccs).to_numpy()
    return ok


def select_targets(
    enterprises: pd.DataFrame, spec: CampaignSpec, hazards: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The enterprises a campaign targets.

    Parameters
    ----------
    enterprises : DataFrame
        Columns ``uscc``, ``sector``, ``risk_level``, ``is_three_in_one``,
        ``has_hazchem``, ``town_code``, ``community_code``; optional
        ``registered_on``. Other columns (``grid_code``, ...) are kept.
    spec : CampaignSpec
    hazards : DataFrame, optional
        Columns ``uscc``, ``category``, ``found_on``; required when a selector
        uses ``hazard_categories``.

    Returns
    -------
    DataFrame
        The targeted rows, plus ``selector``: the 1-based number of the first
        selector each matched (0 when the spec has no selectors).

    >>> ents = pd.DataFrame({"uscc": ["A", "B", "C"],
    ...     "sector": ["fireworks", "retail", "retail"],
    ...     "risk_level": ["red", "blue", "blue"], "is_three_in_one": [0, 1, 0],
    ...     "has_hazchem": [1, 0, 0], "town_code": ["440604011"] * 3,
    ...     "community_code": ["440604011001"] * 3})
    >>> spec = preset_spec("fireworks", dt.date(2024, 6, 1), dt.date(2024, 8, 31))
    >>> select_targets(ents, spec)["uscc"].tolist()
    ['A']
    """
    require_columns(enterprises, ENTERPRISE_COLUMNS, "enterprises")
    if not isinstance(spec, CampaignSpec):
        raise TypeError(f"spec must be a CampaignSpec, got {type(spec).__name__}")
    needs_hazards = any(s.hazard_categories for s in spec.selectors)
    if needs_hazards and hazards is None:
        raise ValueError(
            f"campaign {spec.name!r} selects by hazard history; pass hazards"
        )
    hits = _hazard_hits(hazards, spec) if needs_hazards else {}
    ok = np.ones(len(enterprises), bool)
    if spec.area_prefixes:
        codes = enterprises["community_code"].fillna(enterprises["town_code"])
        ok &= within_mask(codes.fillna("").astype(str), tuple(spec.area_prefixes))
    if "registered_on" in enterprises.columns:
        reg = pd.to_datetime(enterprises["registered_on"])
        ok &= (reg.isna() | (reg <= pd.Timestamp(spec.end))).to_numpy()
    which = np.zeros(len(enterprises), int)
    for i, sel in reversed(list(enumerate(spec.selectors, start=1))):
        which = np.where(_matches(enterprises, sel, hits), i, which)
    if spec.selectors:
        ok &= which > 0
    out = enterprises.loc[ok].copy()
    out["selector"] = which[ok]
    return out


@dataclass(frozen=True)
class Preset:
    """A campaign template: which enterprises, and how faithful the selection is."""

    key: str
    selectors: tuple[Selector, ...]
    note: str
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", CAMPAIGNS[self.key])


_S = Selector
#: The seed report's campaigns. ``note`` says where the registry can only
#: approximate the campaign's scope (it has no depot or chlorine flag).
PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("hazchem", (_S({"hazchem"}), _S(has_hazchem=True)),
               "Hazardous-chemical enterprises and any enterprise flagged as "
               "storing or using hazardous chemicals."),
        Preset("fireworks", (_S({"fireworks"}),), "Fireworks sellers."),
        Preset("ammonia_chlorine", (_S({"liquid_ammonia"}),),
               "Ammonia refrigeration. The registry has no chlorine flag, so "
               "liquid-chlorine users are not selected; add them by area or a "
               "has_hazchem selector."),
        Preset("occupational",
               (_S({"ceramics", "sanitary_ware", "furniture"}),
                _S(hazard_categories={"occupational"})),
               "The sectors where the report finds occupational disease "
               "concentrated (ceramics, sanitary ware, furniture), plus any "
               "enterprise with an occupational hazard in the past year."),
        Preset("petrochemical_depots", (_S({"warehouse"}, has_hazchem=True),),
               "Approximation: warehouses flagged for hazardous chemicals (the "
               "registry has no oil-depot or loading-dock type)."),
        Preset("furniture", (_S({"furniture"}),), "Furniture makers."),
        Preset("nonferrous_metals", (_S({"nonferrous_metals"}),),
               "Non-ferrous metal works."),
        Preset("al_mg_dust",
               (_S({"al_mg_machining"}),
                _S({"metal_products", "nonferrous_metals"},
                   hazard_categories={"dust"})),
               "Aluminium/magnesium machining, plus other metal works with a "
               "dust-explosion hazard in the past year."),
        Preset("confined_spaces",
               (_S(hazard_categories={"confined_space"}),
                _S({"liquid_ammonia", "food"})),
               "Any enterprise with a confined-space hazard in the past year, plus "
               "sectors with tanks, pits and cold rooms (ammonia refrigeration, "
               "food processing): a judgement, not a list from a regulation."),
        Preset("three_in_one", (_S(is_three_in_one=True),),
               "三合一 premises (production, storage and living in one building)."),
    )
}  # fmt: skip
del _S


def preset_spec(key: str, start: dt.date, end: dt.date, **overrides) -> CampaignSpec:
    """A :class:`CampaignSpec` from preset ``key`` for a period.

    ``overrides`` set any other field (``area_prefixes``, ``min_inspections``,
    ``inspection_kinds``, ``name``, ...).
    """
    if key not in PRESETS:
        raise InvalidInputError(
            f"Unknown campaign preset {key!r}; use one of {', '.join(PRESETS)}.",
            details={"field": "preset"},
        )
    preset = PRESETS[key]
    kw = {"name": preset.name, "selectors": preset.selectors, "preset": key}
    return CampaignSpec(start=start, end=end, **{**kw, **overrides})


def _window_counts(targets, inspections, spec, on) -> pd.DataFrame:
    """Per target: counted inspections in the period up to ``on``, and the last."""
    need = ["uscc", "inspected_on"] + (["kind"] if spec.inspection_kinds else [])
    require_columns(inspections, need, "inspections")
    day = pd.to_datetime(inspections["inspected_on"])
    until = min(spec.end, on) if on is not None else spec.end
    keep = (day >= pd.Timestamp(spec.start)) & (day <= pd.Timestamp(until))
    keep &= inspections["uscc"].isin(targets["uscc"])
    if spec.inspection_kinds:
        keep &= inspections["kind"].isin(spec.inspection_kinds)
    grouped = day[keep].groupby(inspections.loc[keep, "uscc"])
    return pd.DataFrame({"n": grouped.size(), "last": grouped.max()})


def enterprise_progress(
    targets: pd.DataFrame,
    inspections: pd.DataFrame,
    spec: CampaignSpec,
    on: dt.date | None = None,
) -> pd.DataFrame:
    """Each target with its inspections counted towards the campaign's target.

    Parameters
    ----------
    targets : DataFrame
        From :func:`select_targets` (column ``uscc`` at least).
    inspections : DataFrame
        Columns ``uscc``, ``inspected_on``; ``kind`` when the spec counts only
        some kinds.
    spec : CampaignSpec
    on : date, optional
        Count inspections up to this day (default: the end of the period).

    Returns
    -------
    DataFrame
        ``targets`` plus ``inspections`` (int: counted inspections from
        ``spec.start`` to ``min(spec.end, on)``), ``last_inspected_on`` (NaT if
        none) and ``is_reached`` (``inspections >= spec.min_inspections``).
    """
    require_columns(targets, ["uscc"], "targets")
    if on is not None:
        check_date(on, "on")
    counts = _window_counts(targets, inspections, spec, on)
    out = targets.copy()
    per = counts.reindex(out["uscc"].to_numpy())  # Series.map fails on empty dates
    out["inspections"] = per["n"].fillna(0).astype(int).to_numpy()
    out["last_inspected_on"] = pd.to_datetime(per["last"]).to_numpy()
    out["is_reached"] = out["inspections"] >= spec.min_inspections
    return out


def progress(
    targets: pd.DataFrame,
    inspections: pd.DataFrame,
    spec: CampaignSpec,
    by: str | None = "grid",
    on: dt.date | None = None,
) -> pd.DataFrame:
    """Campaign progress per grid, community, street or for the district.

    Parameters
    ----------
    targets, inspections, spec, on
        As for :func:`enterprise_progress`.
    by : str or None
        ``grid`` (column ``grid_code``), ``community``, ``street``/``town``
        (``town_code``), ``district`` or None (one row), or any column of
        ``targets``.

    Returns
    -------
    DataFrame
        One row per group (a target with no group value is kept, as NaN): the
        group column (absent for the district), ``targets``, ``inspected`` (at
        least one counted inspection), ``reached``, ``remaining`` (targets -
        reached), ``inspections`` and ``share_reached`` (reached / targets).
        Column labels in ``vocab.CAMPAIGN_PROGRESS_LABELS``.
    """
    column = LEVEL_COLUMNS.get(by, by) if by is not None else None
    if column is not None:
        require_columns(targets, [column], "targets")
    each = enterprise_progress(targets, inspections, spec, on)
    each["targets"] = 1
    each["inspected"] = (each["inspections"] > 0).astype(int)
    each["reached"] = each["is_reached"].astype(int)
    cols = ["targets", "inspected", "reached", "inspections"]
    if column is None:
        out = each[cols].sum().to_frame().T.astype(int)
    else:
        out = each.groupby(column, dropna=False)[cols].sum().reset_index()
    out.insert(len(out.columns) - 1, "remaining", out["targets"] - out["reached"])
    out["share_reached"] = out["reached"] / out["targets"]
    return out


def outstanding(
    targets: pd.DataFrame,
    inspections: pd.DataFrame,
    spec: CampaignSpec,
    on: dt.date,
) -> pd.DataFrame:
    """Targets still short of the target on ``on``, while the campaign runs.

    What a warden's to-do list shows: empty before and after the period.
    Columns as :func:`enterprise_progress`, plus ``still_needed`` (int).
    """
    each = enterprise_progress(targets, inspections, spec, on)
    if not is_running(spec, on):
        each = each.iloc[0:0]
    out = each.loc[~each["is_reached"]].copy()
    out["still_needed"] = spec.min_inspections - out["inspections"]
    return out


__all__ = [
    "ENTERPRISE_COLUMNS",
    "LEVEL_COLUMNS",
    "PRESETS",
    "CampaignSpec",
    "Preset",
    "Selector",
    "enterprise_progress",
    "is_running",
    "outstanding",
    "preset_spec",
    "progress",
    "select_targets",
]
