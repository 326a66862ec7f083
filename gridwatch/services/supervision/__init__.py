"""Supervision use cases: hazards, to-do and lists, penalties, self-reports,
tip-offs and campaigns (the services behind issue 10's pages, CLI and demo).

Every function takes ``ctx, actor``, filters by the actor's scope in SQL, runs one
transaction per use case and leaves the domain rules to :mod:`gridwatch.supervision`.
Return shapes are in each docstring and in ``docs/supervision.md``.
"""

from gridwatch.services.supervision.common import (
    ACTING_ROLES,
    Page,
    acting_role,
    actor_for_user,
)
from gridwatch.services.supervision.hazard_acts import (
    create_hazard,
    delist_hazard,
    extend_deadline,
    list_hazard,
    transition_hazard,
)
from gridwatch.services.supervision.hazard_list import (
    ACTION_FIELDS,
    list_hazards,
    show_hazard,
)

__all__ = [
    "ACTING_ROLES",
    "ACTION_FIELDS",
    "Page",
    "acting_role",
    "actor_for_user",
    "create_hazard",
    "delist_hazard",
    "extend_deadline",
    "list_hazard",
    "list_hazards",
    "show_hazard",
    "transition_hazard",
]
