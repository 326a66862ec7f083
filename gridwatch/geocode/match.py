"""Match an address against the gazetteer: door plate → road → community → town.

The ladder, best first (``vocab.PRECISIONS``), and the reliability given. A
reliability of 7 or more means the address's own town or village confirms the
placement; a road name alone cannot (one dropped character turns 瑞安直街 into
瑞安街, a real street in another town).

===============================================  =========  ===========
evidence                                         precision  reliability
===============================================  =========  ===========
door plate, town/village named and agreeing      door       10
… via a misspelt road, a dropped 之一, or a       door       8
  door number glued to the building number
door plate, road name only (no town or village)  door       6 (4 if fuzzy)
between plates / along the road's number range   road       7 (5 unconfirmed)
road or place without a door number              road       5
village / community                              community  4
town / subdistrict                               town       3
district named                                   district   2
nothing usable                                   none       1
===============================================  =========  ===========

The same road name and number in two towns with neither named is flagged
``ambiguous_road`` (reliability at most 4). An address that contradicts itself
(it names one town and its road and door exist only in another) keeps the
evidence but is flagged ``town_conflict`` and capped at reliability 3, so it is
never mistaken for a good placement.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from gridwatch.geocode.gazetteer import Gazetteer
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import ParsedAddress, parse_address

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "geocode", "geocode_many"]

#: Lowest rapidfuzz ratio accepted for a misspelt road when the door exists on
#: it; one wrong character in a four-character name scores 75, in three 67.
FUZZY_WITH_DOOR = 60
#: … and when nothing else confirms it.
FUZZY_ALONE = 75
#: … and for a known road name that lacks the door when a near-identical one in
#: the named town has it: 南浦路 vs 南浦北路 scores 86.
SIMILAR_ROAD = 80
RESULT_COLUMNS = ("address", "lng", "lat", "precision", "reliability", "matched",
                  "matched_id", "town_code", "community_code", "flags")


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
    town_from_name (a tie broken by the hint), outside_district, unknown_town.
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


def _none(flags=()) -> GeocodeResult:
    return GeocodeResult(None, None, "none", 1, "", None, None, None, tuple(flags))


def _context(p: ParsedAddress, gaz: Gazetteer, flags: list[str]):
    """Declared town codes and community codes, checked against each other."""
    towns = list(gaz.town_codes_by_alias.get(p.town, ())) if p.town else []
    if p.town and not towns:
        flags.append("unknown_town")
    comms = list(gaz.community_codes_by_name.get(p.community, ())) if p.community else []
    if comms and towns:
        inside = [c for c in comms if gaz.community_town[c] in towns]
        if not inside:
            flags.append("community_conflict")
        comms = inside
    if len(comms) > 1:
        flags.append("ambiguous_community")
    if not towns and comms:   # the named village implies its town
        towns = sorted({gaz.community_town[c] for c in comms})
    return towns, comms


def _door_on(name: str, door, suffix, towns, gaz: Gazetteer) -> bool:
    if towns:
        return any((t, name, door, s) in gaz.by_town_road_door
                   for t in towns for s in {suffix, ""})
    return any((name, door, s) in gaz.by_road_door for s in {suffix, ""})


def _fuzzy_road(text: str, towns: list[str], gaz: Gazetteer, door, suffix,
                need_door: bool = False, exclude: str = ""):
    """Best road for a misspelt ``text``: (name, score) or (None, 0).

    Only the named towns' roads are candidates when a town is named; a
    candidate that has the door number wins over a closer spelling without it.
    """
    if not text:
        return None, 0
    pool = gaz.roads_near(towns)
    if exclude:
        pool = [r for r in pool if r != exclude]
    hits = process.extract(text, pool, scorer=fuzz.ratio, limit=3,
                           score_cutoff=FUZZY_WITH_DOOR)
    if not hits:
        # the text may carry a place name in front: compare its tail
        hits = process.extract(text, pool, scorer=fuzz.partial_ratio, limit=3,
                               score_cutoff=FUZZY_ALONE)
    for name, score, _ in hits:
        if door is not None and _door_on(name, door, suffix, towns, gaz):
            return name, score
    if not need_door and hits and hits[0][1] >= FUZZY_ALONE:
        return hits[0][0], hits[0][1]
    return None, 0


def _road_in(road: str, towns, gaz: Gazetteer) -> bool:
    return any((t, road) in gaz.by_town_road for t in towns) or any(
        s.town_code in towns for s in gaz.segments.get(road, ()))


def _plate(i: int, gaz: Gazetteer, rel: int, flags) -> GeocodeResult:
    return GeocodeResult(float(gaz.lng[i]), float(gaz.lat[i]), "door", rel,
                         gaz.standard_address[i], gaz.addr_id[i], gaz.point_town[i],
                         gaz.point_community[i], tuple(flags))


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


def _door_elsewhere(road, door, towns, gaz: Gazetteer):
    """A town other than the named ones where this road has this number, or None."""
    if not towns:
        return None
    hits = [gaz.point_town[i] for i in gaz.by_road_door.get((road, door, ""), ())
            if gaz.point_town[i] not in towns]
    hits += [s.town_code for s in gaz.segments.get(road, ())
             if s.town_code not in towns and s.covers(door)]
    return hits[0] if hits else None


def _interpolate(road, door, towns, gaz: Gazetteer, flags, prefer=()):
    """Road-level placement of a door with no plate, or None.

    Between the nearest plates on the same side first (they follow the real
    kerb), else along the segment whose number range holds the door.
    """
    segs = gaz.segments.get(road, ())
    road_towns = {s.town_code for s in segs} | {
        t for t in gaz.town_names if (t, road) in gaz.by_town_road}
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
            return GeocodeResult(float(lng), float(lat), "road", 7,
                                 f"{road} {door}号 (between door plates)", None, town,
                                 gaz.point_community[i0], tuple(flags))
    for seg in segs:
        if seg.town_code in candidates and seg.covers(door):
            lng, lat = gaz.metric_to_lonlat(*seg.locate(door))
            return GeocodeResult(
                float(lng), float(lat), "road", 7,
                f"{road} {seg.door_from}-{seg.door_to}号 (interpolated)", seg.road_id,
                seg.town_code, gaz.community_at(lng, lat), tuple(flags))
    return None


def _road_only(road, towns, comms, gaz: Gazetteer, flags):
    """The road's stretch in the named village, else in the named town."""
    for c in comms:
        idx = gaz.by_road_community.get((road, c))
        if idx:
            i = idx[len(idx) // 2]
            return GeocodeResult(float(gaz.lng[i]), float(gaz.lat[i]), "road", 5,
                                 f"{road} ({gaz.community_names[c]})", gaz.addr_id[i],
                                 gaz.point_town[i], c, tuple(flags))
    if comms:
        return None   # the road does not run through the named village: trust the village
    segs = gaz.segments.get(road, ())
    segs = [s for s in segs if s.town_code in towns] or ([] if towns else list(segs))
    if not segs:
        return None
    seg = max(segs, key=lambda s: s.cumlen[-1])
    lng, lat = gaz.metric_to_lonlat(*seg.locate((seg.door_from + seg.door_to) // 2, 0))
    rel = 5 if seg.town_code in towns else 4
    return GeocodeResult(float(lng), float(lat), "road", rel, f"{road} (road)",
                         seg.road_id, seg.town_code, gaz.community_at(lng, lat),
                         tuple(flags))


def _place(p: ParsedAddress, towns, comms, gaz: Gazetteer, flags):
    if not p.place:
        return None
    if p.door_no is not None:
        hits = gaz.by_place_door.get((p.place, p.door_no, p.door_suffix), [])
        if hits:
            return _plate(hits[0], gaz, 9, flags)
    idx = gaz.by_place.get(p.place)
    if not idx:
        return None
    local = [i for i in idx if gaz.point_town[i] in towns or gaz.point_community[i]
             in comms] or idx
    i = local[len(local) // 2]
    return GeocodeResult(float(gaz.lng[i]), float(gaz.lat[i]), "road", 5,
                         f"{p.place} (place)", gaz.addr_id[i], gaz.point_town[i],
                         gaz.point_community[i], tuple(flags))


def _street_level(p: ParsedAddress, towns, comms, gaz: Gazetteer, flags, prefer=()):
    """Door, interpolated or road-level placement, or None."""
    road, score = (p.road, 100) if p.road_known else (None, 0)
    if road is None and p.door_no is not None or (p.road and not p.road_known):
        text = p.road or p.place
        road, score = _fuzzy_road(text, towns, gaz, p.door_no, p.door_suffix)
        if road is not None:
            flags.append("fuzzy_road")
    elif towns and not _road_in(road, towns, gaz):
        # a known name, but not in the named town: likely a typo of a local road
        # (张槎 "城北路" for 城北二路) rather than a contradiction
        local, local_score = _fuzzy_road(road, towns, gaz, p.door_no, p.door_suffix,
                                         need_door=p.door_no is not None)
        if local is not None:
            road, score = local, local_score
            flags.append("fuzzy_road")
    if road is None:
        return _place(p, towns, comms, gaz, flags)
    if p.door_no is not None:
        for k, door in enumerate((p.door_no, *p.door_alternatives)):
            i = _by_door(road, door, p.door_suffix, towns, comms, gaz, flags, prefer)
            if i is None:
                continue
            rel = 10 if gaz.point_town[i] in towns else 6
            if score < 100 or k > 0 or "suffix_ignored" in flags:
                rel -= 2
            return _plate(i, gaz, rel, flags)
        if towns and score == 100:
            # no such plate: a near-identical road in the named town that has it
            # (南浦路53号 for 南浦北路53号) beats interpolating a number range
            alt, alt_score = _fuzzy_road(road, towns, gaz, p.door_no, p.door_suffix,
                                         need_door=True, exclude=road)
            if alt is not None and alt_score >= SIMILAR_ROAD:
                i = _by_door(alt, p.door_no, p.door_suffix, towns, comms, gaz, flags)
                if i is not None:
                    flags.append("similar_road")
                    return _plate(i, gaz, 8 if gaz.point_town[i] in towns else 4, flags)
        elsewhere = _door_elsewhere(road, p.door_no, towns, gaz)
        if elsewhere is not None:
            # the number exists on this road, but in another town than the one
            # named: trust the named town, and say the address contradicts itself
            flags.append("door_in_other_town")
        hit = _interpolate(road, p.door_no, towns, gaz, flags, prefer)
        if hit is not None:
            rel = (7 if hit.town_code in towns else 5) - (score < 100)
            return _with(hit, reliability=rel)
    return _road_only(road, towns, comms, gaz, flags) or _place(p, towns, comms, gaz, flags)


def _with(r: GeocodeResult, **changes) -> GeocodeResult:
    data = {f: getattr(r, f) for f in GeocodeResult.__slots__}
    data.update(changes)
    return GeocodeResult(**data)


def _check(r: GeocodeResult, towns, comms, flags) -> GeocodeResult:
    """Flag a placement that contradicts the declared town or community."""
    if "ambiguous_road" in flags and r.reliability > 4:
        r = _with(r, reliability=4)
    if "door_in_other_town" in flags and r.reliability > 3:
        r = _with(r, reliability=3)
    extra = []
    if towns and r.town_code not in towns:
        extra.append("town_conflict")
    if comms and r.community_code and r.community_code not in comms \
            and "community_conflict" not in flags:
        extra.append("community_conflict")
    if not extra:
        return r if r.flags == tuple(flags) else _with(r, flags=tuple(flags))
    cap = 3 if "town_conflict" in extra else 6
    return _with(r, reliability=min(r.reliability, cap), flags=tuple(flags + extra))


def _hint_towns(hint: str | None, gaz: Gazetteer) -> list[str]:
    """Towns named in a hint such as the enterprise name (佛山市禅城区石湾德鸿石材店)."""
    if not hint or not isinstance(hint, str):
        return []
    towns = set()
    for _, _, kind, name in gaz.lexicon.scan(normalise_address(hint)):
        if kind == "town":
            towns.update(gaz.town_codes_by_alias.get(name, ()))
        elif kind == "community":
            towns.update(gaz.community_town[c]
                         for c in gaz.community_codes_by_name.get(name, ()))
    return sorted(towns)


def geocode(address: str, gazetteer: Gazetteer, hint: str | None = None) -> GeocodeResult:
    """Place one address using the offline gazetteer.

    Parameters
    ----------
    address : str
        A free-text Chinese address, as typed.
    gazetteer : Gazetteer
        Built with :meth:`Gazetteer.build`.
    hint : str, optional
        Other text about the same place, typically the enterprise name. A town
        or village named in it only breaks a tie (the same road name and number
        in two towns, the address naming neither): flag ``town_from_name``,
        reliability unchanged (it never confirms a placement).

    Returns
    -------
    GeocodeResult
        WGS-84 point, precision, reliability 1-10, what matched, flags.
    """
    gaz = gazetteer
    p = parse_address(address, gaz.lexicon)
    flags: list[str] = []
    if (p.district and gaz.district_names and p.district not in gaz.district_names) or (
            p.city and gaz.city_names and p.city not in gaz.city_names):
        return _none(["outside_district"])
    towns, comms = _context(p, gaz, flags)
    prefer = _hint_towns(hint, gaz) if hint and not towns else []
    hit = _street_level(p, towns, comms, gaz, flags, prefer)
    if hit is not None:
        return _check(hit, towns, comms, flags)
    if len(comms) >= 1:
        code = comms[0]
        lng, lat = gaz.community_point[code]
        rel = 4 if len(comms) == 1 else 3
        return GeocodeResult(lng, lat, "community", rel, gaz.community_names[code], code,
                             gaz.community_town[code], code, tuple(flags))
    if towns:
        code = towns[0]
        lng, lat = gaz.town_point[code]
        return GeocodeResult(lng, lat, "town", 3, gaz.town_names[code], code, code,
                             None, tuple(flags))
    if p.district and p.district in gaz.district_names:
        lng, lat = gaz.district_point
        return GeocodeResult(lng, lat, "district", 2, p.district, None, None, None,
                             tuple(flags))
    return _none(flags)


def geocode_many(addresses, gazetteer: Gazetteer, hints=None) -> pd.DataFrame:
    """Geocode a batch; repeated (address, hint) pairs are matched once.

    Parameters
    ----------
    addresses : iterable of str
    gazetteer : Gazetteer
    hints : iterable of str, optional
        One per address (e.g. the enterprise names); see :func:`geocode`.

    Returns
    -------
    DataFrame
        One row per input, in order, columns ``RESULT_COLUMNS``; ``flags`` is a
        comma-separated string ("" when none), lng/lat WGS-84 (NaN for none).
    """
    cache: dict[tuple, GeocodeResult] = {}
    rows = []
    addresses = list(addresses)
    hints = [None] * len(addresses) if hints is None else list(hints)
    if len(hints) != len(addresses):
        raise ValueError(f"{len(hints)} hints for {len(addresses)} addresses")
    for address, hint in zip(addresses, hints, strict=True):
        key = (address if isinstance(address, str) else "",
               hint if isinstance(hint, str) else None)
        r = cache.get(key)
        if r is None:
            r = cache[key] = geocode(key[0], gazetteer, key[1])
        rows.append((address, r.lng, r.lat, r.precision, r.reliability, r.matched,
                     r.matched_id, r.town_code, r.community_code, ",".join(r.flags)))
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    frame[["lng", "lat"]] = frame[["lng", "lat"]].astype(float)
    return frame
