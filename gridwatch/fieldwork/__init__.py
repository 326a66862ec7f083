"""Work in the field, as pure functions: check-ins and photo checks (no database).

- :mod:`gridwatch.fieldwork.checkin`: is the phone that recorded an inspection
  near the enterprise, and what can its position prove?
- :mod:`gridwatch.fieldwork.photos`: is an upload a real JPEG/PNG/HEIC photo of a
  sane size; orient it, strip its metadata, re-encode it, hash it.
"""

from gridwatch.fieldwork.checkin import (
    IMPRECISE_PRECISIONS,
    CheckIn,
    Position,
    assess_checkin,
    location_note,
    parse_position,
)
from gridwatch.fieldwork.photos import CleanPhoto, PhotoLimits, clean_photo

__all__ = [
    "IMPRECISE_PRECISIONS",
    "CheckIn",
    "CleanPhoto",
    "PhotoLimits",
    "Position",
    "assess_checkin",
    "clean_photo",
    "location_note",
    "parse_position",
]
