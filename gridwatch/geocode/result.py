"""The result of geocoding one address (shared by the matcher and the providers)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "none_result"]

RESULT_COLUMNS = (
    "address",
    "lng",
    "lat",
    "precision",
    "reliability",
    "matched",
    "matched_id",
    "town_code",
    "community_code",
    "flags",
)


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """Where an address was placed and how far to trust it.

    ``lng``/``lat`` are WGS-84 (None when ``precision == "none"``);
    ``reliability`` runs 1 (nothing) to 10 (exact door plate, confirmed by the
    named town); ``matched`` says in words which gazetteer entry was used and
    ``matched_id`` gives its id (addr_id, road_id or admin code); ``flags``
    lists doubts: town_conflict, community_conflict, fuzzy_road,
    suffix_ignored, ambiguous_community, ambiguous_road (same road name and
    number in two towns, none named), similar_road (the named road lacks the
    number, a near-identical one in the same town has it), door_in_other_town
    (the number exists on this road only in another town than the one named),
    town_from_name (a tie broken by the hint), outside_district, unknown_town,
    multiple_doors (a list of doors, placed at the first that has a plate),
    former_name (a former unit name or suffix variant was read), town_from_hint
    / community_from_hint (the registry's columns chose), hint_conflict /
    community_hint_conflict (the placement contradicts them), unknown_hint,
    needs_review (a person should check it).
    """

    lng: float | None
    lat: float | None
    precision: str
    reliability: int
    matched: str
    matched_id: str | None = None
    town_code: str | None = None
    community_code: str | None = None
    flags: tuple[str, ...] = ()


def none_result(flags=()) -> GeocodeResult:
    """The result for an address that cannot be placed."""
    return GeocodeResult(None, None, "none", 1, "", None, None, None, tuple(flags))
