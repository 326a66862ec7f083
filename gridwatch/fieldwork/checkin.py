"""Check-ins: what the phone's position says about an inspection's visit.

A warden records an inspection on a phone; the page asks the browser for the
position (the W3C Geolocation API, ``coords.longitude/latitude`` in WGS-84
decimal degrees and ``coords.accuracy`` in metres at 95 % confidence). The
record is never refused for its check-in: a far check-in is *flagged* for
review, and a check-in that cannot prove anything says why.

Status, the first rule that applies (labels in ``gridwatch.vocab.CHECKIN_STATUSES``):

1. ``unverified``: no position (the user refused, or the page was not served over
   HTTPS/localhost, where browsers give no position at all).
2. ``site_imprecise``: the enterprise has no point, or only a community-, town- or
   district-level one (:data:`IMPRECISE_PRECISIONS`). That point is an area's
   representative point, hundreds of metres to kilometres from the site, so a
   distance to it proves nothing either way; no distance is stored.
3. ``not_same_day``: the position was taken on another day (Asia/Shanghai) than
   the inspection's date: it shows where the phone was when the record was
   entered, not where the visit happened.
4. ``far``: distance > ``max_m`` + accuracy. Flagged (GPS indoors, a large site, a
   gate on another road, or no visit at all: a person decides).
5. ``coarse``: the phone's own accuracy is worse than ``max_m`` (cell-tower or IP
   positioning): being "near" within that uncertainty proves nothing.
6. ``verified``.

Distances are computed in the metric CRS (default EPSG:4547, CGCS2000 /
Gauss-Kruger CM 114E): over a few kilometres its scale error is below 1e-4, so
the Euclidean distance equals the geodesic one to centimetres.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

from gridwatch.crs import METRIC_CRS, parse_datum, to_wgs84
from gridwatch.errors import InvalidInputError
from gridwatch.vocab import LOCATION_NOTES

#: Geocode precisions whose point is an area's representative point, not the site.
IMPRECISE_PRECISIONS = frozenset({"community", "town", "district", "none"})

_NOTES = LOCATION_NOTES  # gridwatch.vocab: one sentence per precision


def location_note(precision: str | None) -> str:
    """One plain Chinese sentence saying how far an enterprise's point can be trusted.

    >>> location_note("town")[:9]
    '位置仅精确到镇街：'
    """
    return _NOTES.get(precision or "none", _NOTES["none"])


@dataclass(frozen=True)
class Position:
    """A phone's position: WGS-84 degrees (converted once from ``datum``),
    accuracy in metres, and when it was taken (aware, or naive UTC)."""

    lng: float
    lat: float
    accuracy_m: float
    datum: str = "wgs84"
    at: dt.datetime | None = None


@dataclass(frozen=True)
class CheckIn:
    """The assessed check-in stored with an inspection.

    ``lng``/``lat`` WGS-84 (None when no position); ``datum`` the datum the
    position came in; ``distance_m`` metres to the enterprise's point (None when
    there is no position or the point is imprecise); ``threshold_m`` the distance
    beyond which it counts as far (``max_m`` + accuracy).
    """

    status: str
    lng: float | None = None
    lat: float | None = None
    datum: str | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    threshold_m: float | None = None
    at: dt.datetime | None = None

    @property
    def is_flagged(self) -> bool:
        """Whether a person should look at it (only ``far`` is flagged)."""
        return self.status == "far"


def _number(value, what: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"The check-in {what} {value!r} is not a number."
        ) from None
    if not math.isfinite(out):
        raise InvalidInputError(
            f"The check-in {what} {value!r} is not a finite number."
        )
    return out


def _instant(value) -> dt.datetime | None:
    """Milliseconds since the epoch (``GeolocationPosition.timestamp``), ISO text or
    a datetime → naive UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, (int, float)) or str(value).strip().isdigit():
        stamp = dt.datetime.fromtimestamp(float(value) / 1000.0, dt.UTC)
    else:
        try:
            stamp = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInputError(
                f"The check-in time {value!r} is neither milliseconds since 1970 nor "
                "an ISO date-time."
            ) from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp


