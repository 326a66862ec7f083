"""What the gazetteer covers, said before geocoding starts.

A district whose gazetteer holds door plates for one town only places every
other town's enterprises at their village or town point. That is an honest
result only if the user is told first (issue 13: 35 of 54 enterprises on seven
town points and "0 flagged"). :func:`gazetteer_coverage` counts door plates and
roads per town and names the precision to expect there.
"""

from __future__ import annotations

from collections import Counter

from gridwatch.geocode.gazetteer import Gazetteer

__all__ = ["gazetteer_coverage"]

#: What a town's addresses can reach, given what the gazetteer holds there.
EXPECTED = {
    "door": "door plates: door level where the road and number are in the gazetteer",
    "road": "roads without door plates: road level at best",
    "community": "no roads or door plates: village/community level at best, "
    "only where the address names the village",
    "town": "no roads, door plates or villages: town level at best",
}


def gazetteer_coverage(gaz: Gazetteer) -> dict:
    """Door plates, roads and villages per town, and the precision to expect.

    Parameters
    ----------
    gaz : Gazetteer

    Returns
    -------
    dict
        ``towns``: one dict per town (``code``, ``name``, ``door_plates``,
        ``roads``, ``communities``, ``communities_with_plates``, ``expected``
        precision, ``expected_text``), sorted by code; ``covered`` / ``total``:
        towns with door plates and all towns; ``door_plates``; ``message``: one
        English sentence for a terminal.

    """
    plates = Counter(gaz.point_town)
    comms_with_plates = Counter(
        gaz.community_town.get(c) for c in set(gaz.point_community)
    )
    comms = Counter(gaz.community_town.values())
    roads = {t: set(names) for t, names in gaz.roads_in_town.items()}
    for segs in gaz.segments.values():
        for s in segs:
            roads.setdefault(s.town_code, set()).add(s.name)
    towns = []
    for code in sorted(gaz.town_names):
        n_plates, n_roads = plates.get(code, 0), len(roads.get(code, ()))
        expected = (
            "door"
            if n_plates
            else "road"
            if n_roads
            else "community"
            if comms.get(code)
            else "town"
        )
        towns.append(
            {
                "code": code,
                "name": gaz.town_names[code],
                "door_plates": n_plates,
                "roads": n_roads,
                "communities": comms.get(code, 0),
                "communities_with_plates": comms_with_plates.get(code, 0),
                "expected": expected,
                "expected_text": EXPECTED[expected],
            }
        )
    covered = [t for t in towns if t["door_plates"]]
    return {
        "towns": towns,
        "covered": len(covered),
        "total": len(towns),
        "door_plates": sum(plates.values()),
        "message": _message(towns, covered),
    }


def _message(towns, covered) -> str:
    listed = ", ".join(f"{t['name']} {t['door_plates']:,}" for t in covered[:8])
    if len(covered) > 8:
        listed += ", …"
    head = f"The gazetteer has door plates in {len(covered)} of {len(towns)} towns" + (
        f" ({listed})" if covered else ""
    )
    rest = [t for t in towns if not t["door_plates"]]
    if not rest:
        return head + "; door-level placement is possible everywhere."
    names = ", ".join(t["name"] for t in rest[:8]) + (", …" if len(rest) > 8 else "")
    best = "road" if any(t["expected"] == "road" for t in rest) else "village or town"
    return (
        f"{head}; in {names} expect {best} level at best: those enterprises "
        "are flagged needs_review for a person to place."
    )
