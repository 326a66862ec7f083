"""The rungs of the matching ladder: door plate, near-identical road, between
plates, along the road's number range, road, place, village, town, district.

:func:`street_level` and :func:`coarse` are called by
:func:`gridwatch.geocode.match.geocode`, which documents the reliability of each
rung and checks the result against what the address and the registry declare.
"""

from __future__ import annotations

from dataclasses import replace

from gridwatch.geocode.gazetteer import Gazetteer
from gridwatch.geocode.parse import ParsedAddress
from gridwatch.geocode.result import GeocodeResult
from gridwatch.geocode.roads import (
    FUZZY_ALONE,
    SIMILAR_ROAD,
    door_anywhere,
    door_elsewhere,
    fuzzy_road,
    reaches,
    road_in,
)

__all__ = ["HINTED_DOOR", "SIMILAR_DOOR", "coarse", "street_level"]

#: A door plate found only because the registry's town column named the town
#: (the address names none): right unless the column is wrong, so below 10.
HINTED_DOOR = 8
#: A near-identical road's door (南浦路53号 → 南浦北路53号): a guess, never ≥ 7.
SIMILAR_DOOR = 6


def _plate(i: int, gaz: Gazetteer, rel: int, flags) -> GeocodeResult:
    return GeocodeResult(
        float(gaz.lng[i]),
        float(gaz.lat[i]),
        "door",
        rel,
        gaz.standard_address[i],
        gaz.addr_id[i],
        gaz.point_town[i],
        gaz.point_community[i],
        tuple(flags),
    )


def _by_door(road, door, suffix, towns, comms, gaz, flags, prefer=()):
    """Door-plate hit: in the named towns; anywhere only if the road is not there.

    ``prefer`` (towns named in the enterprise's name) breaks a tie between
    towns when the address names none.
    """
    local = [t for t in towns if (t, road) in gaz.by_town_road]
    for s in (suffix, "") if suffix else ("",):
        i = None
        for t in local:
            i = gaz.by_town_road_door.get((t, road, door, s))
            if i is not None:
                break
        else:
            hits = [] if local else gaz.by_road_door.get((road, door, s), [])
            if len(hits) > 1 and comms:
                hits = [i for i in hits if gaz.point_community[i] in comms] or hits
            if len({gaz.point_town[i] for i in hits}) > 1 and prefer:
                preferred = [i for i in hits if gaz.point_town[i] in prefer]
                if len({gaz.point_town[i] for i in preferred}) == 1:
                    hits = preferred
                    flags.append("town_from_name")
            if len({gaz.point_town[i] for i in hits}) > 1:
                # the same road name and number in two towns, and nothing says which
                flags.append("ambiguous_road")
            i = hits[0] if hits else None
        if i is None:
            continue
        if s != suffix:
            flags.append("suffix_ignored")
        return i
    return None


def _interpolate(road, door, towns, gaz: Gazetteer, flags, prefer=()):
    """Road-level placement of a door with no plate, or None.

    Between the nearest plates on the same side first (they follow the real
    kerb), else along the segment whose number range holds the door.
    """
    segs = gaz.segments.get(road, ())
    road_towns = {s.town_code for s in segs} | {
        t for t in gaz.town_names if (t, road) in gaz.by_town_road
    }
    named = [t for t in towns if t in road_towns]
    if named:
        candidates = named
    elif prefer and road_towns & set(prefer):
        candidates = sorted(road_towns & set(prefer))
        flags.append("town_from_name")
    else:
        candidates = sorted(road_towns)
        covering = {s.town_code for s in segs if s.covers(door)}
        if len(covering) > 1 or (not covering and len(candidates) > 1):
            flags.append("ambiguous_road")
    for town in candidates:
        hit = gaz.interpolate_plates(town, road, door)
        if hit is not None:
            lng, lat, i0 = hit
            return GeocodeResult(
                float(lng),
                float(lat),
                "road",
                7,
                f"{road} {door}号 (between door plates)",
                None,
                town,
                gaz.point_community[i0],
                tuple(flags),
            )
    for seg in segs:
        if seg.town_code in candidates and seg.covers(door):
            lng, lat = gaz.metric_to_lonlat(*seg.locate(door))
            return GeocodeResult(
                float(lng),
                float(lat),
                "road",
                7,
                f"{road} {seg.door_from}-{seg.door_to}号 (interpolated)",
                seg.road_id,
                seg.town_code,
                gaz.community_at(lng, lat),
                tuple(flags),
            )
    return None