def parse_position(
    lng, lat, accuracy_m, datum: str | None = "wgs84", at=None
) -> Position | None:
    """Check a reported position (form strings or numbers); None when there is none.

    Parameters
    ----------
    lng, lat : str or float
        Degrees in ``datum`` (the Geolocation API reports WGS-84). Both empty or
        None means "no position" (the record is then ``unverified``).
    accuracy_m : str or float
        The reported accuracy radius in metres (required with a position).
    datum : str, default "wgs84"
        Anything :func:`gridwatch.crs.parse_datum` accepts (some Chinese browser
        shells report GCJ-02).
    at : datetime, int (ms since 1970), ISO str, or None
        When the position was taken (``GeolocationPosition.timestamp``).

    Raises
    ------
    InvalidInputError
        Half a position, a non-number, a coordinate out of range, a missing or
        negative accuracy, an unknown datum.

    >>> parse_position("", None, None) is None
    True
    >>> parse_position("113.1", "23.0", "15").accuracy_m
    15.0
    """
    blank = [v is None or (isinstance(v, str) and not v.strip()) for v in (lng, lat)]
    if all(blank):
        return None
    if any(blank):
        raise InvalidInputError(
            "The check-in has only one of longitude and latitude; send both or neither."
        )
    x, y = _number(lng, "longitude"), _number(lat, "latitude")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise InvalidInputError(
            f"The check-in position ({x}, {y}) is not longitude, latitude in degrees."
        )
    if accuracy_m is None or (isinstance(accuracy_m, str) and not accuracy_m.strip()):
        raise InvalidInputError(
            "The check-in position has no accuracy; send the Geolocation API's "
            "coords.accuracy in metres with it."
        )
    acc = _number(accuracy_m, "accuracy")
    if acc < 0:
        raise InvalidInputError(f"The check-in accuracy {acc} m is negative.")
    return Position(x, y, acc, parse_datum(datum or "wgs84").value, _instant(at))


@lru_cache(maxsize=8)
def _transformer(metric_crs: str):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)


def distance_m(lng1, lat1, lng2, lat2, metric_crs: str = METRIC_CRS) -> float:
    """Metres between two WGS-84 points, measured in ``metric_crs``."""
    tr = _transformer(metric_crs)
    x1, y1 = tr.transform(lng1, lat1)
    x2, y2 = tr.transform(lng2, lat2)
    return float(math.hypot(x2 - x1, y2 - y1))


def _local_day(stamp: dt.datetime) -> dt.date:
    from gridwatch.timeutil import to_local

    return to_local(stamp).date()


def assess_checkin(
    position: Position | None,
    site,
    site_precision: str | None,
    inspected_on: dt.date,
    *,
    max_m: float,
    now: dt.datetime,
    metric_crs: str = METRIC_CRS,
) -> CheckIn:
    """Assess a check-in against the enterprise's point (rules in the module doc).

    Parameters
    ----------
    position : Position or None
        From :func:`parse_position`.
    site : shapely Point or None
        The enterprise's point, WGS-84.
    site_precision : str
        Its geocode precision (``gridwatch.vocab.PRECISIONS``).
    inspected_on : date
        The inspection's date (district days, Asia/Shanghai).
    max_m : float
        Setting ``checkin_max_m``: the radius in metres within which a check-in
        counts as near, before the accuracy is added.
    now : datetime
        Naive UTC; the position's time when it carries none.

    Examples
    --------
    >>> import shapely
    >>> p = Position(113.0000, 23.0, 10.0)
    >>> c = assess_checkin(p, shapely.Point(113.001, 23.0), "door",
    ...                    dt.date(2026, 3, 2), max_m=200,
    ...                    now=dt.datetime(2026, 3, 2, 3, 0))
    >>> c.status, round(c.distance_m), c.threshold_m
    ('verified', 102, 210.0)
    """
    if position is None:
        return CheckIn("unverified")
    lng, lat = to_wgs84(position.lng, position.lat, position.datum)
    at = position.at or now
    base = {
        "lng": float(lng),
        "lat": float(lat),
        "datum": position.datum,
        "accuracy_m": position.accuracy_m,
        "at": position.at,
    }
    precise = (
        site is not None
        and not getattr(site, "is_empty", True)
        and (site_precision or "none") not in IMPRECISE_PRECISIONS
    )
    if not precise:
        return CheckIn("site_imprecise", **base)
    dist = distance_m(lng, lat, site.x, site.y, metric_crs)
    threshold = float(max_m) + position.accuracy_m
    base.update(distance_m=round(dist, 1), threshold_m=threshold)
    if _local_day(at) != inspected_on:
        return CheckIn("not_same_day", **base)
    if dist > threshold:
        return CheckIn("far", **base)
    if position.accuracy_m > max_m:
        return CheckIn("coarse", **base)
    return CheckIn("verified", **base)
