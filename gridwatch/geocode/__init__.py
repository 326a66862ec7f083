"""Offline geocoding of Chinese addresses against the standard-address gazetteer.

Pure domain code: normalise → parse → match (door plate, road interpolation,
community, town, district), plus optional online providers that are off by
default. The service layer stores results and decides what to re-geocode
(:func:`should_regeocode`).
"""

from gridwatch.geocode.gazetteer import Gazetteer
from gridwatch.geocode.match import RESULT_COLUMNS, GeocodeResult, geocode, geocode_many
from gridwatch.geocode.normalize import normalise_address
from gridwatch.geocode.parse import ParsedAddress, parse_address

__all__ = [
    "RESULT_COLUMNS",
    "Gazetteer",
    "GeocodeResult",
    "ParsedAddress",
    "geocode",
    "geocode_many",
    "normalise_address",
    "parse_address",
]