def _road_only(road, towns, comms, gaz: Gazetteer, flags):
    """The road's stretch in the named village, else in the named town."""
    for c in comms:
        idx = gaz.by_road_community.get((road, c))
        if idx:
            i = idx[len(idx) // 2]
            return GeocodeResult(
                float(gaz.lng[i]),
                float(gaz.lat[i]),
                "road",
                5,
                f"{road} ({gaz.community_names[c]})",
                gaz.addr_id[i],
                gaz.point_town[i],
                c,
                tuple(flags),
            )
    if comms:
        return (
            None  # the road does not run through the named village: trust the village
        )
    segs = gaz.segments.get(road, ())
    segs = [s for s in segs if s.town_code in towns] or ([] if towns else list(segs))
    if not segs:
        return None
    seg = max(segs, key=lambda s: s.cumlen[-1])
    lng, lat = gaz.metric_to_lonlat(*seg.locate((seg.door_from + seg.door_to) // 2, 0))
    rel = 5 if seg.town_code in towns else 4
    return GeocodeResult(
        float(lng),
        float(lat),
        "road",
        rel,
        f"{road} (road)",
        seg.road_id,
        seg.town_code,
        gaz.community_at(lng, lat),
        tuple(flags),
    )


def _place(p: ParsedAddress, towns, comms, gaz: Gazetteer, flags):
    """A named place (工业园, 商业城) with its door, or its middle plate."""
    if not p.place:
        return None
    if p.door_no is not None:
        for suffix in dict.fromkeys((p.door_suffix, "")):
            hits = gaz.by_place_door.get((p.place, p.door_no, suffix), [])
            local = [
                i
                for i in hits
                if gaz.point_town[i] in towns or gaz.point_community[i] in comms
            ]
            pick = local or hits
            if not pick:
                continue
            if len({gaz.point_town[i] for i in pick}) > 1:
                flags.append("ambiguous_place")
            if suffix != p.door_suffix:
                flags.append("suffix_ignored")
            rel = (9 if local else 6) - (2 if suffix != p.door_suffix else 0)
            return _plate(pick[0], gaz, rel, flags)
    idx = gaz.by_place.get(p.place)
    if not idx:
        return None
    local = [
        i for i in idx if gaz.point_town[i] in towns or gaz.point_community[i] in comms
    ] or idx
    i = local[len(local) // 2]
    return GeocodeResult(
        float(gaz.lng[i]),
        float(gaz.lat[i]),
        "road",
        5,
        f"{p.place} (place)",
        gaz.addr_id[i],
        gaz.point_town[i],
        gaz.point_community[i],
        tuple(flags),
    )


def _door_level(
    p: ParsedAddress, road, score, towns, comms, gaz, flags, prefer, hinted
):
    """A door plate of ``road`` (or of a near-identical road), or None."""
    doors = [(d, 0) for d in (p.door_no, *p.other_doors)]
    doors += [(d, 2) for d in p.door_alternatives]  # glued to a building number
    for door, penalty in doors:
        i = _by_door(road, door, p.door_suffix, towns, comms, gaz, flags, prefer)
        if i is None:
            continue
        if gaz.point_town[i] in towns:
            rel = HINTED_DOOR if hinted else 10
        else:
            rel = 6
        if score < 100 or penalty or "suffix_ignored" in flags:
            rel -= 2
        if score < FUZZY_ALONE:  # two of three characters, or a substring match
            rel -= 2
        if p.door_alternatives:
            # a number without 号 glued to 栋/室 (忠义坊68栋302室): 68 or 6, 8栋?
            flags.append("door_glued")
        if "suffix_ignored" in flags and any(
            gaz.point_town[j] != gaz.point_town[i]
            for j in gaz.by_road_door.get((road, door, p.door_suffix), ())
        ):
            # 27号 here, but 27号之一 itself is a plate in another town
            flags.append("plate_in_other_town")
        if p.place in gaz.by_place:
            # the address names a park or building whose plate with this door
            # is another one (福贤路50号汾宁工业区, the park being on 福贤西路 50)
            on_place = gaz.by_place_door.get((p.place, door, p.door_suffix), ())
            if on_place and i not in on_place:
                flags.append("place_conflict")
        return _plate(i, gaz, rel, flags)
    if towns and score == 100 and not reaches(road, p.door_no, towns, gaz):
        # the named road's numbers stop short of the door, and a near-identical
        # road in the named town has it (南浦路53号 for 南浦北路53号): a guess.
        # Never when the road's own range holds the door: 张槎's 雾岗路 runs
        # 1-190, so 雾岗路3号 is on it, not on 雾岗西路 3.6 km away.
        alt, alt_score = fuzzy_road(
            road,
            towns,
            gaz,
            p.door_no,
            p.door_suffix,
            need_door=True,
            exclude=road,
            flags=flags,
        )
        if alt is not None and alt_score >= SIMILAR_ROAD:
            i = _by_door(alt, p.door_no, p.door_suffix, towns, comms, gaz, flags)
            if i is not None:
                flags.append("similar_road")
                rel = SIMILAR_DOOR if gaz.point_town[i] in towns else 4
                return _plate(i, gaz, rel, flags)
    return None


def _doubts_before_interpolating(p, road, score, towns, gaz, flags) -> None:
    """Flag what makes a between-plates placement in the named town doubtful.

    ``door_in_other_town``: the named town's stretch is not numbered that far
    but another town's is (the address contradicts itself). ``plate_in_other_town``:
    it is numbered that far, but the plate itself exists only in another town
    (雾岗路 runs through four towns; 张槎's has no plate 3, 石湾's has).
    ``similar_road_has_door``: a near-identical road in the named town has that
    very plate (石角路32号 interpolated while 石角北路32号 is a plate).
    """
    covered = reaches(road, p.door_no, towns, gaz)
    if not covered and door_elsewhere(road, p.door_no, towns, gaz) is not None:
        flags.append("door_in_other_town")
    elif (
        reaches
        and towns
        and any(
            gaz.point_town[i] not in towns
            for i in gaz.by_road_door.get((road, p.door_no, ""), ())
        )
    ):
        flags.append("plate_in_other_town")
    if towns and score == 100 and covered:
        alt, alt_score = fuzzy_road(
            road, towns, gaz, p.door_no, p.door_suffix, need_door=True, exclude=road
        )
        if (
            alt is not None
            and alt_score >= SIMILAR_ROAD
            and any(
                (t, alt, p.door_no, p.door_suffix or "") in gaz.by_town_road_door
                for t in towns
            )
        ):
            flags.append("similar_road_has_door")


def street_level(
    p: ParsedAddress,
    towns,
    comms,
    gaz: Gazetteer,
    flags,
    prefer=(),
    soft_comms=(),
    hinted=False,
):
    """Door, interpolated or road-level placement, or None.

    ``comms`` are the villages the address names (a road that does not run
    through them is not trusted); ``soft_comms`` (those or the registry's) only
    choose among door plates.
    """
    road, score = (p.road, 100) if p.road_known else (None, 0)
    if not p.road and p.door_no is not None and p.place in gaz.by_place:
        # a known park or building with its door (吉利村江湾工业城12号) before
        # any fuzzy reading of the place name as a road
        hit = _place(p, towns, comms, gaz, flags)
        if hit is not None and hit.precision == "door":
            return hit
    if road is None and p.door_no is not None or (p.road and not p.road_known):
        text = p.road or p.place
        road, score = fuzzy_road(
            text, towns, gaz, p.door_no, p.door_suffix, flags=flags
        )
        if road is not None:
            flags.append("fuzzy_road")
    elif (
        towns
        and not road_in(road, towns, gaz)
        and not (p.door_no is not None and door_anywhere(road, p.door_no, gaz))
    ):
        # a known name, not in the named town and not numbered that far anywhere:
        # likely a typo of a local road (张槎 "城北路" for 城北二路). When the
        # exact road has the door in another town, the town or the road name is
        # wrong and nothing says which: keep the exact match, flagged below
        local, local_score = fuzzy_road(
            road,
            towns,
            gaz,
            p.door_no,
            p.door_suffix,
            need_door=p.door_no is not None,
            flags=flags,
        )
        if local is not None:
            road, score = local, local_score
            flags.append("fuzzy_road")
    if road is None:
        return _place(p, towns, comms, gaz, flags)
    if p.door_no is not None:
        hit = _door_level(
            p, road, score, towns, soft_comms or comms, gaz, flags, prefer, hinted
        )
        if hit is not None:
            return hit
        _doubts_before_interpolating(p, road, score, towns, gaz, flags)
        hit = _interpolate(road, p.door_no, towns, gaz, flags, prefer)
        if hit is not None:
            rel = (7 if hit.town_code in towns else 5) - (score < 100)
            return replace(hit, reliability=rel)
    return _road_only(road, towns, comms, gaz, flags) or _place(
        p, towns, comms, gaz, flags
    )


def coarse(p: ParsedAddress, towns, comms, hint_comms, gaz: Gazetteer, flags):
    """Community, town or district placement when no street matched, or None."""
    if not comms and hint_comms:
        comms = [c for c in hint_comms if not towns or gaz.community_town[c] in towns]
        if comms:
            flags.append("community_from_hint")
    if comms:
        code = comms[0]
        lng, lat = gaz.community_point[code]
        rel = 4 if len(comms) == 1 and "community_from_hint" not in flags else 3
        return GeocodeResult(
            lng,
            lat,
            "community",
            rel,
            gaz.community_names[code],
            code,
            gaz.community_town[code],
            code,
            tuple(flags),
        )
    if towns:
        code = towns[0]
        lng, lat = gaz.town_point[code]
        return GeocodeResult(
            lng, lat, "town", 3, gaz.town_names[code], code, code, None, tuple(flags)
        )
    if p.district and p.district in gaz.district_names:
        lng, lat = gaz.district_point
        return GeocodeResult(
            lng, lat, "district", 2, p.district, None, None, None, tuple(flags)
        )
    return None
