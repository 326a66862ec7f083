"""Who is acting: the :class:`Actor` every service takes, and what each role may do.

A service never trusts its caller to have checked permissions: it receives the acting
user and (a) refuses an action the role may not take (:func:`require_role`), and (b)
filters every read by the actor's scope in SQL (:mod:`gridwatch.services.scope`).

Roles (``gridwatch.vocab.ROLES``) and their scope:

- ``warden`` (网格员): the grids they are responsible for or deputy of on the day in
  question (dated grid→warden rows); ``scope_code`` is their town/street.
- ``street_office`` (街道/镇安监办): its own town/street, ``scope_code`` (9 digits).
- ``bureau`` (区安监局): the whole district, read; writes what the bureau decides
  (listed supervision, campaigns, penalties, accidents, targets, the scheme).
- ``admin``: accounts and reference data (imports of boundaries, registry,
  gazetteer); reads the district so an import can be checked.
- ``system``: the command line and background jobs, run by whoever holds the
  database; everything. Never a web sign-in (``users.role`` cannot be ``system``).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from gridwatch.errors import PermissionDeniedError
from gridwatch.grids.codes import is_within

#: Roles that read the whole district.
DISTRICT_ROLES = frozenset({"bureau", "admin", "system"})
#: Roles whose scope is one town/street (``scope_code``).
TOWN_ROLES = frozenset({"street_office", "warden"})


@dataclass(frozen=True)
class Actor:
    """The acting user of one service call.

    ``user_id`` is the ``users.id`` (None for ``system``); ``warden_id`` the
    ``wardens.id`` of a warden. ``scope_code`` is the town/street code of a warden or
    street office, None for district roles.
    """

    username: str
    role: str
    scope_code: str | None = None
    user_id: int | None = None
    warden_id: int | None = None

    def __post_init__(self) -> None:
        if self.role in TOWN_ROLES and not self.scope_code:
            raise ValueError(f"a {self.role} actor needs a scope_code")
        if self.role == "warden" and self.warden_id is None:
            raise ValueError("a warden actor needs its warden_id")

    @property
    def sees_district(self) -> bool:
        return self.role in DISTRICT_ROLES

    @property
    def audit_name(self) -> str:
        """The name written to the audit log."""
        return self.username

    def covers_town(self, town_code: str | None) -> bool:
        """Whether a town/street lies in this actor's scope (wardens: their street)."""
        if self.sees_district:
            return True
        return is_within(town_code, self.scope_code or "")


def system_actor(name: str | None = None) -> Actor:
    """The actor of the command line: ``cli:<OS user>`` unless ``name`` is given.

    ``GRIDWATCH_ACTOR`` is not read here on purpose: the CLI passes ``--as`` style
    names explicitly where it offers them, so the audit log names a person.
    """
    if name is None:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers)
            who = str(os.getuid())
        name = f"cli:{who}"
    return Actor(username=name, role="system")


def require_role(actor: Actor, *roles: str, action: str) -> None:
    """Refuse ``action`` unless ``actor.role`` is one of ``roles`` (system always may).

    Raises
    ------
    PermissionDeniedError
        One sentence naming the action and who may take it.
    """
    if not isinstance(actor, Actor):
        raise TypeError(f"actor must be an Actor, got {type(actor).__name__}")
    if actor.role == "system" or actor.role in roles:
        return
    from gridwatch.vocab import ROLES

    allowed = "、".join(ROLES.get(r, r) for r in roles) or "nobody"
    raise PermissionDeniedError(
        f"{action} is not allowed for a {actor.role} account; only {allowed} may.",
        details={"role": actor.role, "allowed": list(roles)},
    )


def require_town(actor: Actor, town_code: str | None, *, what: str) -> None:
    """Refuse unless ``town_code`` lies in the actor's scope (district roles pass)."""
    if not actor.covers_town(town_code):
        raise PermissionDeniedError(
            f"{what} lies outside your area ({actor.scope_code}).",
            details={"scope": actor.scope_code, "town": town_code},
        )
