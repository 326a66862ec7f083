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
door plate, road name only, town from the        door       8
  registry's town column (``hint_town``)
door plate, road name only (no town or village)  door       6 (4 if fuzzy)
a near-identical road in the named town has the  door       6
  door, the named road's numbers do not reach it
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
never mistaken for a good placement. A placement that contradicts the
registry's own town/village columns (``hint_town``/``hint_community``) is
flagged ``hint_conflict``/``community_hint_conflict`` and capped at 6; every
result a person should look at (community level or coarser, reliability 4 or
less, any conflict) carries ``needs_review`` (:mod:`gridwatch.geocode.checks`).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from gridwatch.geocode.checks import (
    check_placement,
    declared_units,
    is_outside,
    needs_review,
    resolve_hints,
)
from gridwatch.geocode.gazetteer import Gazetteer
from gridwatch.geocode.ladder import coarse, street_level
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import parse_address
from gridwatch.geocode.result import RESULT_COLUMNS, GeocodeResult, none_result

__all__ = ["RESULT_COLUMNS", "GeocodeResult", "geocode", "geocode_many"]


def _hint_towns(hint: str | None, gaz: Gazetteer) -> list[str]:
    """Towns named in a hint such as the enterprise name (佛山市禅城区石湾德鸿石材店)."""
    if not hint or not isinstance(hint, str):
        return []
    towns = set()
    for _, _, kind, name in gaz.lexicon.scan(normalise_address(hint)):
        if kind == "town":
            towns.update(gaz.town_codes_by_alias.get(name, ()))
        elif kind == "community":
            towns.update(
                gaz.community_town[c] for c in gaz.community_codes_by_name.get(name, ())
            )
    return sorted(towns)


def _reviewed(r: GeocodeResult) -> GeocodeResult:
    if (
        needs_review(r.precision, r.reliability, r.flags)
        and "needs_review" not in r.flags
    ):
        return replace(r, flags=(*r.flags, "needs_review"))
    return r


def geocode(
    address: str,
    gazetteer: Gazetteer,
    hint: str | None = None,
    *,
    hint_town: str | None = None,
    hint_community: str | None = None,
) -> GeocodeResult:
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
    hint_town, hint_community : str, optional
        The registry's own 所属镇街 / 所属村居 columns, as names (张槎街道, 张槎,
        海口村委会) or codes (440604011, 440604011201). When the address names no
        town, the hinted town chooses among candidates like a named town (flag
        ``town_from_hint``, a door plate gets reliability 8, not 10); the hinted
        village prefers among plates and stands in for a village when no street
        matches (``community_from_hint``). Every placement is checked against
        them: one outside the hinted town or village is flagged
        ``hint_conflict`` / ``community_hint_conflict``, capped at reliability 6
        and marked ``needs_review``.

    Returns
    -------
    GeocodeResult
        WGS-84 point, precision, reliability 1-10, what matched, flags.

    Examples
    --------
    The hand-built two-town gazetteer of ``tests/unit/test_geocode_match.py``
    shows each case; e.g. ``geocode("季华西路11号", gaz, hint_town="张槎")``
    picks 张槎's 季华西路11号 when both towns have one.
    """
    gaz = gazetteer
    p = parse_address(address, gaz.lexicon)
    flags: list[str] = []
    towns, comms = declared_units(p, gaz, flags)
    if is_outside(p, gaz, towns, flags):
        return _reviewed(none_result(["outside_district"]))
    hint_towns, hint_comms = resolve_hints(hint_town, hint_community, gaz, flags)
    declared = towns
    hinted = not towns and bool(hint_towns)
    if hinted:
        towns = list(hint_towns)
        flags.append("town_from_hint")
    if p.other_doors:
        flags.append("multiple_doors")
    prefer = _hint_towns(hint, gaz) if hint and not towns else []
    hit = street_level(p, towns, comms, gaz, flags, prefer, comms or hint_comms, hinted)
    if hit is None:
        hit = coarse(p, towns, comms, hint_comms, gaz, flags)
    if hit is None:
        return _reviewed(none_result(flags))
    return _reviewed(
        check_placement(hit, declared, comms, flags, hint_towns, hint_comms)
    )


def _column(values, n: int, name: str) -> list:
    if values is None:
        return [None] * n
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{len(values)} {name} for {n} addresses")
    return [v if isinstance(v, str) else None for v in values]


def geocode_many(
    addresses,
    gazetteer: Gazetteer,
    hints=None,
    *,
    hint_towns=None,
    hint_communities=None,
) -> pd.DataFrame:
    """Geocode a batch; repeated (address, hints) tuples are matched once.

    Parameters
    ----------
    addresses : iterable of str
    gazetteer : Gazetteer
    hints : iterable of str, optional
        One per address (e.g. the enterprise names); see :func:`geocode`.
    hint_towns, hint_communities : iterable of str, optional
        One per address: the registry's 所属镇街 / 所属村居 (names or codes; None
        or "" where blank); see :func:`geocode`.

    Returns
    -------
    DataFrame
        One row per input, in order, columns ``RESULT_COLUMNS``; ``flags`` is a
        comma-separated string ("" when none), lng/lat WGS-84 (NaN for none).

    Raises
    ------
    ValueError
        A hint list whose length differs from the addresses'.
    """
    cache: dict[tuple, GeocodeResult] = {}
    rows = []
    addresses = list(addresses)
    n = len(addresses)
    columns = (
        _column(hints, n, "hints"),
        _column(hint_towns, n, "hint_towns"),
        _column(hint_communities, n, "hint_communities"),
    )
    for address, hint, town, community in zip(addresses, *columns, strict=True):
        key = (address if isinstance(address, str) else "", hint, town, community)
        r = cache.get(key)
        if r is None:
            r = cache[key] = geocode(
                key[0], gazetteer, hint, hint_town=town, hint_community=community
            )
        rows.append(
            (
                address,
                r.lng,
                r.lat,
                r.precision,
                r.reliability,
                r.matched,
                r.matched_id,
                r.town_code,
                r.community_code,
                ",".join(r.flags),
            )
        )
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    frame[["lng", "lat"]] = frame[["lng", "lat"]].astype(float)
    return frame
