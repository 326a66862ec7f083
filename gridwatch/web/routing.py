"""URL converters shared by every blueprint (registered by create_app)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id, 1 … 2³¹-1. Larger numbers are a 404 at routing
    rather than an integer overflow in the database (SQLite and PostgreSQL
    INTEGER are 32/64-bit; schemathesis found the 500)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)
