"""Helpers shared by the supervision modules: argument checks and message phrases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gridwatch.errors import InvalidInputError
from gridwatch.vocab import ACTOR_ROLES

#: How a role is named in a refusal ("Only a warden or the bureau can ...").
ROLE_PHRASES: dict[str, str] = {
    "warden": "a warden",
    "street_office": "the street office",
    "bureau": "the bureau",
    "admin": "an administrator",
    "enterprise": "the enterprise",
}
#: What "in scope" means for each role, as said in a refusal.
SCOPE_PHRASES: dict[str, str] = {
    "warden": "your grids",
    "street_office": "your street",
    "bureau": "the district",
    "admin": "your scope",
    "enterprise": "your enterprise",
}
# ordered for messages, so "a warden, the street office or the bureau" reads the same
_ROLE_ORDER = ("warden", "street_office", "bureau", "enterprise", "admin")


def check_role(role: object) -> str:
    """Return ``role`` or raise ValueError: an unknown role is a coding error."""
    if role not in ACTOR_ROLES:
        raise ValueError(f"role must be one of {sorted(ACTOR_ROLES)}, got {role!r}")
    return role  # type: ignore[return-value]


def roles_phrase(roles: Iterable[str]) -> str:
    """'a warden, the street office or the bureau' for a set of roles."""
    names = [ROLE_PHRASES[r] for r in _ROLE_ORDER if r in set(roles)]
    if len(names) <= 1:
        return "".join(names) or "nobody"
    return ", ".join(names[:-1]) + " or " + names[-1]


def check_date(value: object, name: str) -> dt.date:
    """Return ``value`` if it is a date (not a datetime); TypeError otherwise."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def optional_date(value: object, name: str) -> dt.date | None:
    """Like :func:`check_date` but None passes."""
    return None if value is None else check_date(value, name)


def clean_text(value: object, name: str) -> str | None:
    """Strip a free-text field; blank becomes None; a non-string is a TypeError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__}")
    return value.strip() or None


def require_text(value: object, name: str, sentence: str) -> str:
    """A required free-text field: raise InvalidInputError(``sentence``) if blank."""
    text = clean_text(value, name)
    if text is None:
        raise InvalidInputError(sentence, details={"field": name})
    return text


def clean_photos(photos: object) -> tuple[str, ...]:
    """Photo keys (stored file names/URLs) as a tuple of non-blank strings."""
    if photos is None:
        return ()
    if isinstance(photos, str | bytes) or not isinstance(photos, Iterable):
        raise TypeError(
            f"photos must be a list of file keys, got {type(photos).__name__}"
        )
    out = []
    for p in photos:
        text = clean_text(p, "photo")
        if text is None:
            raise InvalidInputError(
                "A photo has an empty file name; upload it again.",
                details={"field": "photos"},
            )
        out.append(text)
    return tuple(out)


def later_than(value: dt.date, reference: dt.date, sentence: str) -> None:
    """Raise InvalidInputError(``sentence``) unless ``value`` > ``reference``."""
    if not value > reference:
        raise InvalidInputError(sentence, details={"field": "deadline"})
