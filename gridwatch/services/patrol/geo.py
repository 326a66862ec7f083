"""A warden-day's route as GeoJSON (WGS-84), for the Leaflet map and the sheet."""

from __future__ import annotations


def route_geojson(day: dict) -> dict:
    """FeatureCollection of one warden-day (:func:`...reads.day_route`'s dict).

    Features: the base (``kind: "base"``), each stop with a location
    (``kind: "stop"``, ``seq``, ``name``, ``risk_level``, ``status``) and the
    route line base → stops in order → base (``kind: "route"``). Coordinates
    rounded to 6 decimals (about 0.1 m).
    """
    feats, line = [], []
    base = day.get("base")
    if base:
        pt = [round(base["lng"], 6), round(base["lat"], 6)]
        line.append(pt)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": pt},
                "properties": {"kind": "base", "source": base.get("source")},
            }
        )
    for s in day["stops"]:
        if s["lng"] is None:
            continue
        pt = [round(s["lng"], 6), round(s["lat"], 6)]
        line.append(pt)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": pt},
                "properties": {
                    "kind": "stop",
                    "seq": s["seq"],
                    "name": s["name"],
                    "risk_level": s["risk_level"],
                    "status": s["status"],
                },
            }
        )
    if base and len(line) > 1:
        line.append(line[0])
    if len(line) > 1:
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {"kind": "route"},
            }
        )
    return {"type": "FeatureCollection", "features": feats}
