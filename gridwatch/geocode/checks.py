"""What an address declares about itself, what the registry says, and the checks
of a placement against both.

* The address's own town and village (:func:`declared_units`), including former
  names and suffix variants the gazetteer knows (flag ``former_name``).
* Its city/district prefix (:func:`is_outside`): another district is refused,
  unless the former-names table says that unit, or the named part of it, is
  now this district (南海市南庄镇 → 禅城区).
* Registry hints (:func:`resolve_hints`): the 所属镇街 / 所属村居 columns, as
  names or codes. A hint town stands in for a town the address does not name
  (flag ``town_from_hint``); a hint village only prefers among plates.
* :func:`check_placement`: a placement that contradicts the declared town or
  village, or the registry's, is flagged and its reliability capped, so it is
  never mistaken for a good one; :func:`needs_review` marks what a person must
  look at.
"""

from __future__ import annotations

from dataclasses import replace

from gridwatch.geocode.gazetteer import Gazetteer, town_aliases
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import ParsedAddress

__all__ = [
    "CONFLICT_FLAGS",
    "check_placement",
    "declared_units",
    "is_outside",
    "needs_review",
    "resolve_hints",
]

#: Flags that mean the evidence disagrees with itself: always for a person.
CONFLICT_FLAGS = frozenset(
    {
        "town_conflict",
        "community_conflict",
        "hint_conflict",
        "community_hint_conflict",
        "door_in_other_town",
        "plate_in_other_town",
        "ambiguous_road",
        "ambiguous_fuzzy",
        "ambiguous_place",
        "ambiguous_community",
        "unknown_town",
        "place_conflict",
    }
)
#: Highest reliability per doubt (anything below 7 is never "confident").
CAPS = {
    "ambiguous_road": 4,
    "door_in_other_town": 3,
    "plate_in_other_town": 5,
    "ambiguous_fuzzy": 5,
    "ambiguous_place": 5,
    "similar_road_has_door": 6,
    "place_conflict": 5,
    "door_glued": 6,
}
#: Precisions a person must check (issue 13: "no better than community level").
COARSE = frozenset({"community", "town", "district", "none"})
#: Highest reliability of a placement that contradicts the registry's own
#: town/village columns: below 7, so never "confident".
HINT_CONFLICT_CAP = 6


def declared_units(p: ParsedAddress, gaz: Gazetteer, flags: list[str]):
    """(town codes, community codes) the address names, checked against each other."""
    towns = list(gaz.town_codes_by_alias.get(p.town, ())) if p.town else []
    if p.town and not towns:
        flags.append("unknown_town")
    comms = (
        list(gaz.community_codes_by_name.get(p.community, ())) if p.community else []
    )
    if (p.town in gaz.variant_aliases or p.community in gaz.variant_aliases) and (
        towns or comms
    ):
        flags.append("former_name")
    if comms and towns:
        inside = [c for c in comms if gaz.community_town[c] in towns]
        if not inside:
            flags.append("community_conflict")
        comms = inside
    if len(comms) > 1:
        flags.append("ambiguous_community")
    if not towns and comms:  # the named village implies its town
        towns = sorted({gaz.community_town[c] for c in comms})
    return towns, comms


def is_outside(p: ParsedAddress, gaz: Gazetteer, towns, flags: list[str]) -> bool:
    """True when the address's city or district prefix is not this district's.

    A former name counts as this district when the whole old unit came here, or
    when the address names a town that did (南海市南庄镇…); flag ``former_name``.
    """
    for value, known in ((p.city, gaz.city_names), (p.district, gaz.district_names)):
        if not value or not known or value in known:
            continue
        if value not in gaz.former.districts:
            return True
        parts = gaz.former.districts[value]
        if parts is not None and not parts.intersection(towns):
            return True
        if "former_name" not in flags:
            flags.append("former_name")
    return False


def _town_codes(text: str, gaz: Gazetteer) -> list[str]:
    if text in gaz.town_names:
        return [text]
    norm = normalise_address(text)
    for alias in town_aliases(norm):
        codes = gaz.town_codes_by_alias.get(alias)
        if codes:
            return list(codes)
    return []


def _community_codes(text: str, gaz: Gazetteer) -> list[str]:
    if text in gaz.community_names:
        return [text]
    return list(gaz.community_codes_by_name.get(normalise_address(text), ()))


def resolve_hints(hint_town, hint_community, gaz: Gazetteer, flags: list[str]):
    """Town and community codes named by the registry's columns (names or codes).

    A hint the gazetteer does not know adds ``unknown_hint`` and is ignored; a
    community hint outside the hinted town is dropped (``hint_conflict``).
    """
    towns = _town_codes(hint_town.strip(), gaz) if _text(hint_town) else []
    comms = (
        _community_codes(hint_community.strip(), gaz) if _text(hint_community) else []
    )
    if (_text(hint_town) and not towns) or (_text(hint_community) and not comms):
        flags.append("unknown_hint")
    if towns and comms:
        inside = [c for c in comms if gaz.community_town[c] in towns]
        if not inside:
            flags.append("hint_conflict")
        comms = inside
    if not towns and comms:
        towns = sorted({gaz.community_town[c] for c in comms})
    return towns, comms


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_placement(r, towns, comms, flags: list[str], hint_towns=(), hint_comms=()):
    """Flag a placement that contradicts the declared or hinted units; cap it.

    Returns a new result (``dataclasses.replace``) whose flags are ``flags``
    plus any conflict found here.
    """
    rel = min([r.reliability] + [cap for flag, cap in CAPS.items() if flag in flags])
    extra = []
    if towns and r.town_code not in towns:
        extra.append("town_conflict")
        rel = min(rel, 3)
    if (
        comms
        and r.community_code
        and r.community_code not in comms
        and "community_conflict" not in flags
    ):
        extra.append("community_conflict")
        rel = min(rel, 6)
    if hint_towns and r.town_code and r.town_code not in hint_towns:
        extra.append("hint_conflict")
        rel = min(rel, HINT_CONFLICT_CAP)
    elif hint_comms and r.community_code and r.community_code not in hint_comms:
        extra.append("community_hint_conflict")
        rel = min(rel, HINT_CONFLICT_CAP)
    new_flags = tuple(dict.fromkeys([*flags, *extra]))
    if rel == r.reliability and new_flags == r.flags:
        return r
    return replace(r, reliability=rel, flags=new_flags)


def needs_review(precision: str, reliability: int, flags) -> bool:
    """A person should check this placement: coarse, unreliable or contradictory.

    >>> needs_review("door", 10, ()), needs_review("community", 4, ())
    (False, True)
    >>> needs_review("door", 8, ("hint_conflict",))
    True
    """
    return (
        precision in COARSE
        or reliability <= 4
        or bool(CONFLICT_FLAGS.intersection(flags))
    )
