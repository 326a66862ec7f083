"""Evidence about road names: fuzzy candidates, and where a road has a door.

Used by :mod:`gridwatch.geocode.ladder`. Scores are rapidfuzz ``ratio`` (0-100).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from gridwatch.geocode.gazetteer import Gazetteer

__all__ = [
    "door_anywhere",
    "door_elsewhere",
    "door_on",
    "fuzzy_road",
    "reaches",
    "road_in",
]

#: Lowest rapidfuzz ratio accepted for a misspelt road when the door exists on
#: it; one wrong character in a four-character name scores 75, in three 67.
FUZZY_WITH_DOOR = 60
#: … and when nothing else confirms it.
FUZZY_ALONE = 75
#: … and for a known road name that lacks the door when a near-identical one in
#: the named town has it: 南浦路 vs 南浦北路 scores 86.
SIMILAR_ROAD = 80


def door_on(
    name: str, door, suffix, towns, gaz: Gazetteer, exact: bool = False
) -> bool:
    suffixes = {suffix} if exact else {suffix, ""}
    if towns:
        return any(
            (t, name, door, s) in gaz.by_town_road_door for t in towns for s in suffixes
        )
    return any((name, door, s) in gaz.by_road_door for s in suffixes)


#: Candidates within this many points of the best fuzzy score that also have
#: the door make the match ambiguous (今华路58号: 金华路 and 同华路 both score 67;
#: 莲花冬路: 莲花路 86, 莲花东路 75).
FUZZY_TIE = 15
#: Highest score a partial (substring) match counts as.
PARTIAL_MAX = FUZZY_ALONE - 1


def fuzzy_road(
    text: str,
    towns: list[str],
    gaz: Gazetteer,
    door,
    suffix,
    need_door: bool = False,
    exclude: str = "",
    flags=None,
):
    """Best road for a misspelt ``text``: (name, score) or (None, 0).

    Only the named towns' roads are candidates when a town is named; a
    candidate that has the door number wins over a closer spelling without it.
    When another candidate with the door scores nearly as well, ``flags`` gets
    ``ambiguous_fuzzy``: the door cannot tell the two apart.
    """
    if not text:
        return None, 0
    pool = gaz.roads_near(towns)
    if exclude:
        pool = [r for r in pool if r != exclude]
    hits = process.extract(
        text, pool, scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_WITH_DOOR
    )
    if not hits:
        # the text may carry a place name in front: compare its tail
        hits = process.extract(
            text, pool, scorer=fuzz.partial_ratio, limit=5, score_cutoff=FUZZY_ALONE
        )
        # a substring match is weak evidence whatever its score ("街" is 100%
        # of 丰收街): never as good as a one-character typo of the whole name
        hits = [(name, min(score, PARTIAL_MAX), k) for name, score, k in hits]
    if door is not None:
        with_door = [
            (name, score)
            for name, score, _ in hits
            if door_on(name, door, suffix, towns, gaz)
        ]
        if with_door:
            # a road with the very annex (37号之一) beats a closer spelling without
            exact = [
                h
                for h in with_door
                if suffix and door_on(h[0], door, suffix, towns, gaz, True)
            ]
            best = max(exact or with_door, key=lambda h: h[1])
            rivals = [
                h for h in with_door if h is not best and h[1] >= best[1] - FUZZY_TIE
            ]
            if rivals and flags is not None:
                flags.append("ambiguous_fuzzy")
            return best
    if not need_door and hits and hits[0][1] >= FUZZY_ALONE:
        return hits[0][0], hits[0][1]
    return None, 0


def door_anywhere(road: str, door: int, gaz: Gazetteer) -> bool:
    """Some town has a plate with this number on ``road``, or numbers it so far."""
    return (road, door, "") in gaz.by_road_door or any(
        s.covers(door) for s in gaz.segments.get(road, ())
    )


def road_in(road: str, towns, gaz: Gazetteer) -> bool:
    return any((t, road) in gaz.by_town_road for t in towns) or any(
        s.town_code in towns for s in gaz.segments.get(road, ())
    )


def door_elsewhere(road, door, towns, gaz: Gazetteer):
    """A town other than the named ones where this road has this number, or None."""
    if not towns:
        return None
    hits = [
        gaz.point_town[i]
        for i in gaz.by_road_door.get((road, door, ""), ())
        if gaz.point_town[i] not in towns
    ]
    hits += [
        s.town_code
        for s in gaz.segments.get(road, ())
        if s.town_code not in towns and s.covers(door)
    ]
    return hits[0] if hits else None


def reaches(road: str, door: int, towns, gaz: Gazetteer) -> bool:
    """The named towns' stretch of ``road`` is numbered up to ``door``.

    True when a segment's number range covers it or the plates on the road in
    those towns run past it on either side: then the door is on this road
    (between plates), not on a similar road.
    """
    if any(s.town_code in towns and s.covers(door) for s in gaz.segments.get(road, ())):
        return True
    for t in towns:
        doors = [
            d
            for parity in (0, 1)
            for d in gaz.plates_by_side.get((t, road, parity), ((),))[0]
        ]
        if doors and min(doors) <= door <= max(doors):
            return True
    return False
