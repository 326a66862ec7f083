"""Errors with a stable code, an HTTP status and a message safe to show a user.

Modelled on pygeoapi ``error.py``: the code is a field, never parsed out of text.
"""

from __future__ import annotations


class GridwatchError(Exception):
    """Base error. ``user_msg`` is one sentence: what is wrong and how to fix it."""

    code = "error"
    http_status = 500

    def __init__(self, user_msg: str, *, details: dict | None = None):
        super().__init__(user_msg)
        self.user_msg = user_msg
        self.details = details or {}

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.user_msg, "details": self.details}


class NotFoundError(GridwatchError):
    code = "not_found"
    http_status = 404


class InvalidInputError(GridwatchError):
    code = "invalid_input"
    http_status = 400


class CRSMismatchError(InvalidInputError):
    code = "crs_mismatch"


class GeocodeError(GridwatchError):
    code = "geocode_error"
    http_status = 422


class ConflictError(GridwatchError):
    code = "conflict"
    http_status = 409


class DatabaseError(GridwatchError):
    """The database cannot be opened, reached or used."""

    code = "database_error"
    http_status = 503


class ConfigError(GridwatchError):
    code = "config_error"
    http_status = 500


class PermissionDeniedError(GridwatchError):
    code = "forbidden"
    http_status = 403


class RateLimitedError(GridwatchError):
    """Too many requests from one client (e.g. public tip-offs per address)."""

    code = "too_many_requests"
    http_status = 429
